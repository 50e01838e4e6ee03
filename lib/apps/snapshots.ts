// SC-08's snapshots, to nothing left: a VolumeSnapshot's removal after the test, VolumeSnapshotContent
// included, also where the snapshot class retains contents (Retain): the
// content is switched to Delete first, so the snapshot on the storage goes too.
import type { Kube } from '../k8s/kube.ts'
import { progress } from '../k8s/claim-context.ts'
import { deleteSnapshot, deleteSnapshotContent, findSnapshotContent, getSnapshot, setSnapshotContentDeletionPolicy } from '../resources/snapshots.ts'
import { waitForSnapshotContentGone, waitForSnapshotGone } from '../wait/snapshots.ts'

// The snapshot and its content, gone. Returns what it removed, for the step log.
export async function removeSnapshot(kube: Kube, ns: string, name: string): Promise<string[]> {
  const snapshot = await getSnapshot(kube, ns, name).catch(() => undefined)
  const contentName = snapshot?.status?.boundVolumeSnapshotContentName
  const content = contentName ? await findSnapshotContent(kube, contentName) : undefined
  const retained = content && content.spec.deletionPolicy !== 'Delete'
  // A user of one namespace (SC_NAMESPACE) may change no content: a retained one stays, named.
  if (retained && kube.given) console.warn(`VolumeSnapshotContent ${contentName} has deletionPolicy ${content.spec.deletionPolicy}: it stays after its snapshot (SC_NAMESPACE: a cluster-scoped object this user may not change); an administrator removes it`)
  else if (retained) {
    progress(`VolumeSnapshotContent ${contentName} has deletionPolicy ${content.spec.deletionPolicy}: switched to Delete so that the snapshot on the storage goes too`)
    await setSnapshotContentDeletionPolicy(kube, content.metadata!.name!, 'Delete')
  }
  const removed: string[] = []
  if (snapshot) {
    await deleteSnapshot(kube, ns, name)
    await waitForSnapshotGone(kube, ns, name)
    removed.push(`VolumeSnapshot ${ns}/${name}`)
  }
  if (contentName && !(retained && kube.given)) {
    // With Delete the snapshotter removes the content itself; one left over is deleted here (not by a user of one namespace).
    if (!kube.given && await findSnapshotContent(kube, contentName)) await deleteSnapshotContent(kube, contentName)
    await waitForSnapshotContentGone(kube, contentName)
    removed.push(`VolumeSnapshotContent ${contentName}`)
  }
  return removed
}
