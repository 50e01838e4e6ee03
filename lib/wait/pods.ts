// Waits on pods: one pod, a labelled set, Ready, gone, replaced.
import type { V1Pod } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { createPodFromFixture, deletePod, describePod, describePods, isPodReady, roomWaitSince, waitingForRoom } from '../resources/pods.ts'
import { waitFor, waitForNamed } from './wait-for.ts'

export function waitForPods(kube: Kube, namespace: string, labelSelector: string, what: string,
  until: (pods: V1Pod[]) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1Pod[]> {
  return waitFor<V1Pod, V1Pod[]>(kube, {
    what: `${what} (pods ${namespace} -l ${labelSelector})`, timeout, resource: resources.pods, query: { namespace, labelSelector },
    until: (pods) => (until(pods) ? pods : undefined),
    describe: describePods, waitingForRoom,
  })
}

export function waitForPod(kube: Kube, namespace: string, name: string, what: string,
  until: (pod: V1Pod) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1Pod> {
  return waitForNamed<V1Pod>(kube, {
    what: `pod ${namespace}/${name} ${what}`, timeout, resource: resources.pods, namespace, name, until, describe: describePod, absent: 'no such pod',
    waitingForRoom: (p) => waitingForRoom([p]),
  })
}

// Until the scheduler has judged the pod on its merits: it is bound to a node, or left Unschedulable
// for a reason other than room (cpu, memory, pod slots), or for one `decisive` names even beside a
// want of room. A pod that only waits for room waits its turn (the wait's idle limit does not run).
export function waitForSchedulerJudgement(kube: Kube, namespace: string, name: string, decisive: (message: string) => boolean = () => false): Promise<V1Pod> {
  return waitForPod(kube, namespace, name, 'to be scheduled, or refused for a reason other than room on the nodes', (p) => {
    if (p.spec?.nodeName) return true
    const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False' && x.reason === 'Unschedulable')
    return c !== undefined && (roomWaitSince(p) === undefined || decisive(c.message ?? ''))
  })
}

export const waitForPodReady = (kube: Kube, namespace: string, name: string) =>
  waitForPod(kube, namespace, name, 'to be Ready', isPodReady)

// Gone: no pod of that name, or one with another uid (a replacement).
export function waitForPodGone(kube: Kube, namespace: string, name: string, uid?: string): Promise<true> {
  return waitFor<V1Pod, true>(kube, {
    what: `pod ${namespace}/${name}${uid ? ` (uid ${uid})` : ''} to be gone`, timeout: 'podDeleted', resource: resources.pods,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([pod]) => !pod || (uid !== undefined && pod.metadata?.uid !== uid),
    describe: ([pod]) => (pod ? describePod(pod) : 'no such pod'),
  })
}

export function waitForReadyReplicas(kube: Kube, namespace: string, labelSelector: string, count: number): Promise<V1Pod[]> {
  return waitForPods(kube, namespace, labelSelector, `${count} Ready`, (pods) => pods.filter(isPodReady).length === count && pods.length === count)
}

// The pod of that name its controller made after the one with `oldUid`: another uid, Ready.
export const waitForReplacement = (kube: Kube, namespace: string, name: string, oldUid: string | undefined) =>
  waitForPod(kube, namespace, name, `to be back (uid other than ${oldUid}) and Ready`, (p) => p.metadata?.uid !== oldUid && isPodReady(p))

// Deletes the pod and waits until that incarnation is gone; returns it as it was deleted.
export async function deletePodAndWaitGone(kube: Kube, namespace: string, name: string, gracePeriodSeconds?: number): Promise<V1Pod> {
  const deleted = await deletePod(kube, namespace, name, gracePeriodSeconds)
  await waitForPodGone(kube, namespace, name, deleted.metadata?.uid)
  return deleted
}

// A StatefulSet's pod: deleted, and its controller's replacement (same name, another uid) Ready.
export async function deletePodAndWaitForReplacement(kube: Kube, namespace: string, name: string): Promise<{ before: V1Pod; after: V1Pod }> {
  const before = await deletePodAndWaitGone(kube, namespace, name)
  return { before, after: await waitForReplacement(kube, namespace, name, before.metadata?.uid) }
}

// A bare pod, which no controller brings back: deleted, gone, and created again from its fixture.
export async function recreatePodFromFixture(kube: Kube, namespace: string, name: string, file: string, edit?: (p: V1Pod) => void): Promise<V1Pod> {
  await deletePodAndWaitGone(kube, namespace, name)
  return createPodFromFixture(kube, namespace, file, name, edit)
}
