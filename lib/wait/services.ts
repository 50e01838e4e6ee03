// Waits on Services: their endpoints as the EndpointSlices publish them, and their removal.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { describeEndpoints, endpointsOf, type ServiceEndpoint } from '../resources/services.ts'
import { waitFor } from './wait-for.ts'

// Every endpoint of the Service (ready or not), across its EndpointSlices, until `until` holds.
export function waitForServiceEndpoints(kube: Kube, namespace: string, service: string, what: string,
  until: (endpoints: ServiceEndpoint[]) => boolean): Promise<ServiceEndpoint[]> {
  return waitFor<V1EndpointSlice, ServiceEndpoint[]>(kube, {
    what: `Service ${namespace}/${service} endpoints ${what}`, timeout: 'endpoints', resource: resources.endpointSlices,
    query: { namespace, labelSelector: `kubernetes.io/service-name=${service}` },
    until: (slices) => (until(endpointsOf(slices)) ? endpointsOf(slices) : undefined),
    describe: (slices) => describeEndpoints(endpointsOf(slices)),
  })
}

const readyAddresses = (endpoints: ServiceEndpoint[]) => endpoints.filter((e) => e.ready).map((e) => e.address).sort()

// The Service's ready addresses, until `until` holds for them.
export function waitForReadyAddresses(kube: Kube, namespace: string, service: string, what: string,
  until: (addresses: string[]) => boolean): Promise<string[]> {
  return waitForServiceEndpoints(kube, namespace, service, what, (e) => until(readyAddresses(e))).then(readyAddresses)
}

export function waitForServiceGone(kube: Kube, namespace: string, name: string, timeout: TimeoutName = 'apiCall'): Promise<true> {
  return waitFor<V1Service, true>(kube, {
    what: `Service ${namespace}/${name} to be gone`, timeout, resource: resources.services,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([svc]) => !svc,
    describe: ([svc]) => (svc ? `still there, clusterIP ${svc.spec?.clusterIP}` : 'gone'),
  })
}
