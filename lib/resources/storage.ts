// Storage classes, claims and volumes: the verbs specs use instead of the raw
// client, and one-line descriptions of them.
import { PatchStrategy, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1StorageClass } from '@kubernetes/client-node'
import { apiCall, apiDelete, describeApiError, isNotFound, retryTransient, type Kube } from '../k8s/kube.ts'
import { refuseOutsideGiven, refuseUnlessOwn } from '../k8s/given-namespace.ts'
import { bytesOf } from '../k8s/quantity.ts'
import { patchObject } from './workloads.ts'

// Quantities as bytes, for specs (which do not import lib/k8s): a claim's request against its capacity.
export { bytesOf, describeQuantity } from '../k8s/quantity.ts'

export const listStorageClasses = (kube: Kube): Promise<V1StorageClass[]> =>
  apiCall('list storage classes', () => kube.storage.listStorageClass()).then((l) => l.items)

export const getStorageClass = (kube: Kube, name: string): Promise<V1StorageClass> =>
  apiCall(`get storage class ${name}`, () => kube.storage.readStorageClass({ name }))

// The class a claim without storageClassName gets: the default one, and when
// several are marked default, the newest (as the admission plugin chooses).
export function defaultStorageClass(classes: V1StorageClass[]): V1StorageClass | undefined {
  const created = (c: V1StorageClass) => new Date(c.metadata?.creationTimestamp ?? 0).getTime()
  return classes.filter(isDefaultClass).sort((a, b) => created(b) - created(a) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0]
}

// The claim, or undefined when the API answers 404 for it in that namespace.
export async function findPvc(kube: Kube, namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
  return retryTransient(`get claim ${namespace}/${name}`, () => kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined
      throw new Error(`get claim ${namespace}/${name}: ${describeApiError(err)}`)
    })
}

export async function deletePv(kube: Kube, name: string) {
  refuseOutsideGiven(kube, `delete volume ${name}`)
  return apiDelete(`delete volume ${name}`, () => kube.core.deletePersistentVolume({ name }))
}

// A JSON merge patch on a volume (null removes a field, e.g. spec.claimRef).
export async function patchVolume(kube: Kube, pv: string, patch: { spec: Record<string, unknown> }, what = `patch volume ${pv}`) {
  refuseOutsideGiven(kube, what)
  return apiCall(what, () => kube.objects.patch(
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv }, ...patch },
    undefined, undefined, 'stateful-conformance', undefined, PatchStrategy.MergePatch))
}

export const setReclaimPolicy = (kube: Kube, pv: string, policy: 'Delete' | 'Retain') =>
  patchVolume(kube, pv, { spec: { persistentVolumeReclaimPolicy: policy } }, `set reclaim policy ${policy} on volume ${pv}`)

// As the DefaultStorageClass admission plugin reads it: the GA annotation or the beta one.
export const isDefaultClass = (c: V1StorageClass) =>
  c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
  c.metadata?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true'

export function describeStorageClasses(all: V1StorageClass[], selected: string[]): string {
  const rows = all.filter((c) => selected.includes(c.metadata?.name ?? '')).map((c) =>
    `  ${c.metadata?.name}${isDefaultClass(c) ? ' (default)' : ''}: provisioner ${c.provisioner}, binding ${c.volumeBindingMode ?? 'Immediate'}, reclaim ${c.reclaimPolicy ?? 'Delete'}, expansion ${c.allowVolumeExpansion ? 'allowed' : 'not allowed'}`)
  return `stateful-conformance: storage classes under test (SC_STORAGE_CLASSES=name,… or all):\n${rows.join('\n')}`
}

// " of class <name>" for a title or message, or nothing where the claim takes the default class.
export const ofClass = (storageClass?: string) => (storageClass ? ` of class ${storageClass}` : '')

// ---- claims and volumes -----------------------------------------------------------

// The claim a StatefulSet makes for a pod from its claim template: <template>-<pod>.
export const claimForPod = (template: string, pod: string) => `${template}-${pod}`

export const getPvc = (kube: Kube, namespace: string, name: string): Promise<V1PersistentVolumeClaim> =>
  apiCall(`get claim ${namespace}/${name}`, () => kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }))

export const listPvcs = (kube: Kube, namespace: string): Promise<V1PersistentVolumeClaim[]> =>
  apiCall(`list claims in ${namespace}`, () => kube.core.listNamespacedPersistentVolumeClaim({ namespace })).then((l) =>
    l.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')))

export async function deletePvc(kube: Kube, namespace: string, name: string) {
  await refuseUnlessOwn(kube, namespace, `delete claim ${namespace}/${name}`, () => kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }))
  return apiDelete(`delete claim ${namespace}/${name}`, () => kube.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }))
}

// Every volume of the cluster, a page at a time (limit and continue, as kubectl
// lists): a cluster may hold thousands, and one unpaginated answer is the
// API server's most expensive kind of request.
export async function listPvs(kube: Kube, pageSize = 500): Promise<V1PersistentVolume[]> {
  const items: V1PersistentVolume[] = []
  let next: string | undefined
  do {
    const page = await apiCall('list volumes', () => kube.core.listPersistentVolume({ limit: pageSize, _continue: next }))
    items.push(...page.items)
    next = page.metadata?._continue || undefined
  } while (next)
  return items
}

export const getPv = (kube: Kube, name: string): Promise<V1PersistentVolume> =>
  apiCall(`get volume ${name}`, () => kube.core.readPersistentVolume({ name }))

// The volume, or undefined when the API answers 404 for it.
export async function findPv(kube: Kube, name: string): Promise<V1PersistentVolume | undefined> {
  return retryTransient(`get volume ${name}`, () => kube.core.readPersistentVolume({ name }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined
      throw new Error(`get volume ${name}: ${describeApiError(err)}`)
    })
}

export const claimCapacityBytes = (pvc: V1PersistentVolumeClaim | undefined) =>
  pvc?.status?.capacity?.storage ? bytesOf(pvc.status.capacity.storage) : 0

export const describeClaim = (pvc: V1PersistentVolumeClaim | undefined) => !pvc ? 'no such claim'
  : `phase ${pvc.status?.phase}, requested ${pvc.spec?.resources?.requests?.storage}, capacity ${pvc.status?.capacity?.storage ?? 'none'}, `
    + `conditions ${(pvc.status?.conditions ?? []).map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`).join(', ') || 'none'}`
    + `${pvc.status?.allocatedResourceStatuses?.storage ? `, resize status ${pvc.status.allocatedResourceStatuses.storage}` : ''}`

// `kubectl patch pvc <name> -p '{"spec":{"resources":{"requests":{"storage":…}}}}'`
export const resizeClaim = (kube: Kube, ns: string, name: string, size: string) =>
  patchObject(kube, 'v1', 'PersistentVolumeClaim', ns, name, { spec: { resources: { requests: { storage: size } } } })

// How the API server answered a resize: accepted, or the HTTP status with the
// reason and message of its Status body (none when no HTTP answer came).
export type ResizeOutcome = { accepted: true } | { accepted: false; status?: number; reason?: string; message: string }

// A resize whose refusal is an answer, not an error: SC-09 judges it (lib/apps/storage-checks.ts).
// Made with the client itself, so that the Status body (its reason) reaches the judge.
export function requestResize(kube: Kube, ns: string, name: string, size: string): Promise<ResizeOutcome> {
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: { resources: { requests: { storage: size } } } }
  return retryTransient(`resize claim ${ns}/${name}`, () => kube.objects.patch(claim, undefined, undefined, 'stateful-conformance', undefined, PatchStrategy.StrategicMergePatch))
    .then(() => ({ accepted: true as const }), (err: unknown) => ({ accepted: false as const, ...statusOf(err) }))
}

// The Status body of a refused request, as far as the error carries it.
export function statusOf(err: unknown): { status?: number; reason?: string; message: string } {
  const e = err as { code?: unknown; body?: unknown; cause?: unknown; message?: string }
  let body = e?.body ?? (e?.cause as { body?: unknown } | undefined)?.body
  if (typeof body === 'string') {
    try { body = JSON.parse(body) } catch { /* not a Status */ }
  }
  const s = (body && typeof body === 'object' ? body : {}) as { code?: unknown; reason?: unknown; message?: unknown }
  const status = typeof e?.code === 'number' ? e.code : typeof s.code === 'number' ? s.code : undefined
  return {
    ...(status !== undefined ? { status } : {}),
    ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
    message: typeof s.message === 'string' ? s.message : describeApiError(err),
  }
}

