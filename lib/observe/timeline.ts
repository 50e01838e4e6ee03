// A timeline of pod lifecycle events, derived from the watch: which pod was
// created, Running, Ready, restarted, terminating or deleted, and when. The
// order of events is the order the API server committed them (one watch
// stream), so "1 before 0" is proven from the events, not from a listing.
// Unless the watch left a gap (see gaps.ts): then a check below that sees the
// claim broken outside the gap answers with what it saw (the spec's assertion
// fails on it), and one that does not throws IncompleteRecording: the gap may
// hide what it looks for. `events` itself is the raw evidence, for pictures
// and dumps, not for checks.
import type { V1Pod } from '@kubernetes/client-node'
import { describeGapSpan, type Gap, IncompleteRecording, WatchRecording } from './gaps.ts'
import { findEvent, refLabel, type EventRef, type PodEvent, type PodEventKind } from './pod-event.ts'
import { isReady, isStopped, type PodState, readySince, restartsOf, revisionOf } from './pod-state.ts'

export { findEvent, refLabel, replacedInTurn, type EventRef, type PodEvent, type PodEventKind } from './pod-event.ts'

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
  // For each gap a relist closed, the pods Ready through the whole of it (see readyThroughout).
  private readonly readyAcross = new Map<Gap, string[]>()

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
    // Before the relist changes them: the pods alive and Ready when the gap opened, with their Ready condition's last change then.
    const readyBefore = new Map([...this.states].filter(([, s]) => s.ready && !s.terminating && !s.deleted).map(([uid, s]) => [uid, readySince(s.last)]))
    const listed = new Set(pods.map((p) => p.metadata?.uid ?? ''))
    for (const p of pods) this.observe('MODIFIED', p, at)
    for (const [uid, s] of this.states) if (!s.deleted && !listed.has(uid)) this.observe('DELETED', s.last, at)
    this.gapLog.close(at, from, seq, this.seq)
    // The gap this relist closed: the last one, now ending here.
    const gap = this.gaps.at(-1)
    if (gap?.to === at) {
      this.readyAcross.set(gap, pods.filter((p) => {
        const since = readyBefore.get(p.metadata?.uid ?? '')
        return since !== undefined && isReady(p) && !p.metadata?.deletionTimestamp && readySince(p) === since
      }).map((p) => p.metadata?.name ?? '?'))
    }
    this.notify()
  }

  // The pods Ready through the whole of a gap: alive and Ready when it opened, and listed again after
  // it as the same pods (by uid), not terminating, Ready, their Ready condition unchanged since (the
  // same last transition time). A pod deleted in the gap would be gone or terminating, and one that
  // went not Ready in it would carry a later transition time, but for a change back and forth within
  // the very second of its last one before the gap: the API keeps those times to the second. None
  // for a gap still open or one that never closed.
  readyThroughout(gap: Gap): readonly string[] {
    return this.readyAcross.get(gap) ?? []
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
  // The refs are given in the order the claim expects them: with a gap, an order seen
  // broken before it is the answer (see inClaimedOrder).
  orderOf(refs: EventRef[]): string[] {
    return this.inClaimedOrder(refs.map((r) => [r]), `the order of ${refs.map(refLabel).join(', ')}`)
  }

  // The events of `groups` in the order they happened, the claim being that every
  // event of a group came before every event of the next (first occurrences). A gap
  // that could hide one: if the complete prefix before the first gap already shows an
  // event of a group before one of an earlier group, or without it, the claim is
  // broken whatever the gap hid, and the answer is that order, each event not seen
  // before the gap marked so; otherwise IncompleteRecording.
  private inClaimedOrder(groups: EventRef[][], what: string): string[] {
    const seen = groups.flat().map((r) => ({ r, e: findEvent(this.events, r) }))
    const gap = this.gapLog.blocking(Math.max(-1, ...seen.map((x) => x.e?.seq ?? Number.POSITIVE_INFINITY)))
    if (!gap) {
      return [
        ...seen.filter((x) => x.e).sort((a, b) => a.e!.seq - b.e!.seq).map((x) => refLabel(x.r)),
        ...seen.filter((x) => !x.e).map((x) => `${refLabel(x.r)}: never observed`),
      ]
    }
    const prefixEnd = this.gaps[0]!.seq
    const before = (e: PodEvent | undefined) => !!e && e.seq < prefixEnd
    const groupOf = new Map(groups.flatMap((g, i) => g.map((r) => [r, i] as const)))
    const broken = seen.some((x) => before(x.e) && seen.some((y) => groupOf.get(y.r)! < groupOf.get(x.r)! && !(before(y.e) && y.e!.seq < x.e!.seq)))
    if (!broken) throw new IncompleteRecording(this, gap, what)
    return [
      ...seen.filter((x) => before(x.e)).sort((a, b) => a.e!.seq - b.e!.seq).map((x) => refLabel(x.r)),
      ...seen.filter((x) => !before(x.e)).map((x) => `${refLabel(x.r)}: not seen before the gap (${describeGapSpan(this.gaps[0]!)})`),
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
  // (e.g. all "created" before any "ready", the claim); those never seen come last,
  // marked so, as are those not seen before a gap when the order was seen broken.
  kindsInOrder(names: string[], kinds: PodEventKind[]): string[] {
    const groups = kinds.map((kind) => names.map((pod) => ({ pod, kind })))
    return this.inClaimedOrder(groups, `that every ${kinds.join(' came before every ')} event of ${names.join(', ')}`)
      .map((l) => (l.endsWith('never observed') ? `never: ${l}` : l.includes(': ') ? `unknown: ${l}` : l.split(' ')[1]!))
  }

  // Pod names in the order of their first event of a kind (optionally of one incarnation).
  // With a gap, pass the order the claim expects: if the pods seen before the gap do
  // not begin it, that is the answer (the order is wrong whatever the gap hid), ending
  // in a line that names the gap; otherwise, or without `expected`, IncompleteRecording.
  orderOfFirst(kind: PodEventKind, incarnation?: 'old' | 'new', expected?: string[]): string[] {
    const what = `the order of every pod's first ${kind}${incarnation ? ` (${incarnation})` : ''} event`
    const firstOf = (events: PodEvent[]) => {
      const names: string[] = []
      for (const e of events) if (e.kind === kind && (!incarnation || e.incarnation === incarnation) && !names.includes(e.pod)) names.push(e.pod)
      return names
    }
    // A list of every such pod: a pod whose event fell in a gap would be missing or out of place.
    const gap = this.gapLog.blocking()
    if (!gap) return firstOf(this.events)
    const seen = firstOf(this.events.filter((e) => e.seq < this.gaps[0]!.seq))
    if (!expected || seen.every((pod, i) => expected[i] === pod)) throw new IncompleteRecording(this, gap, what)
    return [...seen, `(then a gap: ${describeGapSpan(this.gaps[0]!)})`]
  }

  // Old pods in the order they started terminating: a rolling update's order (see orderOfFirst for `expected`).
  replacementOrder(expected?: string[]): string[] {
    return this.orderOfFirst('terminating', 'old', expected)
  }

  // After each event since recording began: how many pods were alive and not
  // terminating, and how many of those were Ready; `real` unless the count is one
  // halfway through a relist's changes (after the last of them it is the listed
  // state). The counts' checks are in pod-counts.ts.
  *population(): Generator<{ e: PodEvent; alive: number; ready: number; real: boolean }> {
    const alive = new Map<string, { ready: boolean }>()
    for (const e of this.events) {
      if (e.kind === 'present' || e.kind === 'created') alive.set(e.uid, { ready: false })
      if (e.kind === 'ready' && alive.has(e.uid)) alive.get(e.uid)!.ready = true
      if (e.kind === 'unready' && alive.has(e.uid)) alive.get(e.uid)!.ready = false
      if (e.kind === 'terminating' || e.kind === 'deleted') alive.delete(e.uid)
      const gap = this.gapAround(e.seq)
      const real = !gap || (gap.resumed !== undefined && e.seq === gap.resumed - 1)
      if (e.seq > this.syncedThrough) yield { e, alive: alive.size, ready: [...alive.values()].filter((a) => a.ready).length, real }
    }
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
