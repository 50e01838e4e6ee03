import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, test, vi } from 'vitest'
import { IncompleteRecording } from './gaps.ts'
import { orderedStartViolations } from './ordered-start.ts'
import { waitForRecording, waitForTimelineEvents } from './recordings.ts'
import { Timeline } from './timeline.ts'
import { snapshotTimeline } from './timeline-snapshot.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function pod(name: string, uid: string, o: { ready?: boolean; phase?: string; terminating?: boolean; rev?: string; restarts?: number } = {}): V1Pod {
  return {
    metadata: { name, uid, labels: o.rev ? { 'controller-revision-hash': o.rev } : {}, deletionTimestamp: o.terminating ? new Date(T0) : undefined },
    status: {
      phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  }
}

// A StatefulSet rolling update of web-0 and web-1, in the order given.
function rollout(order: ['web-0' | 'web-1', 'web-0' | 'web-1']): Timeline {
  const t = new Timeline(T0)
  t.sync([pod('web-0', 'a0', { ready: true, rev: 'r1' }), pod('web-1', 'a1', { ready: true, rev: 'r1' })], T0)
  let at = T0
  for (const name of order) {
    const old = name === 'web-0' ? 'a0' : 'a1'
    t.observe('MODIFIED', pod(name, old, { ready: false, phase: 'Running', terminating: true, rev: 'r1' }), (at += 1000))
    t.observe('DELETED', pod(name, old, { terminating: true, rev: 'r1' }), (at += 500))
    t.observe('ADDED', pod(name, `b${name.at(-1)}`, { rev: 'r2' }), (at += 100))
    t.observe('MODIFIED', pod(name, `b${name.at(-1)}`, { ready: true, rev: 'r2' }), (at += 2000))
  }
  return t
}

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
    expect(t.counts()).toMatchObject({ maxPods: 2, minReady: 1 })
  })

  test('overshoots: a new pod created before an old one is marked for deletion is one stretch, with its length', () => {
    const t = new Timeline(T0)
    t.sync([pod('a', 'a', { ready: true, rev: 'r1' }), pod('b', 'b', { ready: true, rev: 'r1' })], T0)
    t.observe('ADDED', pod('c', 'c', { rev: 'r2' }), T0 + 100) // 3 alive: the surge
    t.observe('ADDED', pod('d', 'd', { rev: 'r2' }), T0 + 200) // 4: over a limit of 3
    t.observe('MODIFIED', pod('a', 'a', { ready: true, terminating: true, rev: 'r1' }), T0 + 282) // back to 3
    t.observe('ADDED', pod('e', 'e', { rev: 'r2' }), T0 + 300) // 4 again, never back
    const found = t.overshoots(3)
    expect(found.map((o) => ({ from: o.from.pod, to: o.to?.pod, peak: o.peak, ms: o.ms })))
      .toEqual([{ from: 'd', to: 'a', peak: 4, ms: 82 }, { from: 'e', to: undefined, peak: 4, ms: 0 }])
    expect(t.overshoots(4)).toEqual([])
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
      await expect(seen).rejects.toThrow(/waiting for the pod watch to show p ready\nobserved pod events[\s\S]*p\s+created/)
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

describe('Timeline with gaps', () => {
  const expired = 'resourceVersion 812 expired (410 Gone): listed again'
  const gapMessage = /pod watch of ns \(app=web\) has a gap: 00:00:0\d\.\d{3}–00:00:\d\d\.\d{3}, resourceVersion 812 expired \(410 Gone\): listed again; events in it may be missing, so .* cannot be shown/

  // web-1 replaced, then the watch relists (web-0's old pod went and its new
  // one came in the gap), then web-0's new pod becomes Ready.
  function rolloutWithRelist(): Timeline {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([pod('web-0', 'a0', { ready: true, rev: 'r1' }), pod('web-1', 'a1', { ready: true, rev: 'r1' })], T0)
    t.observe('MODIFIED', pod('web-1', 'a1', { ready: false, phase: 'Running', terminating: true, rev: 'r1' }), T0 + 1000)
    t.observe('DELETED', pod('web-1', 'a1', { terminating: true, rev: 'r1' }), T0 + 1500)
    t.observe('ADDED', pod('web-1', 'b1', { rev: 'r2' }), T0 + 1600)
    t.observe('MODIFIED', pod('web-1', 'b1', { ready: true, rev: 'r2' }), T0 + 3600)
    t.relisting(expired)
    t.sync([pod('web-0', 'b0', { rev: 'r2' }), pod('web-1', 'b1', { ready: true, rev: 'r2' })], T0 + 9000)
    t.observe('MODIFIED', pod('web-0', 'b0', { ready: true, rev: 'r2' }), T0 + 9500)
    return t
  }

  test('a relist is a gap from the last event before it to the relist; pods gone by then are deleted there', () => {
    const t = rolloutWithRelist()
    expect(t.complete).toBe(false)
    expect(t.gaps).toEqual([{ from: T0 + 3600, to: T0 + 9000, reason: expired, seq: 10, final: false }])
    const afterGap = t.events.filter((e) => e.seq >= 10).map((e) => `${e.pod} ${e.kind} ${e.incarnation} +${e.at - T0}`)
    expect(afterGap).toEqual(['web-0 created new +9000', 'web-0 unready old +9000', 'web-0 deleted old +9000', 'web-0 running new +9500', 'web-0 ready new +9500'])
  })

  test('an order check that reads the gap throws IncompleteRecording, naming it', () => {
    const t = rolloutWithRelist()
    const order = () => t.orderOf([{ pod: 'web-1', kind: 'ready', incarnation: 'new' }, { pod: 'web-0', kind: 'terminating', incarnation: 'old' }])
    expect(order).toThrow(IncompleteRecording)
    expect(order).toThrow(gapMessage)
    expect(order).toThrow(/00:00:03\.600–00:00:09\.000, .*so the order of web-1 ready \(new\), web-0 terminating \(old\) cannot be shown$/)
    // Absent, or only after the gap: its first occurrence may have been in it.
    expect(() => t.find({ pod: 'web-0', kind: 'terminating' })).toThrow(gapMessage)
    expect(() => t.find({ pod: 'web-0', kind: 'ready', incarnation: 'new' })).toThrow(gapMessage)
    expect(() => t.kindsInOrder(['web-0', 'web-1'], ['created', 'ready'])).toThrow(gapMessage) // web-0's creation came after it
    expect(() => t.first('created', 'new')).not.toThrow() // web-1's, before the gap
  })

  test('checks of everything that happened ("nothing else", counts, waves, orders of all pods) throw on any gap', () => {
    const t = rolloutWithRelist()
    for (const check of [
      () => t.replacementOrder(),
      () => t.orderOfFirst('created'),
      () => t.counts(),
      () => t.overshoots(2),
      () => t.waves({ kind: 'terminating', incarnation: 'old' }, { kind: 'ready', incarnation: 'new' }),
      () => t.completeEvents(),
      () => orderedStartViolations(t, ['web-0', 'web-1']),
    ]) expect(check).toThrow(gapMessage)
  })

  test('an order check of events all seen before a gap that closed still holds', () => {
    const t = rolloutWithRelist()
    expect(t.orderOf([{ pod: 'web-1', kind: 'terminating', incarnation: 'old' }, { pod: 'web-1', kind: 'ready', incarnation: 'new' }]))
      .toEqual(['web-1 terminating (old)', 'web-1 ready (new)'])
    expect(t.find({ pod: 'web-1', kind: 'deleted' })?.at).toBe(T0 + 1500)
    const created = t.first('created', 'new')!
    expect(t.runningBefore(created).map((e) => e.pod)).toEqual(['web-0'])
  })

  test('...but not while the watch is still relisting', () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([pod('web-0', 'a0', { ready: true })], T0)
    t.observe('MODIFIED', pod('web-0', 'a0', { ready: true, terminating: true }), T0 + 1000)
    t.relisting(expired)
    expect(() => t.find({ pod: 'web-0', kind: 'terminating' })).toThrow(/00:00:01\.000–relisting, resourceVersion 812 expired/)
  })

  test('a watch that ended is a gap that never closes: every check throws, even on events before it', () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([pod('web-0', 'a0', { ready: true })], T0)
    t.observe('MODIFIED', pod('web-0', 'a0', { ready: true, terminating: true }), T0 + 1000)
    t.ended('the watch ended: watch /api/v1/namespaces/ns/pods: failed 6 times in a row: connect ECONNREFUSED')
    t.sync([], T0 + 5000) // nothing can close it
    expect(t.gaps).toMatchObject([{ from: T0 + 1000, final: true }])
    expect(t.gaps[0]!.to).toBeUndefined()
    expect(() => t.find({ pod: 'web-0', kind: 'terminating' }))
      .toThrow('pod watch of ns (app=web) has a gap: 00:00:01.000–never resumed, the watch ended: watch /api/v1/namespaces/ns/pods: failed 6 times in a row: connect ECONNREFUSED; events in it may be missing, so the first web-0 terminating cannot be shown')
  })

  test('a second list nobody announced as a relist is a gap too', () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([pod('web-0', 'a0', { ready: true })], T0)
    t.sync([pod('web-0', 'a0', { ready: true })], T0 + 2000)
    expect(t.gaps).toEqual([{ from: T0, to: T0 + 2000, reason: 'listed again', seq: 2, final: false }])
  })

  test('describe shows each gap where it opened, and says the recording is incomplete', () => {
    const text = rolloutWithRelist().describe()
    expect(text).toContain('observed pod events (t=0 at 2026-01-01T00:00:00.000Z, INCOMPLETE: 1 gap):')
    const lines = text.split('\n')
    const gapLine = lines.findIndex((l) => l.includes('gap: 00:00:03.600–00:00:09.000, resourceVersion 812 expired (410 Gone): listed again; events in it may be missing'))
    expect(lines[gapLine - 1]).toMatch(/\+\s+3\.600s\s+web-1\s+ready\s+new/)
    expect(lines[gapLine + 1]).toMatch(/\+\s+9\.000s\s+web-0\s+created\s+new/)
    const died = new Timeline(T0, 'ns (app=web)')
    died.ended('the watch ended: forbidden')
    expect(died.describe()).toMatch(/INCOMPLETE: 1 gap\):\n.*gap: 00:00:00\.000–never resumed, the watch ended: forbidden/)
  })

  test('the report snapshot carries the gaps and never throws', () => {
    const s = snapshotTimeline('pods', rolloutWithRelist(), [{ pod: 'web-0', kind: 'ready', incarnation: 'new' }], T0 + 10_000)
    expect(s.gaps).toEqual([{ from: T0 + 3600, to: T0 + 9000, reason: expired, seq: 10, final: false }])
    expect(s.marks).toEqual([{ label: 'web-0 ready (new)', seq: 14 }])
    expect(snapshotTimeline('pods', rollout(['web-1', 'web-0'])).gaps).toBeUndefined()
  })
})

describe('waitForRecording on a recording that breaks', () => {
  test('rejects at once when the watch ends, naming the gap (it does not sit out its timeout)', async () => {
    vi.useFakeTimers()
    try {
      const t = new Timeline(T0, 'ns (app=web)')
      t.sync([], T0)
      const seen = waitForTimelineEvents(t, [{ pod: 'web-0', kind: 'ready' }], 'rollout')
      t.ended('the watch ended: forbidden')
      await expect(seen).rejects.toThrow('pod watch of ns (app=web) has a gap: 00:00:00.000–never resumed, the watch ended: forbidden; events in it may be missing, so web-0 ready cannot be shown')
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  test('rejects at once on a recording whose watch had already ended, even if what it waits for was seen', async () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.observe('ADDED', pod('web-0', 'u', { ready: true }), T0 + 1)
    t.ended('the watch ended: forbidden')
    await expect(waitForTimelineEvents(t, [{ pod: 'web-0', kind: 'ready' }])).rejects.toThrow(IncompleteRecording)
  })

  test('waits through a relist and resolves on the event after it (the checks judge the gap)', async () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([], T0)
    const seen = waitForTimelineEvents(t, [{ pod: 'web-0', kind: 'ready' }])
    t.relisting('expired (410 Gone)')
    t.sync([pod('web-0', 'u')], T0 + 100)
    t.observe('MODIFIED', pod('web-0', 'u', { ready: true }), T0 + 200)
    await expect(seen).resolves.toBeUndefined()
  })

  test('a condition that reads the gap rejects with IncompleteRecording', async () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([], T0)
    const seen = waitForRecording(t, '1 new pod Ready', (x) => x.orderOfFirst('ready', 'new').length >= 1)
    t.relisting('expired (410 Gone)')
    await expect(seen).rejects.toThrow(/has a gap: 00:00:00\.000–relisting, expired \(410 Gone\)/)
  })
})
