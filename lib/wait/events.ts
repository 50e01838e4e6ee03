// Waiting for a Kubernetes Event about one object (a FailedScheduling on a
// pod, WaitForFirstConsumer on a claim): the cluster's own words for why
// something does not happen. A watch, like every wait.
import type { CoreV1Event } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { describeEvent, eventsResource } from '../resources/events.ts'
import { waitFor } from './wait-for.ts'

export function waitForK8sEvent(kube: Kube, namespace: string, object: { kind: string; name: string }, what: string,
  until: (e: CoreV1Event) => boolean, timeout: TimeoutName): Promise<CoreV1Event> {
  return waitFor<CoreV1Event, CoreV1Event>(kube, {
    what: `an event on ${object.kind} ${namespace}/${object.name}: ${what}`, timeout, resource: eventsResource,
    query: { namespace, fieldSelector: `involvedObject.kind=${object.kind},involvedObject.name=${object.name}` },
    until: (list) => list.find(until),
    describe: (list) => (list.length ? list.map(describeEvent).join(' | ') : 'no events'),
  })
}
