// Lays an attached timeline out for a picture: one lane per pod name (in the
// order pods first appeared), each incarnation (uid) a segment along it, coloured by what the pod was doing
// (starting, Ready, not Ready, terminating). Times are ms since the first event.
import type { PodEvent } from '../observe/timeline.ts'
import type { AttachedTimeline } from '../observe/timeline-snapshot.ts'

export type Phase = 'starting' | 'ready' | 'unready' | 'terminating' | 'stopped'

export interface Segment {
  uid: string
  pod: string
  incarnation: 'old' | 'new'
  revision?: string
  from: number
  to: number
  // Existed before recording began (its start is not known), or still there at the end.
  openStart: boolean
  openEnd: boolean
  phases: { phase: Phase; from: number; to: number }[]
  events: PodEvent[]
}

export interface Lane {
  pod: string
  segments: Segment[]
}

export interface TimelineLayout {
  start: number // epoch ms of t=0
  span: number // ms from t=0 to the last event or the end of recording (at least 1)
  lanes: Lane[]
  // The ordered marks that were observed, with their events.
  marks: { n: number; label: string; event?: PodEvent }[]
}

const phaseAfter: Partial<Record<PodEvent['kind'], Phase>> = {
  present: 'starting', created: 'starting', ready: 'ready', unready: 'unready', terminating: 'terminating',
}

function segmentOf(events: PodEvent[], start: number, end: number): Segment {
  const first = events[0]!
  const last = events.at(-1)!
  const phases: Segment['phases'] = []
  let phase = 'starting' as Phase
  let since = first.at - start
  const enter = (next: Phase, at: number) => {
    if (next === phase) return
    if (at > since) phases.push({ phase, from: since, to: at })
    phase = next
    since = at
  }
  for (const e of events) {
    const t = e.at - start
    if (e.kind === 'stopped' && phase !== 'terminating') enter('stopped', t)
    const next = phaseAfter[e.kind]
    // A terminating pod stays terminating whatever its readiness does meanwhile.
    if (next && !(phase === 'terminating' && next !== 'terminating')) enter(next, t)
  }
  const deleted = last.kind === 'deleted'
  const to = deleted ? last.at - start : end - start
  phases.push({ phase, from: since, to })
  return {
    uid: first.uid, pod: first.pod, incarnation: first.incarnation, revision: events.find((e) => e.revision)?.revision,
    from: first.at - start, to, openStart: first.kind === 'present', openEnd: !deleted,
    phases,
    events,
  }
}

export function layoutTimeline(t: AttachedTimeline): TimelineLayout {
  const events = [...t.events].sort((a, b) => a.seq - b.seq)
  const start = events.length ? Math.min(...events.map((e) => e.at)) : 0
  const end = events.length ? Math.max(...events.map((e) => e.at), t.endedAt ?? 0) : 0
  const byUid = new Map<string, PodEvent[]>()
  for (const e of events) {
    const list = byUid.get(e.uid)
    if (list) list.push(e)
    else byUid.set(e.uid, [e])
  }
  const lanes: Lane[] = []
  for (const list of byUid.values()) {
    const seg = segmentOf(list, start, end)
    // Same name, not overlapping (a StatefulSet's ordinal): same lane; otherwise a lane of its own.
    const lane = lanes.find((l) => l.pod === seg.pod && l.segments.at(-1)!.to <= seg.from)
    if (lane) lane.segments.push(seg)
    else lanes.push({ pod: seg.pod, segments: [seg] })
  }
  const bySeq = new Map(events.map((e) => [e.seq, e]))
  return {
    start,
    span: Math.max(end - start, 1),
    lanes,
    marks: (t.marks ?? []).map((m, i) => ({ n: i + 1, label: m.label, event: m.seq === null ? undefined : bySeq.get(m.seq) })),
  }
}

// "+1.234s": time since t=0, as the picture's axis counts it.
export const since = (ms: number) => `+${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`

// Whether the observed marks came in the expected order (all observed, seq increasing).
export function marksInOrder(layout: TimelineLayout): boolean {
  const seqs = layout.marks.map((m) => m.event?.seq)
  return seqs.every((s, i) => s !== undefined && (i === 0 || s > seqs[i - 1]!))
}
