import { describe, expect, test, vi } from 'vitest'
import { IncompleteRecording } from './gaps.ts'
import { orderedStartViolations } from './ordered-start.ts'
import { fewestReady, overshoots, podCounts } from './pod-counts.ts'
import { waitForRecording, waitForTimelineEvents } from './recordings.ts'
import { replacedInTurn, Timeline } from './timeline.ts'
import { pod, replace, rollout, T0, twoReady } from './timeline.fixtures.ts'
import { snapshotTimeline } from './timeline-snapshot.ts'

const expired = 'resourceVersion 812 expired (410 Gone): listed again'

describe('Timeline with gaps', () => {
  const gapMessage = /pod watch of ns \(app=web\) has a gap: 00:00:0\d\.\d{3}–00:00:\d\d\.\d{3}, resourceVersion 812 expired \(410 Gone\): listed again; events in it may be missing, so .* cannot be shown/

  // web-1 replaced, then the watch relists (web-0's old pod went and its new
  // one came in the gap), then web-0's new pod becomes Ready.
  function rolloutWithRelist(): Timeline {
    const t = twoReady('ns (app=web)')
    replace(t, 'web-1', T0) // terminating +1000, deleted +1500, new pod +1600, Ready +3600
    t.relisting(expired)
    t.sync([pod('web-0', 'b0', { rev: 'r2' }), pod('web-1', 'b1', { ready: true, rev: 'r2' })], T0 + 9000)
    t.observe('MODIFIED', pod('web-0', 'b0', { ready: true, rev: 'r2' }), T0 + 9500)
    return t
  }

  test('a relist is a gap from the last event before it to the relist; pods gone by then are deleted there', () => {
    const t = rolloutWithRelist()
    expect(t.complete).toBe(false)
    expect(t.gaps).toEqual([{ from: T0 + 3600, to: T0 + 9000, reason: expired, seq: 10, resumed: 13, final: false }])
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
    expect(() => t.first('created', 'new')).not.toThrow() // web-1's, before the gap
  })

  test('checks of everything that happened ("nothing else", counts, waves, orders of all pods) throw on any gap', () => {
    const t = rolloutWithRelist()
    for (const check of [
      () => t.replacementOrder(),
      () => t.replacementOrder(['web-1', 'web-0']), // web-1 went first, as the claim says: the rest is in the gap
      () => t.orderOfFirst('created'),
      () => podCounts(t),
      () => overshoots(t, 2),
      () => fewestReady(t, 1), // never fewer than 1 Ready where seen: fewer may have been in the gap
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
    expect(t.gaps).toEqual([{ from: T0, to: T0 + 2000, reason: 'listed again', seq: 2, resumed: 2, final: false }])
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
    expect(s.gaps).toEqual([{ from: T0 + 3600, to: T0 + 9000, reason: expired, seq: 10, resumed: 13, final: false }])
    expect(s.marks).toEqual([{ label: 'web-0 ready (new)', seq: 14 }])
    expect(snapshotTimeline('pods', rollout(['web-1', 'web-0'])).gaps).toBeUndefined()
  })
})

describe('a violation seen outside a gap fails the claim whatever the gap hid', () => {
  // web-0 replaced first (the wrong order for a StatefulSet), then a relist that hides web-1's replacement.
  function wrongOrderThenGap(): Timeline {
    const t = twoReady('ns (app=web)')
    replace(t, 'web-0', T0, { ready: false }) // terminating +1000, deleted +1500, new pod +1600, not yet Ready
    t.relisting(expired)
    t.sync([pod('web-0', 'b0', { ready: true, rev: 'r2' }), pod('web-1', 'b1', { ready: true, rev: 'r2' })], T0 + 9000)
    return t
  }
  const claimed = replacedInTurn('web-1', 'web-0')

  test('an order seen broken before the gap is the answer, each event not seen before it marked so', () => {
    const t = wrongOrderThenGap()
    expect(t.orderOf([...claimed])).toEqual([
      'web-0 terminating (old)',
      'web-1 terminating (old): not seen before the gap (00:00:01.600–00:00:09.000, resourceVersion 812 expired (410 Gone): listed again)',
      'web-1 ready (new): not seen before the gap (00:00:01.600–00:00:09.000, resourceVersion 812 expired (410 Gone): listed again)',
      'web-0 ready (new): not seen before the gap (00:00:01.600–00:00:09.000, resourceVersion 812 expired (410 Gone): listed again)',
    ])
    expect(t.replacementOrder(['web-1', 'web-0'])).toEqual(['web-0', '(then a gap: 00:00:01.600–00:00:09.000, resourceVersion 812 expired (410 Gone): listed again)'])
    // The same recording judged against a claim it does not contradict: the gap decides nothing.
    expect(() => t.replacementOrder(['web-0', 'web-1'])).toThrow(IncompleteRecording)
    expect(() => t.orderOf([claimed[2]!, claimed[0]!])).toThrow(IncompleteRecording)
  })

  test('an order of groups: only an event before one of an earlier group breaks it, not the order within a group', () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([], T0)
    t.observe('ADDED', pod('web-1', 'b1'), T0 + 100)
    t.observe('ADDED', pod('web-0', 'b0'), T0 + 200)
    t.relisting(expired)
    t.sync([pod('web-0', 'b0', { ready: true }), pod('web-1', 'b1', { ready: true })], T0 + 9000)
    expect(() => t.kindsInOrder(['web-0', 'web-1'], ['created', 'ready'])).toThrow(IncompleteRecording)
    const early = new Timeline(T0, 'ns (app=web)')
    early.sync([], T0)
    early.observe('ADDED', pod('web-0', 'b0'), T0 + 100)
    early.observe('MODIFIED', pod('web-0', 'b0', { ready: true }), T0 + 200) // Ready before web-1 was created
    early.relisting(expired)
    early.sync([pod('web-0', 'b0', { ready: true }), pod('web-1', 'b1', { ready: true })], T0 + 9000)
    expect(early.kindsInOrder(['web-0', 'web-1'], ['created', 'ready'])).toEqual([
      'created', 'ready', expect.stringMatching(/^unknown: web-1 created: not seen before the gap/), expect.stringMatching(/^unknown: web-1 ready: not seen/),
    ])
  })

  test('too few Ready pods seen before or after a gap break the floor; a count halfway through a relist does not count', () => {
    const t = wrongOrderThenGap()
    // While web-0 was replaced only web-1 was Ready: 1. Floor 2: broken where it was seen.
    expect(fewestReady(t, 2)).toMatchObject({ minReady: 1, after: { pod: 'web-0', kind: 'unready' } })
    expect(() => fewestReady(t, 1)).toThrow(IncompleteRecording)
    // The relist delivers web-1's new pod (not yet Ready) before the old one's deletion: 3 pods, 1 Ready, for no real instant.
    const relist = new Timeline(T0, 'ns (app=web)')
    relist.sync([pod('web-0', 'a0', { ready: true }), pod('web-1', 'a1', { ready: true })], T0)
    relist.relisting(expired)
    relist.sync([pod('web-0', 'a0', { ready: true }), pod('web-1', 'b1', { ready: true }), pod('web-2', 'c2', { ready: true })], T0 + 9000)
    expect(() => fewestReady(relist, 2)).toThrow(IncompleteRecording)
  })

  test('a gap is bridged when enough pods were Ready through it: the same pods listed again, Ready, their Ready condition unchanged since before it', () => {
    // Three pods Ready since T0 - 60 s; the API server restarts (a relist) while nothing moves.
    const since = new Date(T0 - 60_000)
    const readyPod = (name: string, uid: string, at = since) => {
      const p = pod(name, uid, { ready: true })
      p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: at }]
      return p
    }
    const three = () => [readyPod('web-0', 'a0'), readyPod('web-1', 'a1'), readyPod('web-2', 'a2')]
    // After the gap a fourth pod is made (3 Ready of 4): a count seen outside it.
    const fourth = (t: Timeline) => t.observe('ADDED', pod('web-3', 'a3'), T0 + 10_000)
    const still = new Timeline(T0, 'ns (app=web)')
    still.sync(three(), T0)
    still.relisting(expired)
    still.sync(three(), T0 + 9000)
    fourth(still)
    expect(still.readyThroughout(still.gaps[0]!)).toEqual(['web-0', 'web-1', 'web-2'])
    expect(fewestReady(still, 2)).toMatchObject({ minReady: 3 })
    // web-1 went not Ready and back in the gap: its Ready condition changed in it. Two Ready throughout still bridge a floor of 2, not of 3.
    const flip = new Timeline(T0, 'ns (app=web)')
    flip.sync(three(), T0)
    flip.relisting(expired)
    flip.sync([readyPod('web-0', 'a0'), readyPod('web-1', 'a1', new Date(T0 + 5000)), readyPod('web-2', 'a2')], T0 + 9000)
    fourth(flip)
    expect(flip.readyThroughout(flip.gaps[0]!)).toEqual(['web-0', 'web-2'])
    expect(fewestReady(flip, 2)).toMatchObject({ minReady: 3 })
    expect(() => fewestReady(flip, 3)).toThrow(IncompleteRecording)
    // A pod replaced in the gap (another uid), or one whose Ready time the API did not give, was not Ready throughout.
    const replaced = new Timeline(T0, 'ns (app=web)')
    replaced.sync(three(), T0)
    replaced.relisting(expired)
    replaced.sync([readyPod('web-0', 'b0'), pod('web-1', 'a1', { ready: true }), readyPod('web-2', 'a2')], T0 + 9000)
    fourth(replaced)
    expect(replaced.readyThroughout(replaced.gaps[0]!)).toEqual(['web-2'])
    expect(() => fewestReady(replaced, 2)).toThrow(IncompleteRecording)
    // A gap still open bridges nothing.
    const open = new Timeline(T0, 'ns (app=web)')
    open.sync(three(), T0)
    open.relisting(expired)
    fourth(open)
    expect(open.readyThroughout(open.gaps[0]!)).toEqual([])
    expect(() => fewestReady(open, 1)).toThrow(IncompleteRecording)
  })

  test('a pod created early, seen before or after the gap, breaks OrderedReady; one created in the gap is not judged', () => {
    const t = new Timeline(T0, 'ns (app=web)')
    t.sync([], T0)
    t.observe('ADDED', pod('web-0', 'u0'), T0 + 100)
    t.observe('ADDED', pod('web-1', 'u1'), T0 + 200) // web-0 not even Running
    t.relisting(expired)
    t.sync([pod('web-0', 'u0', { ready: true }), pod('web-1', 'u1', { ready: true }), pod('web-2', 'u2')], T0 + 9000)
    expect(orderedStartViolations(t, ['web-0', 'web-1', 'web-2'])).toEqual(['web-1 was created (event #1) while web-0 was not Running and not Ready'])
    const inGap = new Timeline(T0, 'ns (app=web)')
    inGap.sync([], T0)
    inGap.observe('ADDED', pod('web-0', 'u0'), T0 + 100)
    inGap.relisting(expired)
    inGap.sync([pod('web-0', 'u0', { ready: true }), pod('web-1', 'u1')], T0 + 9000)
    expect(() => orderedStartViolations(inGap, ['web-0', 'web-1'])).toThrow(IncompleteRecording)
    inGap.observe('ADDED', pod('web-2', 'u2'), T0 + 9500) // seen as it happened: web-1 was not Ready then
    expect(orderedStartViolations(inGap, ['web-0', 'web-1', 'web-2'])).toEqual([expect.stringMatching(/^web-2 was created \(event #\d+\) while web-1 was not Running and not Ready$/)])
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
