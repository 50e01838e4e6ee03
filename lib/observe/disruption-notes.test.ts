import type { V1Pod } from '@kubernetes/client-node'
import { expect, test } from 'vitest'
import { timelineSvg, timelineText } from '../report/timeline-svg.ts'
import { DisruptionNotes } from './disruption-notes.ts'
import { Timeline } from './timeline.ts'
import { snapshotTimeline } from './timeline-snapshot.ts'

const T0 = Date.parse('2026-12-06T00:00:00Z')
const ready = (name: string, uid: string, isReady = true): V1Pod => ({
  metadata: { name, uid },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] },
})

// A drain of one keeper: keeper-0 evicted and back, the budget allowing 1, then 0, then 1 again.
function drained(): { timeline: Timeline; notes: DisruptionNotes } {
  const timeline = new Timeline(T0)
  timeline.sync([ready('keeper-0', 'k0-old-uid'), ready('keeper-1', 'k1-uid')], T0)
  const notes = new DisruptionNotes()
  notes.budgetSeen('keeper', 1, T0)
  notes.windows.push({ label: 'drain of node-a', from: T0 + 1000, to: T0 + 3000 })
  timeline.observe('MODIFIED', { ...ready('keeper-0', 'k0-old-uid', false), metadata: { name: 'keeper-0', uid: 'k0-old-uid', deletionTimestamp: new Date(T0 + 1500) } }, T0 + 1500)
  notes.budgetSeen('keeper', 0, T0 + 1600)
  timeline.observe('DELETED', ready('keeper-0', 'k0-old-uid', false), T0 + 2000)
  timeline.observe('ADDED', ready('keeper-0', 'k0-new-uid', false), T0 + 2100)
  timeline.observe('MODIFIED', ready('keeper-0', 'k0-new-uid'), T0 + 6000)
  notes.budgetSeen('keeper', 1, T0 + 6100)
  return { timeline, notes }
}

test('during opens a window now and closes it when the disruption settles, failed or not', async () => {
  const notes = new DisruptionNotes()
  let now = 1000
  const clock = () => now
  await notes.during('node-a stopped', async () => { now = 4000 }, clock)
  await expect(notes.during('zone-b stopped', async () => { now = 9000; throw new Error('the command exited 1') }, clock)).rejects.toThrow('exited 1')
  expect(notes.windows).toEqual([{ label: 'node-a stopped', from: 1000, to: 4000 }, { label: 'zone-b stopped', from: 4000, to: 9000 }])
})

test('a budget keeps only the changes of its allowed disruptions, and a gone budget as unknown', () => {
  const notes = new DisruptionNotes()
  for (const [allowed, at] of [[1, 0], [1, 5], [0, 10], [0, 11], [null, 20]] as const) notes.budgetSeen('keeper', allowed, at)
  expect(notes.budgets).toEqual([{ name: 'keeper', points: [{ at: 0, allowed: 1 }, { at: 10, allowed: 0 }, { at: 20, allowed: null }] }])
})

test('the snapshot carries the windows and budgets, and the pictures draw them: a band per disruption, a lane per budget', () => {
  const { timeline, notes } = drained()
  notes.windows.push({ label: 'uncordon node-a', from: T0 + 5000 })
  const s = snapshotTimeline('pods app=keeper', timeline, [], T0 + 8000, notes)
  expect(s.windows).toEqual([{ label: 'drain of node-a', from: T0 + 1000, to: T0 + 3000 }, { label: 'uncordon node-a', from: T0 + 5000 }])
  expect(s.budgets?.[0]?.points.map((p) => p.allowed)).toEqual([1, 0, 1])
  expect(JSON.parse(JSON.stringify(s))).toEqual(s)

  const svg = timelineSvg(s)
  expect(svg).toContain('1. drain of node-a +1.00s → +3.00s')
  expect(svg).toContain('2. uncordon node-a +5.00s → still going when recording ended')
  expect(svg).toContain('>disruptions: 1. drain of node-a +1.00s → +3.00s; 2. uncordon node-a +5.00s → still going when recording ended</text>')
  expect(svg).toContain('>budget keeper</text>')
  expect(svg).toContain('PodDisruptionBudget keeper: disruptions allowed 0 +1.60s → +6.10s')
  expect(svg).toContain('▭ disruption')

  const text = timelineText(s, 80).split('\n')
  const budgetRow = text.find((l) => l.startsWith('budget keeper'))!
  expect(budgetRow).toMatch(/\|1+0+1+\|$/)
  const windowRow = text.find((l) => l.startsWith('disruption'))!
  expect(windowRow).toMatch(/\| +=+ +=+\|$/)
})

test('a timeline without notes is drawn as before: no band, no budget lane', () => {
  const { timeline } = drained()
  const s = snapshotTimeline('pods app=keeper', timeline, [], T0 + 8000)
  expect(s.windows).toBeUndefined()
  expect(s.budgets).toBeUndefined()
  expect(timelineSvg(s)).not.toContain('class="window"')
  expect(timelineText(s)).not.toContain('budget')
})
