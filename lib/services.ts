// Changing a Service under a running workload: delete it (a Service's
// clusterIP is immutable, so it is recreated to become headless) and watch
// its EndpointSlices for a pod to leave or join them.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node'
import { describeApiError, retryTransient, type Kube } from './kube.ts'
import { describeEndpoints, endpointsOf, type ServiceEndpoint } from './service-endpoints.ts'
import type { TimeoutName } from './timeouts.ts'
import { waitFor } from './wait.ts'
import { resources } from './watch.ts'

export const deleteService = (kube: Kube, namespace: string, name: string) =>
  retryTransient(`delete Service ${namespace}/${name}`, () => kube.core.deleteNamespacedService({ namespace, name }))
    .catch((err: unknown) => { throw new Error(`delete Service ${namespace}/${name}: ${describeApiError(err)}`) })

export function waitForServiceGone(kube: Kube, namespace: string, name: string, timeout: TimeoutName = 'apiCall'): Promise<true> {
  return waitFor<V1Service, true>(kube, {
    what: `Service ${namespace}/${name} to be gone`, timeout, resource: resources.services,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([svc]) => !svc,
    describe: ([svc]) => (svc ? `still there, clusterIP ${svc.spec?.clusterIP}` : 'gone'),
  })
}

// Every endpoint of the Service (ready or not), until `until` holds.
export function waitForServiceEndpoints(kube: Kube, namespace: string, service: string, what: string,
  until: (endpoints: ServiceEndpoint[]) => boolean): Promise<ServiceEndpoint[]> {
  return waitFor<V1EndpointSlice, ServiceEndpoint[]>(kube, {
    what: `Service ${namespace}/${service} endpoints ${what}`, timeout: 'endpoints', resource: resources.endpointSlices,
    query: { namespace, labelSelector: `kubernetes.io/service-name=${service}` },
    until: (slices) => (until(endpointsOf(slices)) ? endpointsOf(slices) : undefined),
    describe: (slices) => describeEndpoints(endpointsOf(slices)),
  })
}
