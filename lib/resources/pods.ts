// Pods: the verbs specs use instead of the raw client, and one-line
// descriptions for wait messages and assertion context.
import type { V1Pod, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node'
import { apiCall, apiCreate, apiDelete, isNotFound, type Kube } from '../k8s/kube.ts'
import { loadManifest } from '../k8s/manifests.ts'
import { labelForGiven, refuseUnlessOwn } from '../k8s/given-namespace.ts'
import { namespaceIds } from '../k8s/namespaces.ts'
import { assignNamespaceIds } from '../k8s/pod-ids.ts'
import { resourceRequirements, suiteContainerResources } from '../k8s/pod-resources.ts'

// `kubectl exec` and `kubectl port-forward`, for specs (which do not import lib/k8s).
export { containerStatusOf } from '../k8s/containers.ts'
export { execIn, execOk, type ExecResult } from '../k8s/exec.ts'
export { portForward, type Forward } from '../k8s/port-forward.ts'

export const getPod = (kube: Kube, namespace: string, name: string): Promise<V1Pod> =>
  apiCall(`get pod ${namespace}/${name}`, () => kube.core.readNamespacedPod({ namespace, name }))

export async function findPod(kube: Kube, namespace: string, name: string): Promise<V1Pod | undefined> {
  return kube.core.readNamespacedPod({ namespace, name }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined
    throw err
  })
}

export const listPods = (kube: Kube, namespace: string, labelSelector?: string): Promise<V1Pod[]> =>
  apiCall(`list pods in ${namespace}`, () => kube.core.listNamespacedPod({ namespace, labelSelector })).then((l) => byName(l.items))

// The pods in the order of their names (podinfo-0, podinfo-1, …), as a new array.
export const byName = (pods: V1Pod[]): V1Pod[] => [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))

// The pod of that name among `pods`; throws when it is not there.
export function podNamed(pods: V1Pod[], name: string): V1Pod {
  const pod = pods.find((p) => p.metadata?.name === name)
  if (!pod) throw new Error(`no pod ${name} among ${podNames(pods).join(', ') || 'no pods'}`)
  return pod
}

// Deletes the pod of that name as it is now; returns it as it was (its uid names that incarnation).
// The uid is the delete's precondition, so that a retried delete never takes a replacement of the same name.
export async function deletePod(kube: Kube, namespace: string, name: string, gracePeriodSeconds?: number): Promise<V1Pod> {
  const pod = await getPod(kube, namespace, name)
  await refuseUnlessOwn(kube, namespace, `delete pod ${namespace}/${name}`, async () => pod)
  const deleted = await apiDelete(`delete pod ${namespace}/${name}`, () =>
    kube.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds, body: { preconditions: { uid: pod.metadata?.uid } } }), { uidPrecondition: true })
  return deleted ?? pod
}

// Creates the pod, with the namespace's ids where it has an assigned range (OpenShift, lib/k8s/pod-ids.ts).
export async function createPod(kube: Kube, namespace: string, pod: V1Pod): Promise<V1Pod> {
  const ids = await namespaceIds(kube, namespace)
  const body = labelForGiven(kube, namespace, ids ? structuredClone(pod) : pod)
  if (ids) assignNamespaceIds(body.spec, ids)
  return apiCreate(`create pod ${namespace}/${body.metadata?.name}`, body, (b) => kube.core.createNamespacedPod({ namespace, body: b }),
    () => kube.core.readNamespacedPod({ namespace, name: body.metadata?.name ?? '' }))
}

// Creates the pod of that name from a fixture file (which may hold other objects too).
export async function createPodFromFixture(kube: Kube, namespace: string, file: string, name: string, edit?: (p: V1Pod) => void): Promise<V1Pod> {
  const pod = (await loadManifest(file)).find((o) => o.kind === 'Pod' && o.metadata?.name === name) as V1Pod | undefined
  if (!pod) throw new Error(`fixtures/${file} has no Pod named ${name}`)
  edit?.(pod)
  return createPod(kube, namespace, pod)
}

// Specs compare a pod's addresses per family (IPv4, IPv6, dual-stack) with these.
export { addressDifference, includesAny, isIpAddress } from '../k8s/addresses.ts'

// What every pod the suite makes carries, so that the restricted Pod Security
// level admits it (non-root with numeric ids, no privilege escalation, no
// capabilities, the runtime's seccomp profile) and that it can write to a
// fresh volume (fsGroup): the fixtures spell the same out in their YAML. In a
// namespace with an assigned range (OpenShift) createPod moves the ids into it.
export const restrictedPod = (ids: { runAsUser: number; runAsGroup: number; fsGroup: number } = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }):
  { nodeSelector: Record<string, string>; securityContext: V1PodSecurityContext } => ({
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  securityContext: { runAsNonRoot: true, ...ids, seccompProfile: { type: 'RuntimeDefault' } },
})
export const restrictedContainer: V1SecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }
// The requests equal to limits every container the suite makes carries (SC_POD_RESOURCES).
export const containerResources = () => resourceRequirements(suiteContainerResources())

export const podIp = (p: V1Pod) => p.status?.podIP ?? ''
// Every address of the pod: one per family on a dual-stack cluster.
export const podIps = (p: V1Pod): string[] => p.status?.podIPs?.map((x) => x.ip).filter(Boolean) ?? (p.status?.podIP ? [p.status.podIP] : [])

// The claim the pod mounts as volume `volume`, as its spec names it.
export const mountedClaim = (p: V1Pod, volume: string) => p.spec?.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName
export const podNames = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name ?? '').sort()

export const isPodReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true

export function describePod(p: V1Pod): string {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
  const statuses = p.status?.containerStatuses ?? []
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0)
  const reasons = statuses.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).filter(Boolean)
  const pending = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')
  // Why a restarted container ended (a liveness probe's kill is exit 137 with reason Error), and when.
  const lastEnd = statuses.flatMap((s) => {
    const t = s.lastState?.terminated
    return t ? [`${s.name} ${t.reason ?? 'terminated'}, exit ${t.exitCode}${t.finishedAt ? ` at ${new Date(t.finishedAt).toISOString()}` : ''}`] : []
  })
  return [
    `${p.metadata?.name}: ${p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown')}`,
    ready ? 'Ready' : 'not Ready',
    restarts ? `${restarts} restarts${lastEnd.length ? ` (last ended: ${lastEnd.join(', ')})` : ''}` : '',
    reasons.length ? `(${reasons.join(', ')})` : '',
    pending ? `unschedulable: ${pending.message ?? pending.reason}` : '',
    p.status?.podIP ? `ip ${p.status.podIP}` : '',
    p.spec?.nodeName ? `on ${p.spec.nodeName}` : '',
  ].filter(Boolean).join(' ')
}

// Left Pending by the scheduler for want of room: its requests fit no node now (Insufficient cpu,
// memory or another resource, or the node's pod limit), as opposed to a taint, an affinity or a volume.
// Since when (ms, 0 where the condition says no time) it has been left Pending so; undefined where it is not.
export function roomWaitSince(p: V1Pod): number | undefined {
  const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False')
  if (c?.reason !== 'Unschedulable' || !/\bInsufficient \S+|Too many pods/.test(c.message ?? '')) return undefined
  return conditionChangedAt(c) ?? 0
}

// "web-0 waits for room on the nodes (0/1 nodes are available: 1 Insufficient cpu…)": the pods the
// scheduler now leaves Pending for want of room, for a wait's progress line; undefined where none is.
export function waitingForRoom(pods: V1Pod[]): string | undefined {
  const waiting = pods.filter((p) => roomWaitSince(p) !== undefined)
  if (!waiting.length) return undefined
  const why = waiting[0]!.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? ''
  return `${waiting.map((p) => p.metadata?.name).join(', ')} ${waiting.length > 1 ? 'wait' : 'waits'} for room on the nodes (${why.split('. ')[0]})`
}

// When a pod condition last changed, as the API keeps it (to the second).
export function conditionChangedAt(c: { lastTransitionTime?: Date | string } | undefined): number | undefined {
  const ms = c?.lastTransitionTime === undefined ? Number.NaN : new Date(c.lastTransitionTime).getTime()
  return Number.isNaN(ms) ? undefined : ms
}

export function describePods(pods: V1Pod[]): string {
  if (!pods.length) return 'no pods'
  return byName(pods).map(describePod).join('; ')
}

// The last lines a pod's container wrote to its log (`kubectl logs --tail`).
export const readPodLog = (kube: Kube, namespace: string, name: string, tailLines = 200): Promise<string> =>
  apiCall(`read the log of pod ${namespace}/${name}`, () => kube.core.readNamespacedPodLog({ namespace, name, tailLines }))
