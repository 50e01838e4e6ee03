// Changing a Service under a running workload: delete it (a Service's
// clusterIP is immutable, so it is recreated to become headless) and wait
// until it is gone.
import type { V1Service } from '@kubernetes/client-node'
import { apiCall, type Kube } from './kube.ts'
import type { TimeoutName } from './timeouts.ts'
import { waitFor } from './wait.ts'
import { resources } from './watch.ts'

export const deleteService = (kube: Kube, namespace: string, name: string) =>
  apiCall(`delete Service ${namespace}/${name}`, () => kube.core.deleteNamespacedService({ namespace, name }))

export function waitForServiceGone(kube: Kube, namespace: string, name: string, timeout: TimeoutName = 'apiCall'): Promise<true> {
  return waitFor<V1Service, true>(kube, {
    what: `Service ${namespace}/${name} to be gone`, timeout, resource: resources.services,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([svc]) => !svc,
    describe: ([svc]) => (svc ? `still there, clusterIP ${svc.spec?.clusterIP}` : 'gone'),
  })
}
