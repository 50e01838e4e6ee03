// Waiting for a Kubernetes Event about one object (a FailedScheduling on a
// pod, WaitForFirstConsumer on a claim): the cluster's own words for why
// something does not happen. A watch, like every wait.
import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { describeEvent, eventsResource } from '../resources/events.ts'
import { waitFor } from './wait-for.ts'

// Matched by the object's uid: an event about an earlier pod or claim of the
// same name (deleted and made again) does not count.
export function waitForK8sEvent(kube: Kube, about: KubernetesObject, what: string,
  until: (e: CoreV1Event) => boolean, timeout: TimeoutName): Promise<CoreV1Event> {
  const { namespace, name, uid } = about.metadata ?? {}
  if (!namespace || !name || !uid) throw new Error(`waitForK8sEvent needs the object as the API server returned it (namespace, name, uid): got ${about.kind} ${namespace}/${name} uid ${uid}`)
  return waitFor<CoreV1Event, CoreV1Event>(kube, {
    what: `an event on ${about.kind} ${namespace}/${name} (uid ${uid}): ${what}`, timeout, resource: eventsResource,
    query: { namespace, fieldSelector: `involvedObject.uid=${uid}` },
    until: (list) => list.find(until),
    describe: (list) => (list.length ? list.map(describeEvent).join(' | ') : 'no events'),
  })
}
