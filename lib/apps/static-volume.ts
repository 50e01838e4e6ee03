// Quest 001's static volume ("when to use a static PV?", fixtures/001/static-pv.yaml):
// a PersistentVolume made by hand, a claim that asks for exactly that volume,
// and a pod writing through the claim. The volume is made the way an
// administrator imports storage that already exists, so it works on any
// cluster and class without touching a node: a volume of the run's first class
// is provisioned (fixtures/001/static-storage.yaml) and retained, its PV object
// deleted, and a PV written by hand for the storage that stays. Recovering a
// Released volume is the administrator's way too: clear its claimRef, bind a
// new claim. Volumes are cluster-wide, so each test names its own.
import type { KubernetesObject, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { applyObjects, loadManifest } from '../k8s/manifests.ts'
import { managedBy } from '../k8s/suite-labels.ts'
import { deletePod } from '../resources/pods.ts'
import { deletePv, deletePvc, getPv, patchVolume, setReclaimPolicy } from '../resources/storage.ts'
import { waitForPodGone, waitForPodReady } from '../wait/pods.ts'
import { waitForPv, waitForPvcBound, waitForPvcGone, waitForPvGone } from '../wait/storage.ts'

export interface StaticVolume {
  namespace: string
  pv: string
}

export const staticVolumeOf = (namespace: string): StaticVolume => ({ namespace, pv: `sandwich-static-${namespace}` })

// Storage that outlived its PV object: what a volume made by hand points at.
export interface KeptStorage {
  // The PV it was provisioned as (now deleted), and its class.
  was: string
  storageClass: string
  spec: V1PersistentVolume['spec']
  // The provisioner that made it: once the hand-made volume's policy is
  // Delete, that provisioner removes the storage (as for the volume it made).
  provisionedBy?: string
}

const provisionedByAnnotation = 'pv.kubernetes.io/provisioned-by'

// Provisions a volume of the run's first class, keeps its storage (Retain),
// and deletes the claim, the pod and the PV object.
export async function keepStorage(kube: Kube, namespace: string): Promise<KeptStorage> {
  await applyObjects(kube, namespace, await loadManifest('001/static-storage.yaml'))
  const claim = await waitForPvcBound(kube, namespace, 'static-storage')
  await waitForPodReady(kube, namespace, 'static-storage-user')
  const was = claim.spec!.volumeName!
  await setReclaimPolicy(kube, was, 'Retain')
  const uid = (await deletePod(kube, namespace, 'static-storage-user', 0)).metadata?.uid
  await waitForPodGone(kube, namespace, 'static-storage-user', uid)
  await deletePvc(kube, namespace, 'static-storage')
  await waitForPvcGone(kube, namespace, 'static-storage')
  const pv = (await waitForPv(kube, was, 'to be Released', (v) => v?.status?.phase === 'Released', 'pvcDeleted'))!
  await deletePv(kube, was)
  await waitForPvGone(kube, was)
  return { was, storageClass: claim.spec?.storageClassName ?? '', spec: pv.spec, provisionedBy: pv.metadata?.annotations?.[provisionedByAnnotation] }
}

// The fixture's volume made the test's own and pointed at the kept storage:
// its source, node affinity, volume mode and capacity; no class, Retain, the
// access modes the fixture asks for. Labelled like the suite's volumes, so
// that `npm run clean` finds it after a killed run.
export function handMadeVolume(fixture: V1PersistentVolume, name: string, storage: KeptStorage): V1PersistentVolume {
  const { claimRef: _claimRef, storageClassName: _class, persistentVolumeReclaimPolicy: _policy, accessModes: _modes, ...source } = storage.spec ?? {}
  return {
    apiVersion: fixture.apiVersion,
    kind: fixture.kind,
    metadata: {
      name,
      labels: { ...fixture.metadata?.labels, ...managedBy },
      ...(storage.provisionedBy ? { annotations: { [provisionedByAnnotation]: storage.provisionedBy } } : {}),
    },
    spec: {
      ...source,
      storageClassName: fixture.spec?.storageClassName ?? '',
      persistentVolumeReclaimPolicy: fixture.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
      accessModes: fixture.spec?.accessModes,
    },
  }
}

// Applies the fixture's objects of one kind, made the test's own: the volume
// (on the kept storage), or the claim asking for it, or the pod (`as` renames
// the claim and the pod: a second claim to recover the volume with).
export async function applyStaticVolumePart(kube: Kube, v: StaticVolume, kind: 'PersistentVolume' | 'PersistentVolumeClaim' | 'Pod',
  o: { storage?: KeptStorage; as?: { claim: string; pod: string } } = {}): Promise<void> {
  const objects = (await loadManifest('001/static-pv.yaml')).filter((x) => x.kind === kind)
  const own = (x: KubernetesObject): KubernetesObject => {
    if (x.kind === 'PersistentVolume') {
      if (!o.storage) throw new Error('a volume made by hand needs the storage it points at (keepStorage)')
      return handMadeVolume(x as V1PersistentVolume, v.pv, o.storage)
    }
    if (x.kind === 'PersistentVolumeClaim') {
      const c = x as V1PersistentVolumeClaim
      c.spec!.volumeName = v.pv
      if (o.as) c.metadata!.name = o.as.claim
    }
    if (x.kind === 'Pod' && o.as) {
      const p = x as V1Pod
      p.metadata!.name = o.as.pod
      for (const vol of p.spec?.volumes ?? []) if (vol.persistentVolumeClaim) vol.persistentVolumeClaim.claimName = o.as.claim
    }
    return x
  }
  await applyObjects(kube, v.namespace, objects.map(own))
}

// What an administrator does to use a Released volume again: remove its
// claimRef, so that it is Available to a new claim; data untouched.
export async function releaseForNewClaim(kube: Kube, pv: string): Promise<V1PersistentVolume> {
  await patchVolume(kube, pv, { spec: { claimRef: null } })
  const v = await waitForPv(kube, pv, 'to be Available', (x) => x?.status?.phase === 'Available', 'pvcBound')
  return v ?? getPv(kube, pv)
}
