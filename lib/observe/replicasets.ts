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

export interface ReplicaSetSnapshot {
  seq: number
  at: number // ms since recording began
  // name → desired (spec.replicas) / available (status.availableReplicas)
  sets: Record<string, { desired: number; available: number }>
  desired: number
  available: number
}

export class ReplicaSetLog {
  readonly source = 'ReplicaSet watch'
  readonly snapshots: ReplicaSetSnapshot[] = []
  private readonly sets = new Map<string, { desired: number; available: number }>()
  private readonly start = Date.now()
  private readonly listeners = new Set<() => void>()

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  // The full set after a (re)list: replaces what was known.
  sync(items: V1ReplicaSet[]): void {
    this.sets.clear()
    for (const rs of items) this.sets.set(rs.metadata?.name ?? '', counts(rs))
    this.snap()
  }

  observe(type: WatchEventType, rs: V1ReplicaSet): void {
    const name = rs.metadata?.name ?? ''
    if (type === 'DELETED') this.sets.delete(name)
    else this.sets.set(name, counts(rs))
    this.snap()
  }

  // The largest desired total and the smallest available total over every
  // snapshot, each with the snapshot where it occurred.
  extremes(): { maxDesired?: ReplicaSetSnapshot; minAvailable?: ReplicaSetSnapshot } {
    let maxDesired: ReplicaSetSnapshot | undefined
    let minAvailable: ReplicaSetSnapshot | undefined
    for (const s of this.snapshots) {
      if (!maxDesired || s.desired > maxDesired.desired) maxDesired = s
      if (!minAvailable || s.available < minAvailable.available) minAvailable = s
    }
    return { maxDesired, minAvailable }
  }

  // One line per snapshot: "+ 3.078s  desired 5 available 4  web-b79…: 1/3, web-8b9…: 4/2".
  describe(): string {
    return [
      'ReplicaSets (desired/available) after each change:',
      ...this.snapshots.map((s) => `  + ${(s.at / 1000).toFixed(3).padStart(7)}s  #${String(s.seq).padEnd(3)} desired ${s.desired} available ${s.available}  ${
        Object.entries(s.sets).map(([name, c]) => `${name}: ${c.desired}/${c.available}`).join(', ')}`),
    ].join('\n')
  }

  private snap(): void {
    const sets = Object.fromEntries([...this.sets].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => [n, { ...c }]))
    const all = [...this.sets.values()]
    this.snapshots.push({
      seq: this.snapshots.length + 1,
      at: Date.now() - this.start,
      sets,
      desired: all.reduce((sum, c) => sum + c.desired, 0),
      available: all.reduce((sum, c) => sum + c.available, 0),
    })
    for (const fn of this.listeners) fn()
  }
}

const counts = (rs: V1ReplicaSet) => ({ desired: rs.spec?.replicas ?? 1, available: rs.status?.availableReplicas ?? 0 })

// Resolves once the watch is established (start it before the action);
// stop() ends it.
export async function recordReplicaSets(kube: Kube, namespace: string, labelSelector: string): Promise<{ log: ReplicaSetLog; stop: () => void }> {
  const log = new ReplicaSetLog()
  const stop = await watchObjects<V1ReplicaSet>(kube, resources.replicaSets, { namespace, labelSelector }, {
    onSync: (items) => log.sync(items),
    onEvent: (type, rs) => log.observe(type, rs),
    onError: (err) => console.warn(`ReplicaSet recorder (${namespace} ${labelSelector}) stopped: ${err.message}`),
  })
  return { log, stop }
}
