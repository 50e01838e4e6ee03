// Services and the endpoints their EndpointSlices list: which address belongs
// to which pod, and whether it is ready. Read as the endpoint controller
// published them, to compare with the pods themselves.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node'
import { isIpAddress } from '../k8s/addresses.ts'
import { refuseUnlessOwn } from '../k8s/given-namespace.ts'
import { apiCall, apiDelete, type Kube } from '../k8s/kube.ts'
import { listObjects, resources } from '../k8s/watch.ts'

export interface ServiceEndpoint {
  address: string
  pod?: string // the targetRef, when it is a Pod
  ready: boolean
}

export const getService = (kube: Kube, namespace: string, name: string): Promise<V1Service> =>
  apiCall(`get Service ${namespace}/${name}`, () => kube.core.readNamespacedService({ namespace, name }))

// The Service's virtual IP (IPv4, as the quests show it); throws when it has none (headless).
export async function clusterIpOf(kube: Kube, namespace: string, name: string): Promise<string> {
  const ip = (await getService(kube, namespace, name)).spec?.clusterIP ?? ''
  if (!isIpAddress(ip)) throw new Error(`Service ${namespace}/${name} should have a cluster IP (IPv4 or IPv6), has "${ip}"`)
  return ip
}

// Every address of every slice, sorted by address. A missing `ready`
// condition counts as ready, as the API documents.
export function endpointsOf(slices: V1EndpointSlice[]): ServiceEndpoint[] {
  return slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses.map((address) => ({
    address,
    ...(e.targetRef?.kind === 'Pod' && e.targetRef.name ? { pod: e.targetRef.name } : {}),
    ready: e.conditions?.ready !== false,
  })))).sort((a, b) => a.address.localeCompare(b.address))
}

export async function serviceEndpoints(kube: Kube, namespace: string, service: string): Promise<ServiceEndpoint[]> {
  const { items } = await listObjects<V1EndpointSlice>(kube, resources.endpointSlices, { namespace, labelSelector: `kubernetes.io/service-name=${service}` })
  return endpointsOf(items)
}

export const describeEndpoints = (eps: ServiceEndpoint[]) =>
  eps.length ? eps.map((e) => `${e.address} → ${e.pod ?? '(no pod)'}${e.ready ? '' : ' (not ready)'}`).join(', ') : 'no endpoints'

// A Service's clusterIP is immutable: to become headless it is deleted and recreated.
export async function deleteService(kube: Kube, namespace: string, name: string) {
  await refuseUnlessOwn(kube, namespace, `delete Service ${namespace}/${name}`, () => kube.core.readNamespacedService({ namespace, name }))
  return apiDelete(`delete Service ${namespace}/${name}`, () => kube.core.deleteNamespacedService({ namespace, name }))
}
