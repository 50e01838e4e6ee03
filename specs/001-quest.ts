// specs/001-quest.ts — what the three spec files of quest 001
// (shared/quests/001_e9b69f59e3a36be4.txt) share: the quest's own names and
// values, and its StatefulSet "sandwich" behind the headless Service "kitchen".
// Not a spec itself (vitest runs only *.spec.ts).
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import type { ClusterClient } from '../lib/apps/cluster-client.ts'
import { podAddressesVia } from '../lib/apps/dns-answers.ts'
import { applyFixture, expect, type Kube } from '../lib/harness/fixtures.ts'
import { Given } from '../lib/harness/steps.ts'
import { addressDifference, includesAny } from '../lib/resources/pods.ts'
import { getService } from '../lib/resources/services.ts'
import { claimForPod, ofClass } from '../lib/resources/storage.ts'
import { waitForReadyReplicas } from '../lib/wait/pods.ts'

export const potato = { file: '/ingridients/potato', text: 'tasty potatos' }
export const sts = { name: 'sandwich', service: 'kitchen', selector: 'app=sandwich', template: 'ingridients' }
export const podOf = (i: number) => `${sts.name}-${i}`
export const claimOf = (i: number) => claimForPod(sts.template, podOf(i))
// <pod>.<service>.<namespace>.svc.<cluster domain>, the domain learned from the cluster (cluster.local in the quest).
export const fqdnOf = (client: ClusterClient, pod: string) => client.fqdn(`${pod}.${sts.service}`)

export const createStatefulSet = (kube: Kube, ns: string, replicas: number, storageClass?: string) =>
  applyFixture(kube, ns, '001/statefulset.yaml', {
    storageClass,
    patch: (o) => { if (o.kind === 'StatefulSet') (o as V1StatefulSet).spec!.replicas = replicas },
  })

// The StatefulSet with all its pods Ready; returns them.
export async function givenStatefulSet(kube: Kube, ns: string, { replicas = 2, storageClass }: { replicas?: number; storageClass?: string } = {}): Promise<V1Pod[]> {
  return Given(`the StatefulSet sandwich (${replicas} replica${replicas > 1 ? 's' : ''}, a claim per pod from the template ingridients${ofClass(storageClass)}) governed by the headless Service kitchen`, async () => {
    await createStatefulSet(kube, ns, replicas, storageClass)
    return waitForReadyReplicas(kube, ns, sts.selector, replicas)
  })
}

// What `nslookup <pod>.<service>` in the debug pod shows: the short name
// through the pod's resolver (search list), the full name through DNS. DNS
// follows the EndpointSlices with a delay: wait until the pod's current IP is
// answered, then the full name must answer that IP and no other.
// Addresses are compared per family, and only those of the Service's families: a dual-stack pod
// has one of each, and DNS answers those the headless Service carries.
export async function expectPodNameResolves(kube: Kube, client: ClusterClient, ns: string, pod: V1Pod): Promise<void> {
  const name = pod.metadata!.name!
  const ips = podAddressesVia(await getService(kube, ns, sts.service), pod)
  await client.waitForResolution(`${name}.${sts.service}`, `answers ${ips.join(' or ')}, the IP of pod ${ns}/${name}`, (r) => r.status === 'ok' && includesAny(r.addresses, ips))
  const fqdn = await fqdnOf(client, name)
  const full = await client.waitForResolution(fqdn, `answers ${ips.join(' and ')}, the IPs of pod ${ns}/${name}`,
    (r) => r.status === 'ok' && includesAny(r.addresses, ips), { method: 'nslookup' })
  expect(full.status === 'ok' ? addressDifference(full.addresses, ips) : full.output, `nslookup ${fqdn} from ${ns}/${client.pod}:\n${full.output}`).toBeUndefined()
}
