// Waits on CSI snapshots: a VolumeSnapshot ready to restore from, a
// VolumeSnapshotContent gone. A snapshot that reports an error keeps being
// waited on (the snapshotter retries), and the error is what the wait shows.
import type { Kube } from '../k8s/kube.ts'
import { describeSnapshot, snapshotResources, type VolumeSnapshot, type VolumeSnapshotContent } from '../resources/snapshots.ts'
import { waitFor } from './wait-for.ts'

export function waitForSnapshotReady(kube: Kube, namespace: string, name: string): Promise<VolumeSnapshot> {
  return waitFor<VolumeSnapshot, VolumeSnapshot>(kube, {
    what: `VolumeSnapshot ${namespace}/${name} to be ready to use`, timeout: 'snapshotReady', resource: snapshotResources.volumeSnapshots,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([s]) => (s?.status?.readyToUse === true ? s : undefined),
    describe: ([s]) => describeSnapshot(s),
  })
}

export function waitForSnapshotGone(kube: Kube, namespace: string, name: string): Promise<true> {
  return waitFor<VolumeSnapshot, true>(kube, {
    what: `VolumeSnapshot ${namespace}/${name} to be gone`, timeout: 'pvcDeleted', resource: snapshotResources.volumeSnapshots,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([s]) => !s,
    describe: ([s]) => (s ? `${describeSnapshot(s)}, finalizers ${s.metadata?.finalizers?.join(',') || 'none'}` : 'gone'),
  })
}

export function waitForSnapshotContentGone(kube: Kube, name: string): Promise<true> {
  return waitFor<VolumeSnapshotContent, true>(kube, {
    what: `VolumeSnapshotContent ${name} to be gone`, timeout: 'pvDeleted', resource: snapshotResources.volumeSnapshotContents,
    query: { fieldSelector: `metadata.name=${name}` },
    until: ([c]) => !c,
    describe: ([c]) => (c ? `deletionPolicy ${c.spec.deletionPolicy}, finalizers ${c.metadata?.finalizers?.join(',') || 'none'}` : 'gone'),
  })
}
