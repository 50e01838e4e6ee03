// CSI snapshots (snapshot.storage.k8s.io/v1): VolumeSnapshotClasses,
// VolumeSnapshots and their VolumeSnapshotContents, through the generic
// object API (the client has no typed API for these CRDs).
import { ApisApi, type KubernetesObject, PatchStrategy } from '@kubernetes/client-node'
import { apiCall, isNotFound, type Kube } from '../k8s/kube.ts'
import { refuseOutsideGiven, refuseUnlessOwn } from '../k8s/given-namespace.ts'
import type { Resource } from '../k8s/watch.ts'

export const snapshotApiVersion = 'snapshot.storage.k8s.io/v1'

export const snapshotResources = {
  volumeSnapshots: { apiVersion: snapshotApiVersion, kind: 'VolumeSnapshot', plural: 'volumesnapshots' },
  volumeSnapshotContents: { apiVersion: snapshotApiVersion, kind: 'VolumeSnapshotContent', plural: 'volumesnapshotcontents', clusterScoped: true },
  volumeSnapshotClasses: { apiVersion: snapshotApiVersion, kind: 'VolumeSnapshotClass', plural: 'volumesnapshotclasses', clusterScoped: true },
} as const satisfies Record<string, Resource>

export interface VolumeSnapshotClass extends KubernetesObject {
  driver: string
  deletionPolicy: string
}

export interface VolumeSnapshot extends KubernetesObject {
  spec: { source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string }; volumeSnapshotClassName?: string }
  status?: {
    boundVolumeSnapshotContentName?: string
    readyToUse?: boolean
    restoreSize?: string
    creationTime?: string
    error?: { message?: string; time?: string }
  }
}

export interface VolumeSnapshotContent extends KubernetesObject {
  spec: { deletionPolicy: string; driver: string; volumeSnapshotRef: { name?: string; namespace?: string } }
  status?: { readyToUse?: boolean; snapshotHandle?: string }
}

// true: the API server serves the snapshot API (its CRDs are installed), from discovery (`kubectl api-versions`).
export async function snapshotApiServed(kube: Kube): Promise<boolean> {
  const groups = await apiCall('list API groups', () => kube.kc.makeApiClient(ApisApi).getAPIVersions())
  return groups.groups.some((g) => g.versions.some((v) => v.groupVersion === snapshotApiVersion))
}

export async function listSnapshotClasses(kube: Kube): Promise<VolumeSnapshotClass[]> {
  const list = await apiCall('list VolumeSnapshotClasses', () => kube.objects.list<VolumeSnapshotClass>(snapshotApiVersion, 'VolumeSnapshotClass'))
  return list.items
}

export const getSnapshot = (kube: Kube, namespace: string, name: string): Promise<VolumeSnapshot> =>
  apiCall(`get VolumeSnapshot ${namespace}/${name}`, () => kube.objects.read({ apiVersion: snapshotApiVersion, kind: 'VolumeSnapshot', metadata: { name, namespace } })) as Promise<VolumeSnapshot>

export async function deleteSnapshot(kube: Kube, namespace: string, name: string): Promise<void> {
  await refuseUnlessOwn(kube, namespace, `delete VolumeSnapshot ${namespace}/${name}`, () => getSnapshot(kube, namespace, name))
  await apiCall(`delete VolumeSnapshot ${namespace}/${name}`, () => kube.objects.delete({ apiVersion: snapshotApiVersion, kind: 'VolumeSnapshot', metadata: { name, namespace } }))
    .catch((err: unknown) => { if (!isNotFound(err)) throw err })
}

export async function findSnapshotContent(kube: Kube, name: string): Promise<VolumeSnapshotContent | undefined> {
  return apiCall(`get VolumeSnapshotContent ${name}`, () => kube.objects.read({ apiVersion: snapshotApiVersion, kind: 'VolumeSnapshotContent', metadata: { name } }))
    .then((c) => c as VolumeSnapshotContent, (err: unknown) => { if (isNotFound(err)) return undefined; throw err })
}

export async function deleteSnapshotContent(kube: Kube, name: string): Promise<void> {
  refuseOutsideGiven(kube, `delete VolumeSnapshotContent ${name}`)
  await apiCall(`delete VolumeSnapshotContent ${name}`, () => kube.objects.delete({ apiVersion: snapshotApiVersion, kind: 'VolumeSnapshotContent', metadata: { name } }))
    .catch((err: unknown) => { if (!isNotFound(err)) throw err })
}

// `kubectl patch volumesnapshotcontent <name> --type merge -p '{"spec":{"deletionPolicy":"Delete"}}'`:
// a Retain content is switched to Delete so that deleting it removes the snapshot on the storage too.
export async function setSnapshotContentDeletionPolicy(kube: Kube, name: string, policy: 'Delete' | 'Retain') {
  refuseOutsideGiven(kube, `patch VolumeSnapshotContent ${name}`)
  return apiCall(`patch VolumeSnapshotContent ${name}`, () => kube.objects.patch(
    { apiVersion: snapshotApiVersion, kind: 'VolumeSnapshotContent', metadata: { name }, spec: { deletionPolicy: policy } } as KubernetesObject,
    undefined, undefined, 'stateful-conformance', undefined, PatchStrategy.MergePatch,
  ))
}

export const describeSnapshot = (s: VolumeSnapshot | undefined) => !s ? 'no such VolumeSnapshot'
  : `readyToUse ${s.status?.readyToUse ?? 'unset'}, content ${s.status?.boundVolumeSnapshotContentName ?? 'none'}, restoreSize ${s.status?.restoreSize ?? 'unset'}`
    + `${s.status?.error?.message ? `, error: ${s.status.error.message}` : ''}`
