import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { Timeline } from '../observe/timeline.ts'
import { attachTimeline } from '../harness/claim-entry.ts'
import { snapshotTimeline } from '../observe/timeline-snapshot.ts'
import { layoutTimeline, marksInOrder } from './timeline-layout.ts'
import { describeMarks, timelineSvg, timelineText } from './timeline-svg.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function pod(name: string, uid: string, o: { ready?: boolean; terminating?: boolean; rev?: string; restarts?: number } = {}): V1Pod {
  return {
    metadata: { name, uid, labels: o.rev ? { 'controller-revision-hash': o.rev } : {}, deletionTimestamp: o.terminating ? new Date(T0) : undefined },
    status: {
      phase: o.ready ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  }
}

// web-1 replaced first, then web-0: each terminates, goes, comes back and gets Ready.
function rollout(order: string[]): Timeline {
  const t = new Timeline(T0)
  t.sync([pod('web-0', 'old-0-uid-0000', { ready: true, rev: 'web-r1' }), pod('web-1', 'old-1-uid-0000', { ready: true, rev: 'web-r1' })], T0)
  let at = T0
  for (const name of order) {
    const i = name.at(-1)
    t.observe('MODIFIED', pod(name, `old-${i}-uid-0000`, { terminating: true, rev: 'web-r1' }), (at += 1000))
    t.observe('DELETED', pod(name, `old-${i}-uid-0000`, { terminating: true, rev: 'web-r1' }), (at += 500))
    t.observe('ADDED', pod(name, `new-${i}-uid-0000`, { rev: 'web-r2' }), (at += 100))
    t.observe('MODIFIED', pod(name, `new-${i}-uid-0000`, { ready: true, rev: 'web-r2' }), (at += 2000))
  }
  return t
}

const expected = [
  { pod: 'web-1', kind: 'terminating', incarnation: 'old' },
  { pod: 'web-1', kind: 'ready', incarnation: 'new' },
  { pod: 'web-0', kind: 'terminating', incarnation: 'old' },
] as const

describe('attached timelines', () => {
  test('the snapshot keeps every event with a short uid, and the seq of each expected event', () => {
    const t = rollout(['web-1', 'web-0'])
    const s = snapshotTimeline('pods app=web', t, [...expected, { pod: 'web-2', kind: 'created' }], T0 + 9000)
    expect(s.events).toHaveLength(t.events.length)
    expect(s.events[0]).toMatchObject({ pod: 'web-0', kind: 'present', uid: 'old-0-ui', incarnation: 'old' })
    expect(s.marks).toEqual([
      { label: 'web-1 terminating (old)', seq: t.find(expected[0])!.seq },
      { label: 'web-1 ready (new)', seq: t.find(expected[1])!.seq },
      { label: 'web-0 terminating (old)', seq: t.find(expected[2])!.seq },
      { label: 'web-2 created', seq: null },
    ])
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })

  test('attachTimeline stores the snapshot on the task and takes it again when the test finishes', () => {
    const t = rollout([])
    let finished: (() => void) | undefined
    const task = { meta: {}, context: { onTestFinished: (fn: () => void) => { finished = fn } } }
    attachTimeline(task as never, 'pods', t)
    expect((task.meta as { timelines: unknown[] }).timelines).toEqual([expect.objectContaining({ title: 'pods', events: expect.any(Array) })])
    const before = (task.meta as { timelines: { events: unknown[] }[] }).timelines[0]!.events.length
    t.observe('MODIFIED', pod('web-0', 'old-0-uid-0000', { terminating: true }), T0 + 5000)
    finished!()
    expect((task.meta as { timelines: { events: unknown[] }[] }).timelines[0]!.events.length).toBe(before + 2) // unready, terminating
  })
})

describe('timeline layout', () => {
  test('one lane per pod name, the old and the new incarnation one after the other on it', () => {
    const l = layoutTimeline(snapshotTimeline('pods', rollout(['web-1', 'web-0']), [...expected], T0 + 8000))
    expect(l.lanes.map((ln) => [ln.pod, ln.segments.map((s) => s.incarnation)])).toEqual([['web-0', ['old', 'new']], ['web-1', ['old', 'new']]])
    const [old1, new1] = l.lanes[1]!.segments
    expect(old1!.phases.map((p) => [p.phase, p.from, p.to])).toEqual([['ready', 0, 1000], ['terminating', 1000, 1500]])
    expect(old1).toMatchObject({ openStart: true, openEnd: false, revision: 'web-r1' })
    expect(new1!.phases.map((p) => [p.phase, p.from, p.to])).toEqual([['starting', 1600, 3600], ['ready', 3600, 8000]])
    expect(new1).toMatchObject({ openStart: false, openEnd: true })
    expect(l.span).toBe(8000)
    expect(marksInOrder(l)).toBe(true)
  })

  test('marks out of the expected order, or never observed, are not "in order"', () => {
    expect(marksInOrder(layoutTimeline(snapshotTimeline('pods', rollout(['web-0', 'web-1']), [...expected])))).toBe(false)
    expect(marksInOrder(layoutTimeline(snapshotTimeline('pods', rollout(['web-1']), [...expected])))).toBe(false)
  })

  test('a pod whose name comes back while the old one still exists gets a lane of its own', () => {
    const t = new Timeline(T0)
    t.observe('ADDED', pod('p', 'u1'), T0)
    t.observe('ADDED', pod('p', 'u2'), T0 + 10)
    expect(layoutTimeline(snapshotTimeline('x', t)).lanes.map((ln) => ln.pod)).toEqual(['p', 'p'])
  })
})

describe('timeline pictures', () => {
  const snap = snapshotTimeline('pods app=web <rollout>', rollout(['web-1', 'web-0']), [...expected], T0 + 8000)

  test('the SVG has a lane label per pod, a numbered badge per expected event, and escapes text', () => {
    const svg = timelineSvg(snap, 'tl')
    expect(svg.startsWith('<svg class="timeline"')).toBe(true)
    expect(svg.match(/class="pod"[^>]*>web-\d</g)).toHaveLength(2)
    expect([...svg.matchAll(/<g class="badge">.*?<text[^>]*>(\d)<\/text>/g)].map((m) => m[1]).sort()).toEqual(['1', '2', '3'])
    expect(svg).toContain('&lt;rollout&gt;')
    expect(svg).not.toContain('<rollout>')
    expect(svg).toContain('old · rev r1')
  })

  test('the text picture draws web-1 changing before web-0, with the marks numbered in place', () => {
    const lines = timelineText(snap, 40).split('\n')
    expect(lines[0]).toMatch(/^web-0 \|/)
    expect(lines[1]).toMatch(/^web-1 \|/)
    const col = (line: string, ch: string) => line.indexOf(ch)
    expect(col(lines[1]!, '1')).toBeLessThan(col(lines[0]!, '3'))
    expect(col(lines[1]!, '2')).toBeLessThan(col(lines[0]!, '3'))
    expect(describeMarks(snap)).toBe('1. web-1 terminating (old) +1.00s → 2. web-1 ready (new) +3.60s → 3. web-0 terminating (old) +4.60s')
  })
})
