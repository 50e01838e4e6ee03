// A timeline of pod lifecycle events, derived from the watch: which pod was
// created, Running, Ready, restarted, terminating or deleted, and when. The
// order of events is the order the API server committed them (one watch
// stream), so "1 before 0" is proven from the events, not from a listing.
// Unless the watch left a gap (see gaps.ts): then every check below that the
// gap could change throws IncompleteRecording instead of answering. `events`
// itself is the raw evidence, for pictures and dumps, not for checks.
import type { V1Pod } from '@kubernetes/client-node'
import { describeGapSpan, type Gap, IncompleteRecording, WatchRecording } from './gaps.ts'
import { findEvent, refLabel, type EventRef, type PodEvent, type PodEventKind } from './pod-event.ts'

export { findEvent, refLabel, type EventRef, type PodEvent, type PodEventKind } from './pod-event.ts'

interface PodState {
  phase?: string
  ready: boolean
  terminating: boolean
  restarts: number
  deleted: boolean
  last: V1Pod
}

const revisionOf = (p: V1Pod) => p.metadata?.labels?.['controller-revision-hash'] ?? p.metadata?.labels?.['pod-template-hash']
const isStopped = (phase?: string) => phase === 'Succeeded' || phase === 'Failed'
const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
const restartsOf = (p: V1Pod) => (p.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0)

export class Timeline extends WatchRecording {
  readonly source = 'pod watch'
  readonly events: PodEvent[] = []
  private readonly states = new Map<string, PodState>()
  private readonly initial = new Set<string>()
  private readonly started: number
  private seq = 0
  // Events up to here describe the state when recording began, not changes.
  private syncedThrough = -1
  private synced = false
  // When the watch last delivered anything: where a gap would begin.
  private lastSeenAt: number

  // What is recorded, for messages, e.g. "ns (app=web)".
  readonly subject: string

  constructor(startedAt = Date.now(), subject = 'pods') {
    super()
    this.started = startedAt
    this.subject = subject
    this.lastSeenAt = startedAt
  }

  protected position() {
    return { lastSeenAt: this.lastSeenAt, next: this.seq }
  }

  // The first list: pods that exist when recording begins, whose events count
  // as 'old'. Every later one is a relist, which closes the gap before it.
  sync(pods: V1Pod[], at = Date.now()): void {
    if (this.synced) {
      this.relisted(pods, at)
      return
    }
    this.synced = true
    this.lastSeenAt = at
    for (const p of pods) {
      const uid = p.metadata?.uid ?? ''
      this.initial.add(uid)
      const s = { phase: p.status?.phase, ready: isReady(p), terminating: !!p.metadata?.deletionTimestamp, restarts: restartsOf(p), deleted: false, last: p }
      this.states.set(uid, s)
      this.push(p, 'present', at)
      if (s.ready) this.push(p, 'ready', at)
      if (s.terminating) this.push(p, 'terminating', at)
      if (isStopped(s.phase)) this.push(p, 'stopped', at)
    }
    this.syncedThrough = this.seq - 1
  }

  // A relist: each pod's changes since its last event arrive at once, a pod
  // that is gone was deleted in the gap, and the gap closes.
  private relisted(pods: V1Pod[], at: number): void {
    const [from, seq] = [this.lastSeenAt, this.seq]
    const listed = new Set(pods.map((p) => p.metadata?.uid ?? ''))
    for (const p of pods) this.observe('MODIFIED', p, at)
    for (const [uid, s] of this.states) if (!s.deleted && !listed.has(uid)) this.observe('DELETED', s.last, at)
    this.gapLog.close(at, from, seq)
    this.notify()
  }

  observe(type: 'ADDED' | 'MODIFIED' | 'DELETED', p: V1Pod, at = Date.now()): void {
    this.lastSeenAt = at
    const uid = p.metadata?.uid ?? ''
    let s = this.states.get(uid)
    if (!s) {
      s = { ready: false, terminating: false, restarts: 0, deleted: false, last: p }
      this.states.set(uid, s)
      this.push(p, 'created', at)
    }
    s.last = p
    if (p.status?.phase === 'Running' && s.phase !== 'Running') this.push(p, 'running', at)
    const stopped = isStopped(p.status?.phase) && !isStopped(s.phase)
    s.phase = p.status?.phase
    const ready = isReady(p) && type !== 'DELETED'
    if (ready !== s.ready) this.push(p, ready ? 'ready' : 'unready', at)
    s.ready = ready
    const restarts = restartsOf(p)
    if (restarts > s.restarts) this.push(p, 'restarted', at)
    s.restarts = restarts
    if (p.metadata?.deletionTimestamp && !s.terminating) this.push(p, 'terminating', at)
    s.terminating = !!p.metadata?.deletionTimestamp
    if (stopped) this.push(p, 'stopped', at)
    if (type === 'DELETED' && !s.deleted) this.push(p, 'deleted', at)
    s.deleted ||= type === 'DELETED'
  }

  private push(p: V1Pod, kind: PodEventKind, at: number): void {
    const uid = p.metadata?.uid ?? ''
    this.events.push({
      seq: this.seq++, at, kind, uid, pod: p.metadata?.name ?? '?', revision: revisionOf(p),
      incarnation: this.initial.has(uid) ? 'old' : 'new',
    })
    this.notify()
  }

  // Throws unless the events numbered up to `through` were all seen (see
  // RecordingGaps.blocking); Infinity: the check reads the whole recording.
  private assertSeen(what: string, through = Number.POSITIVE_INFINITY): void {
    const gap = this.gapLog.blocking(through)
    if (gap) throw new IncompleteRecording(this, gap, what)
  }

  // Every event, for a check of its own ("no other pod appeared"): throws if
  // the recording has a gap, since what happened in it is unknown.
  completeEvents(what = 'that nothing else happened'): PodEvent[] {
    this.assertSeen(what)
    return this.events
  }

  // The first such event. With a gap, only one seen before it (the first
  // one in the gap may have been missed).
  find(ref: EventRef): PodEvent | undefined {
    const e = findEvent(this.events, ref)
    this.assertSeen(`the first ${refLabel(ref)}`, e?.seq)
    return e
  }

  // The given events in the order they happened; those never seen come last, marked so.
  orderOf(refs: EventRef[]): string[] {
    const seen = refs.map((r) => ({ r, e: findEvent(this.events, r) }))
    this.assertSeen(`the order of ${refs.map(refLabel).join(', ')}`, Math.max(-1, ...seen.map((x) => x.e?.seq ?? Number.POSITIVE_INFINITY)))
    return [
      ...seen.filter((x) => x.e).sort((a, b) => a.e!.seq - b.e!.seq).map((x) => refLabel(x.r)),
      ...seen.filter((x) => !x.e).map((x) => `${refLabel(x.r)}: never observed`),
    ]
  }

  // The first event of a kind (optionally of one incarnation), whichever pod it was.
  first(kind: PodEventKind, incarnation?: 'old' | 'new'): PodEvent | undefined {
    const e = this.events.find((x) => x.kind === kind && (!incarnation || x.incarnation === incarnation))
    this.assertSeen(`the first ${kind}${incarnation ? ` (${incarnation})` : ''} event`, e?.seq)
    return e
  }

  // Pods still running just before an event: seen, neither stopped nor deleted
  // (a terminating pod whose containers still run counts). One entry per pod: its first event.
  runningBefore(event: PodEvent): PodEvent[] {
    this.assertSeen(`which pods were running before ${event.pod} ${event.kind}`, event.seq)
    const running = new Map<string, PodEvent>()
    for (const e of this.events) {
      if (e.seq >= event.seq) break
      if (e.kind === 'stopped' || e.kind === 'deleted') running.delete(e.uid)
      else if (e.kind === 'present' || e.kind === 'created') running.set(e.uid, e)
    }
    return [...running.values()]
  }

  // The events matching `what`, grouped into waves: a new wave starts whenever an
  // event matching `separator` happened since the previous one. Old pods terminated
  // in two waves with a new pod Ready between them were replaced gradually.
  waves(what: { kind: PodEventKind; incarnation?: 'old' | 'new' }, separator: { kind: PodEventKind; incarnation?: 'old' | 'new' }): string[][] {
    const matches = (e: PodEvent, m: { kind: PodEventKind; incarnation?: 'old' | 'new' }) => e.kind === m.kind && (!m.incarnation || e.incarnation === m.incarnation)
    this.assertSeen(`the waves of ${what.kind}${what.incarnation ? ` (${what.incarnation})` : ''} events`)
    const waves: string[][] = []
    let split = true
    for (const e of this.events) {
      if (matches(e, what)) {
        if (split) waves.push([])
        waves.at(-1)!.push(e.pod)
        split = false
      } else if (matches(e, separator) && waves.length) split = true
    }
    return waves
  }

  // The kinds of the given pods' events of those kinds, in the order observed
  // (e.g. all "created" before any "ready"); those never seen come last, marked so.
  kindsInOrder(names: string[], kinds: PodEventKind[]): string[] {
    return this.orderOf(kinds.flatMap((kind) => names.map((pod) => ({ pod, kind }))))
      .map((l) => (l.endsWith('never observed') ? `never: ${l}` : l.split(' ')[1]!))
  }

  // Pod names in the order of their first event of a kind (optionally of one incarnation).
  orderOfFirst(kind: PodEventKind, incarnation?: 'old' | 'new'): string[] {
    // A list of every such pod: a pod whose event fell in a gap would be missing or out of place.
    this.assertSeen(`the order of every pod's first ${kind}${incarnation ? ` (${incarnation})` : ''} event`)
    const names: string[] = []
    for (const e of this.events) {
      if (e.kind === kind && (!incarnation || e.incarnation === incarnation) && !names.includes(e.pod)) names.push(e.pod)
    }
    return names
  }

  // Old pods in the order they started terminating: a rolling update's order.
  replacementOrder(): string[] {
    return this.orderOfFirst('terminating', 'old')
  }

  // After each event since recording began: how many pods were alive and not
  // terminating, and how many of those were Ready.
  private *population(): Generator<{ e: PodEvent; alive: number; ready: number }> {
    const alive = new Map<string, { ready: boolean }>()
    for (const e of this.events) {
      if (e.kind === 'present' || e.kind === 'created') alive.set(e.uid, { ready: false })
      if (e.kind === 'ready' && alive.has(e.uid)) alive.get(e.uid)!.ready = true
      if (e.kind === 'unready' && alive.has(e.uid)) alive.get(e.uid)!.ready = false
      if (e.kind === 'terminating' || e.kind === 'deleted') alive.delete(e.uid)
      if (e.seq > this.syncedThrough) yield { e, alive: alive.size, ready: [...alive.values()].filter((a) => a.ready).length }
    }
  }

  // The largest number of pods alive and not terminating, and the smallest
  // number of those Ready, at any observed instant since recording began.
  counts(): { maxPods: number; minReady: number } {
    this.assertSeen('the number of pods alive and Ready at every instant')
    let maxPods = 0
    let minReady = Number.POSITIVE_INFINITY
    for (const { alive, ready } of this.population()) {
      maxPods = Math.max(maxPods, alive)
      minReady = Math.min(minReady, ready)
    }
    return { maxPods, minReady: Number.isFinite(minReady) ? minReady : 0 }
  }

  // The stretches during which more than `maxPods` pods were alive and not
  // terminating: from the event that went over to the one that came back
  // (none if it never did), with the peak and how long it lasted.
  overshoots(maxPods: number): { from: PodEvent; to?: PodEvent; peak: number; ms: number }[] {
    this.assertSeen(`every stretch with more than ${maxPods} pods alive`)
    const found: { from: PodEvent; to?: PodEvent; peak: number; ms: number }[] = []
    let open: (typeof found)[number] | undefined
    for (const { e, alive } of this.population()) {
      if (alive > maxPods) {
        if (!open) found.push(open = { from: e, peak: alive, ms: 0 })
        open.peak = Math.max(open.peak, alive)
      } else if (open) {
        open.to = e
        open.ms = e.at - open.from.at
        open = undefined
      }
    }
    return found
  }

  // Every event, one per line, with the time since recording began; each gap
  // where it opened.
  describe(title = 'observed pod events'): string {
    const gapLine = (g: Gap) => `  ${'-'.repeat(10)}  gap: ${describeGapSpan(g)}; events in it may be missing`
    const gaps = this.gapLog.list
    if (!this.events.length && !gaps.length) return `${title}: none`
    const width = Math.max(0, ...this.events.map((e) => e.pod.length))
    const lines: string[] = []
    let next = 0
    for (const e of this.events) {
      while (next < gaps.length && gaps[next]!.seq <= e.seq) lines.push(gapLine(gaps[next++]!))
      lines.push(`  +${((e.at - this.started) / 1000).toFixed(3).padStart(8)}s  ${e.pod.padEnd(width)}  ${e.kind.padEnd(11)} ${e.incarnation} uid ${e.uid.slice(0, 8)}${e.revision ? ` rev ${e.revision}` : ''}`)
    }
    lines.push(...gaps.slice(next).map(gapLine))
    const status = gaps.length ? `, INCOMPLETE: ${gaps.length} gap${gaps.length > 1 ? 's' : ''}` : ''
    return `${title} (t=0 at ${new Date(this.started).toISOString()}${status}):\n${lines.join('\n')}`
  }
}
