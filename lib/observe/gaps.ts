// Where a recording may have missed events. A watch that relisted (its
// resourceVersion expired, 410 Gone) may have skipped any change between its
// last event and the relist; a watch that ended in an error sees nothing more.
// Each recording keeps these gaps so that a check reading it can refuse to
// pass on what it did not see: it throws IncompleteRecording, whose message
// describeGap() builds, naming the gap (what, when, why). But a check reads
// what it did see first: the events before the first gap are a complete,
// ordered prefix of what happened, and every state seen outside a gap was the
// cluster's state then, so a violation seen there fails the claim whatever the
// gap hid; only when none is seen does the gap leave the check undecided.
import type { Kube } from '../k8s/kube.ts'

export interface Gap {
  // The last event seen before the gap, or the start of the recording (ms since epoch).
  from: number
  // When the recording resumed (the relist); undefined while relisting, or for ever.
  to?: number
  reason: string
  // The recording's events numbered below this were seen before the gap.
  seq: number
  // From this event number on the recording is whole again; those from `seq` up to it came
  // with the relist (each pod's changes in the gap at once: their times and order unknown).
  resumed?: number
  // The watch ended for good: this gap never closes.
  final: boolean
}

// What names a recording in a message: "pod watch" of "ns (app=web)".
export interface RecordingName {
  readonly source: string
  readonly subject: string
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23)

export function describeGapSpan(gap: Gap): string {
  const end = gap.to !== undefined ? clock(gap.to) : gap.final ? 'never resumed' : 'relisting'
  return `${clock(gap.from)}–${end}, ${gap.reason}`
}

// The one message for a check that cannot be made on a recording with a gap.
export function describeGap(recording: RecordingName, gap: Gap, what: string): string {
  return `${recording.source} of ${recording.subject} has a gap: ${describeGapSpan(gap)}; events in it may be missing, so ${what} cannot be shown`
}

export class IncompleteRecording extends Error {
  readonly recording: RecordingName
  readonly gap: Gap
  readonly what: string

  constructor(recording: RecordingName, gap: Gap, what: string) {
    super(describeGap(recording, gap, what))
    this.name = 'IncompleteRecording'
    this.recording = recording
    this.gap = gap
    this.what = what
  }
}

// The gaps of one recording, in the order they opened.
export class RecordingGaps {
  readonly list: Gap[] = []

  // The watch is listing again; `from` is the time of the last event seen, `seq` the next event's number.
  open(from: number, reason: string, seq: number): void {
    const current = this.current()
    if (current) current.reason += `; then ${reason}`
    else this.list.push({ from, reason, seq, final: false })
  }

  // The relist arrived: the recording is whole again from `at` on, and from event number
  // `resumed`. A relist nobody announced is a gap of its own, from `from` (`seq`) to `at`.
  close(at: number, from: number, seq: number, resumed = seq): void {
    const current = this.current()
    if (!current) this.list.push({ from, to: at, reason: 'listed again', seq, resumed, final: false })
    else if (!current.final) Object.assign(current, { to: at, resumed })
  }

  // The watch ended for good: a gap that never closes (the open one, if it was relisting).
  end(from: number, reason: string, seq: number): void {
    const current = this.current()
    if (current) {
      current.reason += `; then ${reason}`
      current.final = true
    } else this.list.push({ from, reason, seq, final: true })
  }

  // The gap that stops a check reading events numbered up to `through`
  // (Infinity: the whole recording, including that nothing else happened).
  // Events seen before a gap that closed are a complete, ordered prefix of what
  // happened, so a check that reads only them is still sound; a gap still open,
  // or one that began at or before the last event the check reads, is not.
  blocking(through = Number.POSITIVE_INFINITY): Gap | undefined {
    return this.list.find((g) => g.to === undefined || g.seq <= through)
  }

  // The gap the event numbered `seq` fell in: it came with a relist, or after a gap that never closed.
  around(seq: number): Gap | undefined {
    return this.list.find((g) => seq >= g.seq && (g.to === undefined || g.resumed === undefined || seq < g.resumed))
  }

  private current(): Gap | undefined {
    const last = this.list.at(-1)
    return last && last.to === undefined ? last : undefined
  }
}

// What every watch recording (pod timeline, ReplicaSet log) shares: its gaps,
// and the listeners a wait subscribes with. `position` says where a gap
// would begin now: the time of the last thing seen, and the next event's number.
export abstract class WatchRecording {
  protected readonly gapLog = new RecordingGaps()
  // What the recording watches, once its recorder started it: a wait on it watches that namespace for a component that does not act.
  watching?: { kube: Kube; namespace: string; kind: string; labelSelector?: string }
  private readonly listeners = new Set<() => void>()

  protected abstract position(): { lastSeenAt: number; next: number }

  // Where the watch may have missed changes, in order; none when complete.
  get gaps(): readonly Gap[] {
    return this.gapLog.list
  }

  get complete(): boolean {
    return this.gapLog.list.length === 0
  }

  // The gap the event numbered `seq` fell in (see RecordingGaps.around); none for an event seen as it happened.
  gapAround(seq: number): Gap | undefined {
    return this.gapLog.around(seq)
  }

  // The watch must list again (410 Gone): changes from the last one seen until
  // the relist (the next sync) may never be seen.
  relisting(reason: string): void {
    const p = this.position()
    this.gapLog.open(p.lastSeenAt, reason, p.next)
    this.notify()
  }

  // The watch ended for good: nothing after the last change seen is.
  ended(reason: string): void {
    const p = this.position()
    this.gapLog.end(p.lastSeenAt, reason, p.next)
    this.notify()
  }

  // Calls fn after every change; returns a function that stops that.
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  protected notify(): void {
    for (const fn of this.listeners) fn()
  }
}

