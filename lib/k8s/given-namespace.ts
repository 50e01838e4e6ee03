// SC_NAMESPACE: a user who may use one namespace only. The run makes no
// namespace of its own: every claim runs in the given one, one at a time.
// Whatever the run creates there carries the suite's and the run's labels, on
// pod and claim templates too (the pods and claims controllers make from them
// carry them as well). Between claims the run deletes what carries them and
// waits until it is gone, so a claim starts in a namespace holding nothing of
// the last one, and nothing else of the namespace is touched.
// Writes outside the namespace (volumes, nodes, classes, snapshot contents, a
// second namespace) are beyond such a user: a claim that needs one ends
// skipped, naming it (NamespaceModeLimit; lib/harness/claim-run.ts).
import type { KubernetesObject } from '@kubernetes/client-node'
import { pollPause, progress } from './claim-context.ts'
import { describeApiError, isNotFound, type GivenNamespace, type Kube, retryTransient } from './kube.ts'
import { listObjects, type Resource, resources } from './watch.ts'
import { managedBy, runLabel, suiteSelector } from './suite-labels.ts'

export const namespaceModeLimit = 'NamespaceModeLimit'

export class NamespaceModeLimit extends Error {
  override name = namespaceModeLimit
}

// Throws NamespaceModeLimit in SC_NAMESPACE mode: `what` reaches outside the given namespace.
export function refuseOutsideGiven(kube: Pick<Kube, 'given'>, what: string): void {
  if (kube.given) {
    throw new NamespaceModeLimit(`${what}: beyond a user of one namespace (SC_NAMESPACE=${kube.given.namespace} runs what a user limited to that namespace may do)`)
  }
}

export const givenLabels = (given: GivenNamespace): Record<string, string> => ({ ...managedBy, [runLabel]: given.runId })

// The run's own objects only: in the given namespace, an object of that name that does not carry the
// run's label is the namespace's (its team's, or another run's), and `what` (an apply that would take
// it over, a delete by name) is refused, naming it (NamespaceModeLimit). No object: nothing to refuse.
export async function refuseUnlessOwn(kube: Pick<Kube, 'given'>, namespace: string | undefined, what: string, read: () => Promise<KubernetesObject>): Promise<void> {
  const given = kube.given
  if (!given || namespace !== given.namespace) return
  const found = await read().catch((err: unknown) => { if (isNotFound(err)) return undefined; throw err })
  const run = found?.metadata?.labels?.[runLabel]
  if (found && run !== given.runId) {
    throw new NamespaceModeLimit(`${what}: namespace ${namespace} holds a ${found.kind ?? 'object'} ${found.metadata?.name} that is ${run ? `run ${run}'s` : 'not the suite\'s'}, which the suite leaves alone (SC_NAMESPACE)`)
  }
}

// The kinds a claim may create that are not namespaced: applying one in SC_NAMESPACE mode is refused.
const clusterScopedKinds = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'VolumeSnapshotClass', 'VolumeSnapshotContent', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding'])

// A copy of `obj` carrying the run's labels where it is made in the given namespace (and `obj` itself
// elsewhere): on the object, its pod template, its claim templates and its pods' ephemeral volume
// templates. A cluster-scoped kind is refused (NamespaceModeLimit).
export function labelForGiven<T extends KubernetesObject>(kube: Pick<Kube, 'given'>, namespace: string | undefined, obj: T): T {
  const given = kube.given
  if (!given) return obj
  if (clusterScopedKinds.has(obj.kind ?? '')) refuseOutsideGiven(kube, `create ${obj.kind} ${obj.metadata?.name ?? ''}`.trim())
  if (namespace !== given.namespace) return obj
  const labels = givenLabels(given)
  const copy = structuredClone(obj) as T & { spec?: LabelledSpec }
  copy.metadata = withLabels(copy.metadata, labels)
  const spec = copy.spec
  if (spec?.template) {
    spec.template.metadata = withLabels(spec.template.metadata, labels)
    labelEphemeralVolumes(spec.template.spec, labels)
  }
  for (const claim of spec?.volumeClaimTemplates ?? []) claim.metadata = withLabels(claim.metadata, labels)
  if (copy.kind === 'Pod') labelEphemeralVolumes(spec as PodSpecVolumes | undefined, labels)
  return copy
}

interface Meta { labels?: Record<string, string>; [k: string]: unknown }
interface PodSpecVolumes { volumes?: { ephemeral?: { volumeClaimTemplate?: { metadata?: Meta } } }[] }
interface LabelledSpec extends PodSpecVolumes {
  template?: { metadata?: Meta; spec?: PodSpecVolumes }
  volumeClaimTemplates?: { metadata?: Meta }[]
}

const withLabels = <M extends { labels?: Record<string, string> }>(meta: M | undefined, labels: Record<string, string>): M =>
  ({ ...meta, labels: { ...meta?.labels, ...labels } }) as M

function labelEphemeralVolumes(spec: PodSpecVolumes | undefined, labels: Record<string, string>): void {
  for (const v of spec?.volumes ?? []) {
    const template = v.ephemeral?.volumeClaimTemplate
    if (template) template.metadata = withLabels(template.metadata, labels)
  }
}

// What a run may leave in the given namespace, in the order it deletes them: workloads before their
// pods, claims last (their protection waits for the pods). ReplicaSets go with their Deployments
// (the garbage collector); the sweep only waits for them.
export const sweptKinds: (Resource & { deleted: boolean })[] = [
  { ...resources.statefulSets, deleted: true },
  { ...resources.deployments, deleted: true },
  { ...resources.replicaSets, deleted: false },
  { ...resources.pods, deleted: true },
  { ...resources.services, deleted: true },
  { ...resources.podDisruptionBudgets, deleted: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', deleted: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', deleted: true },
  { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', plural: 'volumesnapshots', deleted: true },
  { ...resources.pvcs, deleted: true },
]

// A listing of one kind by label in the namespace: [] where the kind is not served (no snapshot API).
export type ListLabelled = (r: Resource, namespace: string, selector: string) => Promise<KubernetesObject[]>
export type DeleteObject = (obj: KubernetesObject) => Promise<unknown>

export function givenObjects(kube: Kube): { list: ListLabelled; remove: DeleteObject } {
  return {
    list: async (r, namespace, selector) => {
      const listed = await listObjects(kube, r, { namespace, labelSelector: selector })
        .catch((err: unknown) => {
          if (isNotFound(err) || /unrecognized api version and kind/i.test(String((err as Error).message))) return { items: [] }
          throw err
        })
      return listed.items.map((o) => ({ ...o, apiVersion: r.apiVersion, kind: r.kind }))
    },
    remove: (obj) => retryTransient(`delete ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`,
      () => kube.objects.delete(obj, undefined, undefined, undefined, undefined, 'Background'))
      .catch((err: unknown) => { if (!isNotFound(err)) throw err }),
  }
}

// Every object of the swept kinds in the namespace that the selector picks.
export const listLabelled = async (api: { list: ListLabelled }, namespace: string, selector: string): Promise<KubernetesObject[]> =>
  (await Promise.all(sweptKinds.map((k) => api.list(k, namespace, selector)))).flat()

// Deletes what carries the selector's labels in the namespace and waits (a deadline-bounded poll:
// one watch per kind would cost more than the listings) until none is left. Returns what is left
// at the deadline, as "Kind/name".

export async function sweepNamespace(namespace: string, selector: string, timeoutMs: number, api: { list: ListLabelled; remove: DeleteObject }): Promise<string[]> {
  const listAll = () => listLabelled(api, namespace, selector)
  let left = await listAll()
  if (!left.length) return []
  progress(`removing ${left.length} object(s) of the run from namespace ${namespace} (SC_NAMESPACE): ${describeObjects(left)}`)
  for (const k of sweptKinds.filter((s) => s.deleted)) {
    for (const obj of left.filter((o) => o.kind === k.kind)) {
      await api.remove(obj).catch((err: unknown) => console.warn(`delete ${obj.kind} ${namespace}/${obj.metadata?.name}: ${describeApiError(err)}`))
    }
  }
  const deadline = Date.now() + timeoutMs
  while ((left = await listAll()).length && Date.now() < deadline) await pollPause(1_000) // poll interval of a deadline-bounded poll
  return left.map((o) => `${o.kind}/${o.metadata?.name}`)
}

export const describeObjects = (objs: KubernetesObject[], most = 8) =>
  `${objs.slice(0, most).map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}${objs.length > most ? ` and ${objs.length - most} more` : ''}`

// The run's objects in the given namespace, removed: between claims, and at the run's end.
export const sweepGiven = (kube: Kube, given: GivenNamespace, timeoutMs: number, runId: string | undefined = given.runId) =>
  sweepNamespace(given.namespace, suiteSelector(runId), timeoutMs, givenObjects(kube))
