// A component that does not act, recognised from what it should have done in a
// namespace (the signs of stall-signs.ts), so that a wait fails naming it instead
// of running out its timeout. Each wait follows the signs itself, from its own first
// look: a sign must last its whole window (scaled with SC_TIMEOUT_SCALE) before it
// counts, so a routine pause (a leader change) ends nothing. Once a wait recognised a
// component in a namespace, its next sign there needs only a short window, until the
// component is seen acting again (one of its signs clears). A sign ends only the waits it concerns.
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
  // When this wait recognised the component as not acting, if before this sign (and it has not acted since).
  recognisedBefore?: { at: number; evidence: string }
}

export const describeStall = (st: Stall) =>
  `${st.evidence}, for ${Math.round(st.forMs / 1000)} s; is ${st.component} running?` +
  (st.recognisedBefore ? ` (recognised already at ${new Date(st.recognisedBefore.at).toISOString()}: ${st.recognisedBefore.evidence})` : '')

// One wait's view of the signs: follows them from check to check (a sign gone from one
// check starts again from zero, and tells that its component acted) and remembers, per
// namespace, the components recognised and not seen acting since.
export class StallTracker {
  private readonly firstSeen = new Map<string, { at: number; component: string }>()
  private readonly recognised = new Map<string, { at: number; evidence: string }>()

  private readonly scale: () => number

  constructor(scale: () => number = timeoutScale) {
    this.scale = scale
  }

  // The signs of one namespace at `now`; returns the stalls: the signs that lasted their window.
  check(namespace: string, signs: Sign[], now: number): Stall[] {
    const prefix = `${namespace}|`
    const keys = new Set(signs.map((g) => prefix + g.key))
    for (const [k, seen] of this.firstSeen) {
      if (!k.startsWith(prefix) || keys.has(k)) continue
      this.firstSeen.delete(k)
      // The sign cleared: its component acted (or its object went), so it is no longer recognised.
      this.recognised.delete(prefix + seen.component)
    }
    const stalls: Stall[] = []
    for (const sign of signs) {
      const k = prefix + sign.key
      const since = this.firstSeen.get(k)?.at ?? now
      this.firstSeen.set(k, { at: since, component: sign.component })
      const before = this.recognised.get(prefix + sign.component)
      const earlier = before && before.at < now ? before : undefined
      if (now - since < (earlier ? recognisedWindowMs : sign.windowMs) * this.scale()) continue
      if (!before) this.recognised.set(prefix + sign.component, { at: now, evidence: sign.evidence })
      stalls.push({ component: sign.component, evidence: sign.evidence, forMs: now - since, subjects: sign.subjects, ...(earlier ? { recognisedBefore: earlier } : {}) })
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

// One listing at a time per namespace, shared by the waits of this process (each judges it with its own tracker).
const inFlight = new Map<string, Promise<{ signs: Sign[]; at: number }>>()

function namespaceSigns(kube: Kube, namespace: string): Promise<{ signs: Sign[]; at: number }> {
  let p = inFlight.get(namespace)
  if (!p) {
    p = namespaceObjects(kube, namespace).then((objects) => ({ signs: signsOf(objects), at: Date.now() }))
      .finally(() => setTimeout(() => inFlight.delete(namespace), 2_000).unref())
    inFlight.set(namespace, p)
  }
  return p
}

const firstCheckMs = 10_000
// Every 10 s: the windows are 60 s and more, and each look is seven lists of the namespace.
const everyMs = 10_000

// Watches the namespace for a component that does not act while a wait runs; calls
// `onStalls` with the stalls `relevant` keeps, and goes on watching only if it returns true.
// `scale` stretches the windows (SC_TIMEOUT_SCALE; global setup, which sets no worker's scale, passes its own).
// Returns the function that stops watching.
export function guardAgainstStalls(kube: Kube, namespace: string, relevant: (stall: Stall) => boolean, onStalls: (stalls: Stall[]) => boolean,
  { scale = timeoutScale }: { scale?: () => number } = {}): () => void {
  const tracker = new StallTracker(scale)
  let stopped = false
  let timer: NodeJS.Timeout
  const tick = async () => {
    // A failed listing is no evidence either way: the wait's own timeout still stands.
    const listing = await namespaceSigns(kube, namespace).catch(() => undefined)
    if (stopped) return
    const stalls = listing ? tracker.check(namespace, listing.signs, listing.at).filter(relevant) : []
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
