// A pod-event timeline as a test's report carries it (task.meta.timelines):
// a small serialisable copy of its events, drawn as a picture in
// reports/index.html so a reader sees "1 before 0" instead of reading it.
import type { BudgetSeries, DisruptionNotes, DisruptionWindow } from './disruption-notes.ts'
import type { Gap } from './gaps.ts'
import { type EventRef, findEvent, type PodEvent, refLabel, type Timeline } from './timeline.ts'

export interface AttachedTimeline {
  title: string
  events: PodEvent[]
  // When the copy was taken (ms since epoch): the picture runs until then.
  endedAt?: number
  // The events the claim is about, in the order it expects them: the seq of
  // each as observed, or null when it was never observed.
  marks?: { label: string; seq: number | null }[]
  // Events left out to keep the report small (the first ones are kept).
  omitted?: number
  // Where the watch may have missed events (see gaps.ts); absent when complete.
  gaps?: Gap[]
  // A DR claim's disruptions (start and end) and its budget's allowed disruptions (disruption-notes.ts).
  windows?: DisruptionWindow[]
  budgets?: BudgetSeries[]
}

// Far more than any scenario produces; a runaway watch must not bloat claims.json.
const maxEvents = 400

// A picture, not a check: it shows what was seen, gaps included, and never throws.
export function snapshotTimeline(title: string, timeline: Pick<Timeline, 'events'> & Partial<Pick<Timeline, 'gaps'>>, expected: EventRef[] = [], now = Date.now(), notes?: DisruptionNotes): AttachedTimeline {
  const events = timeline.events.slice(0, maxEvents).map((e) => ({ ...e, uid: e.uid.slice(0, 8) }))
  return {
    title,
    events,
    endedAt: now,
    ...(expected.length ? { marks: expected.map((r) => ({ label: refLabel(r), seq: findEvent(timeline.events, r)?.seq ?? null })) } : {}),
    ...(timeline.events.length > maxEvents ? { omitted: timeline.events.length - maxEvents } : {}),
    ...(timeline.gaps?.length ? { gaps: timeline.gaps.map((g) => ({ ...g })) } : {}),
    ...(notes?.windows.length ? { windows: notes.windows.map((w) => ({ ...w })) } : {}),
    ...(notes?.budgets.length ? { budgets: notes.budgets.map((b) => ({ name: b.name, points: b.points.slice(0, maxEvents) })) } : {}),
  }
}
