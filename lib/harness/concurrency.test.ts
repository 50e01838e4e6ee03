import { describe, expect, test } from 'vitest'
import { backOffCooldownMs, ConcurrencyLimit, growEveryMs, initialConcurrency } from './concurrency.ts'

const settings = { initial: 6, min: 1, max: 16, fixed: false, scale: 1 }
const healthy = { podStartMs: [4_000, 5_000], apiMs: [40, 60], loadPerCore: 1, cpuBusy: 0.5 }

describe('the claims-in-flight limit', () => {
  test('backs off when the machine that runs the cluster is overloaded, and not again within the cooldown', () => {
    const l = new ConcurrencyLimit(settings)
    const overloaded = { ...healthy, loadPerCore: 30 }
    expect(l.adjust(overloaded, 0, 10)).toMatchObject({ from: 6, to: 4, why: expect.stringContaining('load 30.0 per core') })
    expect(l.adjust(overloaded, backOffCooldownMs - 1, 10)).toBeUndefined()
    expect(l.adjust(overloaded, backOffCooldownMs, 10)).toMatchObject({ from: 4, to: 2 })
    expect(l.adjust(overloaded, 2 * backOffCooldownMs, 10)).toMatchObject({ from: 2, to: 1 })
    expect(l.adjust(overloaded, 3 * backOffCooldownMs, 10)).toBeUndefined() // the floor
  })

  test('backs off when pods take long to start or the API server answers slowly', () => {
    expect(new ConcurrencyLimit(settings).adjust({ ...healthy, podStartMs: [90_000, 100_000, 3_000] }, 0, 0)?.why).toContain('pod start p50 90.0s')
    expect(new ConcurrencyLimit(settings).adjust({ ...healthy, apiMs: [2_000, 2_500] }, 0, 0)?.why).toContain('API p50 2000ms')
  })

  test('backs off while a pod of the run waits for room on the nodes, and never grows then, however idle the machine', () => {
    const l = new ConcurrencyLimit(settings)
    const full = { ...healthy, cpuBusy: 0.2, waitingForRoom: 2 }
    expect(l.adjust(full, 0, 10)).toMatchObject({ from: 6, to: 4, why: expect.stringContaining('2 pods of the run waiting for room on the nodes') })
    for (let t = growEveryMs; t < backOffCooldownMs; t += growEveryMs) expect(l.adjust(full, t, 10)).toBeUndefined()
    // Room again: it grows as before.
    expect(l.adjust({ ...healthy, waitingForRoom: 0 }, 2 * backOffCooldownMs, 10)).toMatchObject({ from: 4, to: 5 })
  })

  test('a slow cluster by measure (the timeout scale) is held to slower marks', () => {
    const slowPods = { ...healthy, podStartMs: [90_000] }
    expect(new ConcurrencyLimit({ ...settings, scale: 2 }).adjust(slowPods, 0, 0)).toBeUndefined()
  })

  test('grows by one while all is well and claims are queued, up to its maximum', () => {
    const l = new ConcurrencyLimit({ ...settings, initial: 15 })
    expect(l.adjust(healthy, 0, 0)).toBeUndefined() // nobody waits: no reason to grow
    expect(l.adjust(healthy, 0, 3)).toMatchObject({ from: 15, to: 16 })
    expect(l.adjust(healthy, growEveryMs, 3)).toBeUndefined() // the maximum
  })

  test('does not grow soon after backing off', () => {
    const l = new ConcurrencyLimit(settings)
    l.adjust({ ...healthy, loadPerCore: 17 }, 0, 5)
    expect(l.adjust(healthy, growEveryMs, 5)).toBeUndefined()
    expect(l.adjust(healthy, backOffCooldownMs, 5)).toMatchObject({ from: 4, to: 5 })
  })

  test('on a machine that runs the cluster, grows only while its CPU has room, and a busy CPU alone is no reason to back off', () => {
    const l = new ConcurrencyLimit(settings)
    const saturated = { ...healthy, cpuBusy: 0.95, loadPerCore: 13 }
    expect(l.judge(saturated)).toEqual({ state: 'fair', why: expect.stringContaining('CPU 95% busy') })
    expect(l.adjust(saturated, 0, 5)).toBeUndefined()
    expect(l.adjust({ ...healthy, cpuBusy: 0.7, loadPerCore: 13 }, growEveryMs, 5)).toMatchObject({ from: 6, to: 7 })
    // A cluster elsewhere: this machine's CPU says nothing about it.
    expect(new ConcurrencyLimit(settings).adjust({ podStartMs: [4_000], apiMs: [40] }, 0, 5)).toMatchObject({ from: 6, to: 7 })
  })

  test('SC_CONCURRENCY=N fixes it whatever is seen', () => {
    const l = new ConcurrencyLimit({ ...settings, fixed: true })
    expect(l.adjust({ ...healthy, loadPerCore: 50 }, 0, 5)).toBeUndefined()
    expect(l.limit).toBe(6)
  })

  test('starts from the cores and nodes of the embedded cluster, or near the old default elsewhere', () => {
    expect(initialConcurrency({ cores: 2, embeddedNodes: 3, max: 16 }).limit).toBe(4)
    expect(initialConcurrency({ cores: 2, embeddedNodes: 1, max: 16 }).limit).toBe(4)
    expect(initialConcurrency({ cores: 64, embeddedNodes: 1, max: 16 }).limit).toBe(16)
    expect(initialConcurrency({ cores: 2, max: 16 })).toMatchObject({ limit: 8, why: expect.stringContaining('elsewhere') })
  })
})
