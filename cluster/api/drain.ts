// A node drained as `kubectl drain` drains it, for cluster:upgrade: cordoned, then each pod on
// it asked to leave through the Eviction API, which honours PodDisruptionBudgets. A refusal
// (429) is tried again while the budget's pods change (one coming back, one becoming Ready),
// until a deadline that each change moves on: a drain ends when it stops making progress,
// not when it is slow. One refusal cannot end while the node is cordoned: the budget waits
// only for pods that cannot be scheduled (a volume pinned to this node, no room elsewhere).
// Those pods are left where they run, and the node is upgraded under them, as an in-place
// upgrade does; the upgrade says so.
import * as k8s from '@kubernetes/client-node'
import type { Clients } from './client.ts'

export interface DrainOptions {
  // How long a refusal may go on with no change among its budget's pods.
  stallMs: number
  // How long a budget must wait only for unschedulable pods before its pods are left in place.
  stuckMs: number
  log: (line: string) => void
  pauseMs?: number
}

export interface Drained {
  evicted: string[]
  // ns/pod: kept on the node, their budget allowing no disruption until the node is back.
  leftInPlace: string[]
}

const ref = (p: k8s.V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`
const isReady = (p: k8s.V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const statusOf = (err: unknown) => (err as { code?: number }).code
function messageOf(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string }
  let body = e.body
  if (typeof body === 'string') {
    try { body = JSON.parse(body) } catch { /* keep text */ }
  }
  return `${e.code ? `HTTP ${e.code}: ` : ''}${(body as { message?: string } | undefined)?.message ?? e.message ?? String(err)}`
}

// What a drain evicts, in a stable order: not mirror pods (the kubelet's own), nor a DaemonSet's
// (it would put them back at once), nor pods already leaving or finished.
export function podsToEvict(pods: k8s.V1Pod[]): k8s.V1Pod[] {
  return pods.filter((p) =>
    !p.metadata?.annotations?.['kubernetes.io/config.mirror'] &&
    !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller) &&
    !p.metadata?.deletionTimestamp &&
    p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
  ).sort((a, b) => ref(a).localeCompare(ref(b)))
}

// A label selector as policy/v1 reads a budget's: an empty one matches every pod of the namespace.
export function selectorMatches(selector: k8s.V1LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
  return byLabels && (selector.matchExpressions ?? []).every((e) => {
    const has = e.key in labels
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]!)
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]!)
      case 'Exists': return has
      case 'DoesNotExist': return !has
      default: return false
    }
  })
}

// The pods a budget waits for, when it waits only for pods that cannot be scheduled: every pod it
// expects exists, and each of them that is not Ready is Pending, refused by the scheduler. Undefined
// while it waits for anything else (a pod not made yet, one starting), which time may bring.
export function waitingOnlyForUnschedulable(budget: k8s.V1PodDisruptionBudget, pods: k8s.V1Pod[]): k8s.V1Pod[] | undefined {
  const alive = pods.filter((p) => !p.metadata?.deletionTimestamp)
  if (alive.length < (budget.status?.expectedPods ?? 0)) return undefined
  const notReady = alive.filter((p) => !isReady(p))
  const unschedulable = notReady.filter((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable'))
  return notReady.length && unschedulable.length === notReady.length ? unschedulable : undefined
}

const describeBudget = (b: k8s.V1PodDisruptionBudget) =>
  `budget ${b.metadata?.name}: ${b.status?.currentHealthy ?? '-'} healthy of ${b.status?.expectedPods ?? '-'} (${b.status?.desiredHealthy ?? '-'} desired), ${b.status?.disruptionsAllowed ?? '-'} disruptions allowed`
const describePod = (p: k8s.V1Pod) =>
  `${p.metadata?.name} ${p.metadata?.deletionTimestamp ? 'terminating' : isReady(p) ? 'Ready' : p.status?.phase ?? 'unknown'}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}`

// The budgets that cover a pod, and their pods.
async function budgetsOf(c: Clients, pod: k8s.V1Pod): Promise<{ budget: k8s.V1PodDisruptionBudget; pods: k8s.V1Pod[] }[]> {
  const namespace = pod.metadata?.namespace ?? ''
  const budgets = (await c.policy.listNamespacedPodDisruptionBudget({ namespace })).items.filter((b) => selectorMatches(b.spec?.selector, pod.metadata?.labels))
  if (!budgets.length) return []
  const pods = (await c.core.listNamespacedPod({ namespace })).items
  return budgets.map((budget) => ({ budget, pods: pods.filter((p) => selectorMatches(budget.spec?.selector, p.metadata?.labels)) }))
}

type Outcome = 'evicted' | 'gone' | 'left'

async function evict(c: Clients, pod: k8s.V1Pod, node: string, o: DrainOptions): Promise<Outcome> {
  const namespace = pod.metadata?.namespace ?? ''
  const name = pod.metadata?.name ?? ''
  let deadline = Date.now() + o.stallMs
  let seen = ''
  let stuckSince: number | undefined
  // Since when the API server has answered with an error or not at all (not the budget's refusal).
  let failingSince: number | undefined
  for (let attempt = 1; ; attempt++) {
    let refusal: string
    try {
      await c.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } })
      return 'evicted'
    } catch (err) {
      const status = statusOf(err)
      if (status === 404) return 'gone'
      // A client error but the budget's refusal (403 of RBAC, 422, …) will not change by asking again.
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) throw new Error(`evict pod ${namespace}/${name}: ${messageOf(err)}`)
      // A server error or no answer (the API server may be busy just after its own upgrade) is tried
      // again for stallMs, however the budget's pods change meanwhile.
      if (status === 429) failingSince = undefined
      else if (Date.now() - (failingSince ??= Date.now()) > o.stallMs) throw new Error(`evict pod ${namespace}/${name}: the API server failed for ${o.stallMs / 1000}s: ${messageOf(err)}`)
      refusal = messageOf(err)
    }
    const covering = await budgetsOf(c, pod).catch(() => [])
    const now = covering.map((b) => `${describeBudget(b.budget)}; pods ${b.pods.map(describePod).join(', ')}`).join('; ')
    if (now !== seen) {
      if (attempt > 1 && seen) o.log(`  ${namespace}/${name}: ${now}`)
      seen = now
      deadline = Date.now() + o.stallMs
    }
    const stuck = covering.map((b) => ({ b, waiting: waitingOnlyForUnschedulable(b.budget, b.pods) })).find((x) => x.waiting)
    if (stuck) {
      stuckSince ??= Date.now()
      if (Date.now() - stuckSince >= o.stuckMs) {
        o.log(`  ${namespace}/${name} stays on ${node}, upgraded in place: its budget ${stuck.b.budget.metadata?.name} allows no disruption while ` +
          `${stuck.waiting!.map((p) => p.metadata?.name).join(', ')} cannot be scheduled (cordoned ${node} may be the only node they may use)`)
        return 'left'
      }
    } else stuckSince = undefined
    if (Date.now() > deadline) {
      throw new Error(`drain of ${node}: the eviction of ${namespace}/${name} was refused for ${o.stallMs / 1000}s with no change among its budget's pods: ${refusal}; ${seen || 'no budget covers it'}`)
    }
    if (attempt === 1) o.log(`  ${namespace}/${name}: refused (${refusal}); trying again while its budget's pods change`)
    await sleep(o.pauseMs ?? 2000)
  }
}

// Every pod on the node, as podsToEvict chooses them, evicted one after another, and those
// evicted gone from the node before it returns (their containers stopped by its kubelet).
export async function drainNode(c: Clients, node: string, o: DrainOptions): Promise<Drained> {
  const onNode = async () => (await c.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items
  const drained: Drained = { evicted: [], leftInPlace: [] }
  const evictedUids = new Set<string>()
  for (const pod of podsToEvict(await onNode())) {
    const outcome = await evict(c, pod, node, o)
    if (outcome === 'evicted') {
      drained.evicted.push(ref(pod))
      evictedUids.add(pod.metadata?.uid ?? '')
      o.log(`  evicted ${ref(pod)}${pod.metadata?.ownerReferences?.length ? '' : ' (a bare pod: nothing brings it back)'}`)
    }
    if (outcome === 'left') drained.leftInPlace.push(ref(pod))
  }
  let deadline = Date.now() + o.stallMs
  let seen = ''
  for (;;) {
    const leaving = (await onNode()).filter((p) => evictedUids.has(p.metadata?.uid ?? '')).map(describePod).sort().join(', ')
    if (!leaving) return drained
    if (leaving !== seen) {
      seen = leaving
      deadline = Date.now() + o.stallMs
    }
    if (Date.now() > deadline) throw new Error(`drain of ${node}: evicted pods still on it after ${o.stallMs / 1000}s without change: ${leaving}`)
    await sleep(o.pauseMs ?? 1000)
  }
}

// Cordon (true) or uncordon (false).
// The annotation a cordon of cluster:upgrade leaves on its node, until its uncordon: a node
// unschedulable without it was cordoned by someone else, and an upgrade leaves it so.
export const upgradeCordon = 'stateful-conformance.dev/cordoned-by-upgrade'

export async function setUnschedulable(c: Clients, node: string, unschedulable: boolean): Promise<void> {
  await c.objects.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, annotations: { [upgradeCordon]: unschedulable ? 'true' : null } }, spec: { unschedulable } } as k8s.KubernetesObject,
    undefined, undefined, 'stateful-conformance-cluster', undefined, k8s.PatchStrategy.MergePatch)
}

// Whether the node is cordoned, and not by cluster:upgrade (setUnschedulable's annotation).
export async function cordonedByOthers(c: Clients, node: string): Promise<boolean> {
  const n = await c.core.readNode({ name: node })
  return !!n.spec?.unschedulable && n.metadata?.annotations?.[upgradeCordon] !== 'true'
}
