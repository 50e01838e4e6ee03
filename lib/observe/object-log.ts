// One named object's life as its watch saw it: present, marked for deletion
// (Terminating), removed. Enough to tell which of two objects went first —
// a claim in use must outlive its pod (Q1-08) — from their removals' places in
// the API server's storage order (the resourceVersion the watch gives a
// removal), rather than from one moment's listing.
import type { KubernetesObject } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { type Resource, resources, type WatchEventType, watchObjects } from '../k8s/watch.ts'
import { describeGapSpan, IncompleteRecording, WatchRecording } from './gaps.ts'

export interface ObjectState {
  seq: number
  at: number // ms since epoch, when the watch delivered it
  present: boolean
  terminating: boolean
  finalizers: string[]
  // The storage revision of this change (of the removal, for a DELETED event).
  resourceVersion?: string
}

export class ObjectLog extends WatchRecording {
  readonly source: string
  readonly subject: string
  readonly states: ObjectState[] = []
  private readonly startedAt: number
  private synced = false

  constructor(source: string, subject: string, startedAt = Date.now()) {
    super()
    this.source = source
    this.subject = subject
    this.startedAt = startedAt
  }

  protected position() {
    return { lastSeenAt: this.states.at(-1)?.at ?? this.startedAt, next: this.states.length }
  }

  // The first list, or a relist, which closes the gap before it: a change the relist
  // shows (the object found gone, say) happened somewhere in the gap.
  sync(items: KubernetesObject[], at = Date.now()): void {
    const [from, seq] = [this.position().lastSeenAt, this.states.length]
    const o = items[0]
    this.push(o ? stateOf(o, true) : { present: false, terminating: false, finalizers: [] }, at)
    if (this.synced) this.gapLog.close(at, from, seq, seq + 1)
    this.synced = true
  }

  observe(type: WatchEventType, o: KubernetesObject, at = Date.now()): void {
    this.push(stateOf(o, type !== 'DELETED'), at)
  }

  // The removal, when the watch saw the object go.
  removal(): ObjectState | undefined {
    return this.states.find((s, i) => !s.present && this.states.slice(0, i).some((p) => p.present))
  }

  describe(): string {
    const lines = this.states.map((s) => `  #${s.seq} ${new Date(s.at).toISOString().slice(11, 23)} ${s.present ? (s.terminating ? 'Terminating' : 'present') : 'gone'}` +
      `${s.finalizers.length ? `, finalizers ${s.finalizers.join(',')}` : ''}${s.resourceVersion ? `, resourceVersion ${s.resourceVersion}` : ''}`)
    const gaps = this.gaps.map((g) => `  gap: ${describeGapSpan(g)}`)
    return [`${this.source} of ${this.subject}:`, ...lines, ...gaps].join('\n')
  }

  private push(s: Omit<ObjectState, 'seq' | 'at'>, at: number): void {
    this.states.push({ ...s, seq: this.states.length, at })
    this.notify()
  }
}

const stateOf = (o: KubernetesObject, present: boolean): Omit<ObjectState, 'seq' | 'at'> => ({
  present, terminating: !!o.metadata?.deletionTimestamp, finalizers: o.metadata?.finalizers ?? [],
  ...(o.metadata?.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
})

// Why `later` was not seen removed only after `first` was, or undefined when it was. Both
// removals must have been seen as they happened (not found gone by a relist): else
// IncompleteRecording. Ordered by their resourceVersions, the storage revisions at which
// each was removed, where both are integers (as etcd and kine give them); otherwise by
// when the watches delivered them, and the message says so.
export function removedAfter(later: ObjectLog, first: ObjectLog): string | undefined {
  const [a, b] = [first.removal(), later.removal()]
  for (const [log, r] of [[first, a], [later, b]] as const) {
    const gap = r ? log.gapAround(r.seq) : log.gaps[0]
    if (!r && !gap) return `${log.subject} was never seen removed\n${log.describe()}`
    if (gap) throw new IncompleteRecording(log, gap, `when ${log.subject} was removed`)
  }
  const [ra, rb] = [Number(a!.resourceVersion), Number(b!.resourceVersion)]
  const byRevision = Number.isSafeInteger(ra) && Number.isSafeInteger(rb)
  const inOrder = byRevision ? rb > ra : b!.at >= a!.at
  if (inOrder) return undefined
  const how = byRevision ? `at resourceVersion ${rb}, before ${first.subject} at ${ra}` : `(delivered ${a!.at - b!.at} ms before ${first.subject}'s removal; resourceVersions not comparable)`
  return `${later.subject} was removed ${how}: expected it removed only after ${first.subject}\n${later.describe()}\n${first.describe()}`
}

// Records one object from now until stop(): resolves once its watch is established.
export async function recordObject(kube: Kube, namespace: string, r: Resource, name: string): Promise<{ log: ObjectLog; stop: () => void }> {
  const log = new ObjectLog(`${r.kind} watch`, `${r.kind} ${namespace}/${name}`)
  log.watching = { kube, namespace, kind: r.kind }
  const stop = await watchObjects<KubernetesObject>(kube, r, { namespace, fieldSelector: `metadata.name=${name}` }, {
    onSync: (items) => log.sync(items),
    onEvent: (type, o) => log.observe(type, o),
    onRelist: (reason) => log.relisting(reason),
    onError: (err) => log.ended(`the watch ended: ${err.message}`),
  })
  return { log, stop }
}

export const recordClaim = (kube: Kube, namespace: string, name: string) => recordObject(kube, namespace, resources.pvcs, name)
export const recordPod = (kube: Kube, namespace: string, name: string) => recordObject(kube, namespace, resources.pods, name)
