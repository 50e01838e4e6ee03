import { describe, expect, test, vi } from 'vitest'
import { overshoots, podCounts } from './pod-counts.ts'
import { waitForRecording, waitForTimelineEvents } from './recordings.ts'
import { Timeline } from './timeline.ts'
import { pod, rollout, T0 } from './timeline.fixtures.ts'

describe('Timeline', () => {
  test('a rolling update from the highest ordinal is seen as 1 before 0', () => {
    const t = rollout(['web-1', 'web-0'])
    expect(t.replacementOrder()).toEqual(['web-1', 'web-0'])
    expect(t.orderOf([{ pod: 'web-0', kind: 'terminating', incarnation: 'old' }, { pod: 'web-1', kind: 'ready', incarnation: 'new' }]))
      .toEqual(['web-1 ready (new)', 'web-0 terminating (old)'])
  })

  test('a timeline in the wrong order fails with the observed order and timestamps', () => {
    const t = rollout(['web-0', 'web-1'])
    let message = ''
    try {
      expect(t.replacementOrder(), t.describe()).toEqual(['web-1', 'web-0'])
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('observed pod events (t=0 at 2026-01-01T00:00:00.000Z)')
    expect(message).toMatch(/\+\s+1\.000s\s+web-0\s+terminating\s+old uid a0 rev r1/)
    expect(message).toMatch(/\+\s+4\.600s\s+web-1\s+terminating\s+old uid a1 rev r1/)
    expect(message.indexOf('web-0  terminating')).toBeLessThan(message.indexOf('web-1  terminating'))
  })

  test('events never observed are listed last, marked so', () => {
    const t = rollout(['web-1', 'web-0'])
    expect(t.orderOf([{ pod: 'web-2', kind: 'created' }, { pod: 'web-1', kind: 'deleted' }])).toEqual(['web-1 deleted', 'web-2 created: never observed'])
  })

  test('a restart with the same pod is its own event', () => {
    const t = new Timeline(T0)
    t.sync([pod('p', 'u', { ready: true })], T0)
    t.observe('MODIFIED', pod('p', 'u', { ready: false, phase: 'Running', restarts: 1 }), T0 + 10)
    t.observe('MODIFIED', pod('p', 'u', { ready: true, restarts: 1 }), T0 + 20)
    expect(t.events.map((e) => e.kind)).toEqual(['present', 'ready', 'unready', 'restarted', 'ready'])
  })

  test('counts: pods alive and Ready at every observed instant', () => {
    const t = rollout(['web-1', 'web-0'])
    // While one pod is replaced, one Ready pod remains; never more than two alive.
    expect(podCounts(t)).toMatchObject({ maxPods: 2, minReady: 1 })
  })

  test('overshoots: a new pod created before an old one is marked for deletion is one stretch, with its length', () => {
    const t = new Timeline(T0)
    t.sync([pod('a', 'a', { ready: true, rev: 'r1' }), pod('b', 'b', { ready: true, rev: 'r1' })], T0)
    t.observe('ADDED', pod('c', 'c', { rev: 'r2' }), T0 + 100) // 3 alive: the surge
    t.observe('ADDED', pod('d', 'd', { rev: 'r2' }), T0 + 200) // 4: over a limit of 3
    t.observe('MODIFIED', pod('a', 'a', { ready: true, terminating: true, rev: 'r1' }), T0 + 282) // back to 3
    t.observe('ADDED', pod('e', 'e', { rev: 'r2' }), T0 + 300) // 4 again, never back
    const found = overshoots(t, 3)
    expect(found.map((o) => ({ from: o.from.pod, to: o.to?.pod, peak: o.peak, ms: o.ms })))
      .toEqual([{ from: 'd', to: 'a', peak: 4, ms: 82 }, { from: 'e', to: undefined, peak: 4, ms: 0 }])
    expect(overshoots(t, 4)).toEqual([])
  })
})

describe('Timeline: Deployment strategies', () => {
  // Old pods a and b (revision r1) replaced by c (r2); `cAt` says when c is created.
  function replace(cAt: 'after both stopped' | 'while b runs'): Timeline {
    const t = new Timeline(T0)
    t.sync([pod('a', 'a', { ready: true, rev: 'r1' }), pod('b', 'b', { ready: true, rev: 'r1' })], T0)
    t.observe('MODIFIED', pod('a', 'a', { ready: true, phase: 'Running', terminating: true, rev: 'r1' }), T0 + 1)
    t.observe('MODIFIED', pod('b', 'b', { ready: true, phase: 'Running', terminating: true, rev: 'r1' }), T0 + 2)
    t.observe('MODIFIED', pod('a', 'a', { phase: 'Failed', terminating: true, rev: 'r1' }), T0 + 3)
    if (cAt === 'while b runs') t.observe('ADDED', pod('c', 'c', { rev: 'r2' }), T0 + 4)
    t.observe('MODIFIED', pod('b', 'b', { phase: 'Failed', terminating: true, rev: 'r1' }), T0 + 5)
    if (cAt === 'after both stopped') t.observe('ADDED', pod('c', 'c', { rev: 'r2' }), T0 + 6)
    t.observe('DELETED', pod('a', 'a', { phase: 'Failed', terminating: true, rev: 'r1' }), T0 + 7)
    return t
  }

  test('a pod that reaches phase Failed or Succeeded is stopped once, deleted later', () => {
    const t = replace('after both stopped')
    expect(t.events.filter((e) => e.pod === 'a').map((e) => e.kind)).toEqual(['present', 'ready', 'terminating', 'unready', 'stopped', 'deleted'])
  })

  test('runningBefore: old pods stopped (not yet deleted) do not count as running', () => {
    const t = replace('after both stopped')
    const created = t.first('created', 'new')!
    expect(created.pod).toBe('c')
    expect(t.runningBefore(created)).toEqual([])
  })

  test('runningBefore: an old pod still running when a new one is created is named with its revision', () => {
    const t = replace('while b runs')
    expect(t.runningBefore(t.first('created', 'new')!).map((e) => `${e.pod} ${e.revision}`)).toEqual(['b r1'])
  })

  test('waves: old pods terminated with a new pod Ready in between come in two waves', () => {
    const t = new Timeline(T0)
    t.sync(['a', 'b', 'c'].map((n) => pod(n, n, { ready: true, rev: 'r1' })), T0)
    t.observe('MODIFIED', pod('a', 'a', { ready: true, terminating: true, rev: 'r1' }), T0 + 1)
    t.observe('ADDED', pod('x', 'x', { rev: 'r2' }), T0 + 2)
    t.observe('MODIFIED', pod('x', 'x', { ready: true, rev: 'r2' }), T0 + 3)
    t.observe('MODIFIED', pod('b', 'b', { ready: true, terminating: true, rev: 'r1' }), T0 + 4)
    t.observe('MODIFIED', pod('c', 'c', { ready: true, terminating: true, rev: 'r1' }), T0 + 5)
    expect(t.waves({ kind: 'terminating', incarnation: 'old' }, { kind: 'ready', incarnation: 'new' })).toEqual([['a'], ['b', 'c']])
    expect(t.waves({ kind: 'created', incarnation: 'new' }, { kind: 'ready', incarnation: 'new' })).toEqual([['x']])
  })

  test('waves: all at once is one wave; nothing matching is none', () => {
    const t = replace('after both stopped')
    expect(t.waves({ kind: 'terminating', incarnation: 'old' }, { kind: 'ready', incarnation: 'new' })).toEqual([['a', 'b']])
    expect(t.waves({ kind: 'restarted' }, { kind: 'ready' })).toEqual([])
  })
})

describe('waitForRecording', () => {
  test('resolves on the event that satisfies it, and stops listening', async () => {
    const t = new Timeline(T0)
    const seen = waitForTimelineEvents(t, [{ pod: 'p', kind: 'ready' }])
    t.observe('ADDED', pod('p', 'u'))
    t.observe('MODIFIED', pod('p', 'u', { ready: true }))
    await expect(seen).resolves.toBeUndefined()
  })

  test('times out with the timeline it saw', async () => {
    vi.useFakeTimers()
    try {
      const t = new Timeline(T0)
      t.observe('ADDED', pod('p', 'u'), T0)
      const seen = waitForRecording(t, 'p ready', (x) => !!x.find({ pod: 'p', kind: 'ready' }), 'exec')
      vi.advanceTimersByTime(31_000)
      await expect(seen).rejects.toThrow(/waiting for the pod watch to show p ready: no new event for 30s \(the limit is 30s without new event\); no new event since the start \(exec\)\nobserved pod events[\s\S]*p\s+created/)
    } finally {
      vi.useRealTimers()
    }
  })

  test('goes on past its timeout while new events keep coming (a slow rollout is not a stuck one)', async () => {
    vi.useFakeTimers()
    try {
      const t = new Timeline(T0)
      const seen = waitForRecording(t, 'q ready', (x) => !!x.find({ pod: 'q', kind: 'ready' }), 'exec')
      for (const [i, name] of ['a', 'b', 'c'].entries()) {
        await vi.advanceTimersByTimeAsync(20_000)
        t.observe('ADDED', pod(name, `u${i}`))
      }
      await vi.advanceTimersByTimeAsync(20_000) // 80 s in, the exec timeout is 30 s
      t.observe('ADDED', pod('q', 'uq'))
      t.observe('MODIFIED', pod('q', 'uq', { ready: true }))
      await expect(seen).resolves.toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
  })
})

test('kindsInOrder: all creations before any Ready means a parallel start', () => {
  const t = new Timeline(T0)
  t.sync([], T0)
  for (const [i, name] of ['web-0', 'web-1'].entries()) t.observe('ADDED', pod(name, `u${i}`), T0 + i)
  for (const [i, name] of ['web-0', 'web-1'].entries()) t.observe('MODIFIED', pod(name, `u${i}`, { ready: true }), T0 + 10 + i)
  expect(t.kindsInOrder(['web-0', 'web-1'], ['created', 'ready'])).toEqual(['created', 'created', 'ready', 'ready'])
  expect(t.kindsInOrder(['web-2'], ['created'])).toEqual(['never: web-2 created: never observed'])
})
