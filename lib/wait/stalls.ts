// A component that does not act, recognised from what it should have done in a
// namespace (the signs of stall-signs.ts), so that a wait fails naming it instead
// of running out its timeout. A sign must last its whole window, seen by this
// process, before it counts; once a component is recognised, the next wait that
// sees the same sign needs only a short window. A sign ends only the waits it concerns.
import type { V1Deployment, V1EndpointSlice, V1PersistentVolumeClaim, V1Pod, V1ReplicaSet, V1Service, V1StatefulSet } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { timeoutScale } from '../k8s/timeouts.ts'
import { resources, type Resource } from '../k8s/watch.ts'
import { concerns, type NamespaceObjects, type Sign, signsOf, type Subject, type WaitScope } from './stall-signs.ts'

const recognisedWindowMs = 10_000

export interface Stall {
  component: string
  evidence: string
  forMs: number
  subjects: Subject[]
  // When this process first recognised the component as not acting, if before this sign.
  recognisedBefore?: { at: number; evidence: string }
}

export const describeStall = (st: Stall) =>
  `${st.evidence}, for ${Math.round(st.forMs / 1000)} s; is ${st.component} running?` +
  (st.recognisedBefore ? ` (recognised already at ${new Date(st.recognisedBefore.at).toISOString()}: ${st.recognisedBefore.evidence})` : '')

// Follows signs from check to check (a sign gone from one check starts again from
// zero) and remembers the components recognised, for the short window.
export class StallTracker {
  private readonly firstSeen = new Map<string, number>()
  private readonly recognised = new Map<string, { at: number; evidence: string }>()

  private readonly scale: () => number

  constructor(scale: () => number = timeoutScale) {
    this.scale = scale
  }

  // The signs of one namespace at `now`; returns the stalls: the signs that lasted their window.
  check(namespace: string, signs: Sign[], now: number): Stall[] {
    const prefix = `${namespace}|`
    const keys = new Set(signs.map((g) => prefix + g.key))
    for (const k of this.firstSeen.keys()) if (k.startsWith(prefix) && !keys.has(k)) this.firstSeen.delete(k)
    const stalls: Stall[] = []
    for (const sign of signs) {
      const k = prefix + sign.key
      const since = this.firstSeen.get(k) ?? now
      this.firstSeen.set(k, since)
      const before = this.recognised.get(sign.component)
      const window = (before && before.at < now ? recognisedWindowMs : sign.windowMs) * this.scale()
      if (now - since < window) continue
      if (!before) this.recognised.set(sign.component, { at: now, evidence: sign.evidence })
      stalls.push({ component: sign.component, evidence: sign.evidence, forMs: now - since, subjects: sign.subjects, ...(before && before.at < now ? { recognisedBefore: before } : {}) })
    }
    return stalls
  }
}

const list = async <T>(kube: Kube, r: Resource, namespace: string) =>
  (await kube.objects.list(r.apiVersion, r.kind, namespace)).items as T[]

async function namespaceObjects(kube: Kube, namespace: string): Promise<NamespaceObjects> {
  // Dependents before owners: an owner made between the two lists is seen, never a dependent whose owner is missed.
  const [pods, pvcs, replicaSets, endpointSlices] = await Promise.all([
    list<V1Pod>(kube, resources.pods, namespace), list<V1PersistentVolumeClaim>(kube, resources.pvcs, namespace),
    list<V1ReplicaSet>(kube, resources.replicaSets, namespace), list<V1EndpointSlice>(kube, resources.endpointSlices, namespace),
  ])
  const [statefulSets, deployments, services] = await Promise.all([
    list<V1StatefulSet>(kube, resources.statefulSets, namespace), list<V1Deployment>(kube, resources.deployments, namespace),
    list<V1Service>(kube, resources.services, namespace),
  ])
  const events = pvcs.some((c) => c.status?.phase === 'Pending') ? (await kube.core.listNamespacedEvent({ namespace })).items : []
  return { statefulSets, deployments, replicaSets, services, endpointSlices, pods, pvcs, events }
}

// One tracker and one listing at a time per namespace, shared by the waits of this process.
const tracker = new StallTracker()
const inFlight = new Map<string, Promise<Stall[]>>()

export function checkNamespace(kube: Kube, namespace: string): Promise<Stall[]> {
  let p = inFlight.get(namespace)
  if (!p) {
    p = namespaceObjects(kube, namespace).then((objects) => tracker.check(namespace, signsOf(objects), Date.now()))
      .finally(() => setTimeout(() => inFlight.delete(namespace), 2_000).unref())
    inFlight.set(namespace, p)
  }
  return p
}

const firstCheckMs = 10_000
const everyMs = 5_000

// Watches the namespace for a component that does not act while a wait runs; calls
// `onStalls` with the stalls `relevant` keeps, and goes on watching only if it returns true.
// Returns the function that stops watching.
export function guardAgainstStalls(kube: Kube, namespace: string, relevant: (stall: Stall) => boolean, onStalls: (stalls: Stall[]) => boolean): () => void {
  let stopped = false
  let timer: NodeJS.Timeout
  const tick = async () => {
    // A failed listing is no evidence either way: the wait's own timeout still stands.
    const stalls = (await checkNamespace(kube, namespace).catch(() => [] as Stall[])).filter(relevant)
    if (stopped) return
    if (stalls.length && !onStalls(stalls)) return
    timer = setTimeout(tick, everyMs)
  }
  timer = setTimeout(tick, firstCheckMs)
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}

export const stallConcerns = (scope: WaitScope) => (stall: Stall) => stall.subjects.some((subject) => concerns(subject, scope))
