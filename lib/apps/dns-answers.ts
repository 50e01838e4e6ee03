// What a name must answer to name a pod, and the wait for it. Addresses are
// compared per family (lib/k8s/addresses.ts), so the same check holds on
// IPv4, IPv6 and dual-stack clusters. DNS has no watch, and its answers are
// cached (CoreDNS `cache 30`, node-local caches: up to 30 s for an answer
// or an NXDOMAIN given before a change), so a name is polled until it answers
// as expected, within the `dns` timeout.
import type { V1Pod, V1Service } from '@kubernetes/client-node'
import { addressDifference, includesAny, ofFamilies } from '../k8s/addresses.ts'
import { podIps } from '../resources/pods.ts'
import type { ClusterClient, Resolution } from './cluster-client.ts'

// The pod's addresses that the Service's DNS records can hold: those of the
// Service's IP families (a single-stack Service on a dual-stack cluster lists one of two).
export const podAddressesVia = (service: V1Service, pod: V1Pod): string[] => ofFamilies(podIps(pod), service.spec?.ipFamilies)

// Every address of the pods that the Service's records hold (the Ready pods of a headless Service).
export const podsAddressesVia = (service: V1Service, pods: V1Pod[]): string[] => pods.flatMap((p) => podAddressesVia(service, p))

// nslookup shows every A and AAAA record: they must be the expected addresses,
// family by family. The pod's own resolver (ping) shows one: it must be one of them.
export function answersWith(expected: string[], method: 'nslookup' | 'resolve'): (r: Resolution) => boolean {
  return (r) => r.status === 'ok' && (method === 'nslookup' ? addressDifference(r.addresses, expected) === undefined : includesAny(r.addresses, expected))
}

// Until `name` answers `expected` (see answersWith): busybox nslookup applies
// the search list only to names without dots, so give it a full name; the
// pod's resolver takes short names. Throws with the last answer after the `dns` timeout.
export function waitForAddresses(client: ClusterClient, name: string, expected: string[], method: 'nslookup' | 'resolve'): Promise<Resolution> {
  const what = method === 'nslookup' ? `answers exactly ${expected.join(', ') || '(no address)'}` : `gives one of ${expected.join(', ') || '(no address)'}`
  return client.waitForResolution(name, what, answersWith(expected, method), { method })
}
