// Small verbs on storage classes, claims, volumes and nodes that the
// PVC/PV specs use instead of the raw client.
import { PatchStrategy, type V1Node, type V1PersistentVolumeClaim, type V1StorageClass } from '@kubernetes/client-node'
import { apiCall, describeApiError, isNotFound, retryTransient, type Kube } from './kube.ts'
import { isDefaultClass } from './storage-classes.ts'

const api = apiCall

export const listStorageClasses = (kube: Kube): Promise<V1StorageClass[]> =>
  api('list storage classes', () => kube.storage.listStorageClass()).then((l) => l.items)

export const getStorageClass = (kube: Kube, name: string): Promise<V1StorageClass> =>
  api(`get storage class ${name}`, () => kube.storage.readStorageClass({ name }))

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

export const deletePv = (kube: Kube, name: string) =>
  api(`delete volume ${name}`, () => kube.core.deletePersistentVolume({ name }))

export const getNode = (kube: Kube, name: string): Promise<V1Node> =>
  api(`get node ${name}`, () => kube.core.readNode({ name }))

export const setReclaimPolicy = (kube: Kube, pv: string, policy: 'Delete' | 'Retain') =>
  apiCall(`set reclaim policy ${policy} on volume ${pv}`, () => kube.objects.patch(
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv }, spec: { persistentVolumeReclaimPolicy: policy } },
    undefined, undefined, 'stateful-conformance', undefined, PatchStrategy.MergePatch))
