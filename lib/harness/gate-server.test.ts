import type { V1Pod } from '@kubernetes/client-node'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { ConcurrencyLimit } from './concurrency.ts'
import { acquireSlot, podStartTimes } from './gate-client.ts'
import { busyShare, startGate } from './gate-server.ts'

async function gateOf(limit: number) {
  const dir = await mkdtemp(join(tmpdir(), 'gate-'))
  const lines: string[] = []
  const gate = await startGate({
    limit: new ConcurrencyLimit({ initial: limit, min: 1, max: limit, fixed: true, scale: 1 }),
    probeApi: async () => undefined, local: false, usageFile: join(dir, 'usage.json'), log: (l) => lines.push(l),
  })
  return { gate, dir, lines }
}

describe('the run gate', () => {
  test('lets through as many claims as its limit, the next when one gives its slot back, in order', async () => {
    const { gate } = await gateOf(2)
    const signal = new AbortController().signal
    const a = await acquireSlot(gate.url, signal)
    const b = await acquireSlot(gate.url, signal)
    const order: string[] = []
    const c = acquireSlot(gate.url, signal).then((s) => { order.push('c'); return s })
    const d = acquireSlot(gate.url, signal).then((s) => { order.push('d'); return s })
    await new Promise((r) => setImmediate(r))
    expect(order).toEqual([]) // both wait while two are in flight
    await a.release([])
    const cs = await c
    expect(order).toEqual(['c'])
    await b.release([])
    await (await d).release([])
    await cs.release([])
    const usage = await gate.stop()
    expect(usage.concurrency).toMatchObject({ initial: 2, min: 2, max: 2, changes: [] })
  })

  test('a cancelled claim leaves the queue and its place goes to the next', async () => {
    const { gate } = await gateOf(1)
    const first = await acquireSlot(gate.url, new AbortController().signal)
    const cancel = new AbortController()
    const waiting = acquireSlot(gate.url, cancel.signal)
    const next = acquireSlot(gate.url, new AbortController().signal)
    await new Promise((r) => setTimeout(r, 50))
    cancel.abort()
    await expect(waiting).rejects.toThrow('cancelled')
    await first.release([])
    await (await next).release([])
    await gate.stop()
  })

  test('the run usage is written for the reports when the gate stops', async () => {
    const { gate, dir } = await gateOf(1)
    const usage = await gate.stop()
    expect(usage.cores).toBeGreaterThan(0)
    expect(usage.peakLoad).toBeGreaterThanOrEqual(0)
    expect(JSON.parse(await readFile(join(dir, 'usage.json'), 'utf8'))).toEqual(usage)
  })

  test('a pod of the run waiting for room on the nodes makes the gate back off, saying so', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] })
    try {
      const dir = await mkdtemp(join(tmpdir(), 'gate-'))
      const lines: string[] = []
      const gate = await startGate({
        limit: new ConcurrencyLimit({ initial: 6, min: 1, max: 16, fixed: false, scale: 1 }),
        probeApi: async () => undefined, probeRoom: async () => 3, local: false, usageFile: join(dir, 'usage.json'), log: (l) => lines.push(l),
      })
      await vi.advanceTimersByTimeAsync(5_000)
      await vi.waitFor(() => expect(lines.join('\n')).toMatch(/^claims in flight 6 → 4 \(backing off: .*3 pods of the run waiting for room on the nodes\)$/m))
      expect(gate.limit.limit).toBe(4)
      await gate.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  test('no gate (no global setup) lets every claim go at once', async () => {
    const s = await acquireSlot(null, new AbortController().signal)
    expect(s.waitedMs).toBe(0)
  })
})

test('pod start times: creation to Ready, only for pods that started once', () => {
  const pod = (created: string, ready: string | undefined, restarts = 0): V1Pod => ({
    metadata: { creationTimestamp: new Date(created) },
    status: {
      conditions: ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(ready) }] : [],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: restarts }],
    },
  })
  expect(podStartTimes([
    pod('2026-01-01T00:00:00Z', '2026-01-01T00:00:07Z'),
    pod('2026-01-01T00:00:00Z', undefined),
    pod('2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z', 1),
  ])).toEqual([7_000])
})

test("the CPU's busy share: busy seconds over all seconds between the oldest and newest sample", () => {
  expect(busyShare([{ busy: 100, total: 400 }, { busy: 105, total: 410 }, { busy: 118, total: 420 }])).toBeCloseTo(0.9)
  expect(busyShare([{ busy: 100, total: 400 }])).toBeUndefined()
  expect(busyShare([])).toBeUndefined()
})
