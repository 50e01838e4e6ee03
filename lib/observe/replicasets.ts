// The ReplicaSets of a Deployment as its controller sees them during a
// rollout. One watch delivers their changes in the order the API server stored
// them, so after each event the latest state of every ReplicaSet is the exact
// state at that moment: the sum of their desired replicas is what the
// Deployment controller bounds by replicas + maxSurge, and the sum of their
// available replicas what it keeps at or above replicas - maxUnavailable
// (upstream's e2e checks the same two sums during a rollout).
import type { V1ReplicaSet } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { resources, type WatchEventType, watchObjects } from '../k8s/watch.ts'
import { describeGapSpan, type Gap, IncompleteRecording, WatchRecording } from './gaps.ts'

export interface ReplicaSetSnapshot {
  seq: number
  at: number // ms since recording began
  // name → desired (spec.replicas) / available (status.availableReplicas)
  sets: Record<string, { desired: number; available: number }>
  desired: number
  available: number
}

export class ReplicaSetLog extends WatchRecording {
  readonly source = 'ReplicaSet watch'
  // What is recorded, for messages, e.g. "ns (app=web)".
  readonly subject: string
  readonly snapshots: ReplicaSetSnapshot[] = []
  private readonly sets = new Map<string, { desired: number; available: number }>()
  private readonly start: number
  private synced = false

  constructor(subject = 'ReplicaSets', startedAt = Date.now()) {
    super()
    this.subject = subject
    this.start = startedAt
  }

  // The full set after a (re)list: replaces what was known. A relist closes
  // the gap before it.
  sync(items: V1ReplicaSet[], at = Date.now()): void {
    const [from, seq] = [this.lastSeenAt(), this.snapshots.length + 1]
    this.sets.clear()
    for (const rs of items) this.sets.set(rs.metadata?.name ?? '', counts(rs))
    this.snap(at)
    if (this.synced) this.gapLog.close(at, from, seq)
    this.synced = true
  }

  observe(type: WatchEventType, rs: V1ReplicaSet, at = Date.now()): void {
    const name = rs.metadata?.name ?? ''
    if (type === 'DELETED') this.sets.delete(name)
    else this.sets.set(name, counts(rs))
    this.snap(at)
  }

  protected position() {
    return { lastSeenAt: this.lastSeenAt(), next: this.snapshots.length + 1 }
  }

  // The largest desired total and the smallest available total over every
  // snapshot, each with the snapshot where it occurred. A bound "at every
  // change" reads them all, so any gap makes it throw IncompleteRecording:
  // a total in the gap may have gone past it unseen.
  extremes(): { maxDesired?: ReplicaSetSnapshot; minAvailable?: ReplicaSetSnapshot } {
    const gap = this.gapLog.blocking()
    if (gap) throw new IncompleteRecording(this, gap, 'the ReplicaSet totals at every change')
    let maxDesired: ReplicaSetSnapshot | undefined
    let minAvailable: ReplicaSetSnapshot | undefined
    for (const s of this.snapshots) {
      if (!maxDesired || s.desired > maxDesired.desired) maxDesired = s
      if (!minAvailable || s.available < minAvailable.available) minAvailable = s
    }
    return { maxDesired, minAvailable }
  }

  // The snapshot with the most replicas desired in all, the first such. Every
  // snapshot, a relist's included, was the ReplicaSets' state at that moment: with
  // a gap, a total over `ceiling` seen is the answer (the bound was broken whatever
  // the gap hid); otherwise IncompleteRecording, as a larger total may have been missed.
  mostDesired(ceiling: number): ReplicaSetSnapshot | undefined {
    let most: ReplicaSetSnapshot | undefined
    for (const s of this.snapshots) if (!most || s.desired > most.desired) most = s
    const gap = this.gapLog.blocking()
    if (gap && !(most && most.desired > ceiling)) throw new IncompleteRecording(this, gap, `that its ReplicaSets asked for at most ${ceiling} pods in all at every change`)
    return most
  }

  // One line per snapshot: "+ 3.078s  desired 5 available 4  web-b79…: 1/3, web-8b9…: 4/2",
  // and a line for each gap where it opened.
  describe(): string {
    const gaps = this.gapLog.list
    const gapLine = (g: Gap) => `  ${'-'.repeat(9)}  gap: ${describeGapSpan(g)}; changes in it may be missing`
    const lines: string[] = []
    let next = 0
    for (const s of this.snapshots) {
      while (next < gaps.length && gaps[next]!.seq <= s.seq) lines.push(gapLine(gaps[next++]!))
      lines.push(`  + ${(s.at / 1000).toFixed(3).padStart(7)}s  #${String(s.seq).padEnd(3)} desired ${s.desired} available ${s.available}  ${
        Object.entries(s.sets).map(([name, c]) => `${name}: ${c.desired}/${c.available}`).join(', ')}`)
    }
    lines.push(...gaps.slice(next).map(gapLine))
    const status = gaps.length ? `, INCOMPLETE: ${gaps.length} gap${gaps.length > 1 ? 's' : ''}` : ''
    return [`ReplicaSets of ${this.subject} (desired/available) after each change${status}:`, ...lines].join('\n')
  }

  private lastSeenAt(): number {
    return this.start + (this.snapshots.at(-1)?.at ?? 0)
  }

  private snap(at: number): void {
    const sets = Object.fromEntries([...this.sets].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => [n, { ...c }]))
    const all = [...this.sets.values()]
    this.snapshots.push({
      seq: this.snapshots.length + 1,
      at: at - this.start,
      sets,
      desired: all.reduce((sum, c) => sum + c.desired, 0),
      available: all.reduce((sum, c) => sum + c.available, 0),
    })
    this.notify()
  }
}

const counts = (rs: V1ReplicaSet) => ({ desired: rs.spec?.replicas ?? 1, available: rs.status?.availableReplicas ?? 0 })

// Resolves once the watch is established (start it before the action);
// stop() ends it.
export async function recordReplicaSets(kube: Kube, namespace: string, labelSelector: string): Promise<{ log: ReplicaSetLog; stop: () => void }> {
  const log = new ReplicaSetLog(`${namespace} (${labelSelector})`)
  log.watching = { kube, namespace, kind: 'ReplicaSet', labelSelector }
  // A relist or a watch that ended is a gap in the log: the bounds that read it fail, naming it.
  const stop = await watchObjects<V1ReplicaSet>(kube, resources.replicaSets, { namespace, labelSelector }, {
    onSync: (items) => log.sync(items),
    onEvent: (type, rs) => log.observe(type, rs),
    onRelist: (reason) => log.relisting(reason),
    onError: (err) => {
      console.warn(`ReplicaSet recorder (${namespace} ${labelSelector}) stopped: ${err.message}`)
      log.ended(`the watch ended: ${err.message}`)
    },
  })
  return { log, stop }
}
