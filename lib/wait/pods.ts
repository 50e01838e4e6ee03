// Waits on pods: one pod, a labelled set, Ready, gone.
import type { V1Pod } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { describePod, describePods, isPodReady } from '../resources/pods.ts'
import { waitFor } from './wait-for.ts'

export function waitForPods(kube: Kube, namespace: string, labelSelector: string, what: string,
  until: (pods: V1Pod[]) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1Pod[]> {
  return waitFor<V1Pod, V1Pod[]>(kube, {
    what: `${what} (pods ${namespace} -l ${labelSelector})`, timeout, resource: resources.pods, query: { namespace, labelSelector },
    until: (pods) => (until(pods) ? pods : undefined),
    describe: describePods,
  })
}

export function waitForPod(kube: Kube, namespace: string, name: string, what: string,
  until: (pod: V1Pod) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1Pod> {
  return waitFor<V1Pod, V1Pod>(kube, {
    what: `pod ${namespace}/${name} ${what}`, timeout, resource: resources.pods,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([pod]) => (pod && until(pod) ? pod : undefined),
    describe: ([pod]) => (pod ? describePod(pod) : 'no such pod'),
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
