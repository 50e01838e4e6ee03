// DR-03's StatefulSet (fixtures/dr/zoned.yaml): each pod writes "<name> <first uid>" to
// /data/identity on its claim and serves it on 8080. Where each pod, claim and volume
// is (lib/resources/zones.ts), and reading a pod's identity from the client pod by its
// DNS name under the headless Service, as another workload would.
import type { V1Node, V1Pod } from '@kubernetes/client-node'
import { urlHost } from '../k8s/addresses.ts'
import { byName, mountedClaim } from '../resources/pods.ts'
import { describeEndpoints, serviceEndpoints } from '../resources/services.ts'
import { findPv, findPvc, getPv, getPvc } from '../resources/storage.ts'
import { bindingChanges, type Placed, placedOf } from '../resources/zones.ts'
import type { Kube } from '../k8s/kube.ts'
import { type ClusterClient, noServer } from './cluster-client.ts'
import type { HttpReply } from './http-over-nc.ts'
import { readFileIn } from './files.ts'

export const zonedPort = 8080

// Each pod as it stands: its node and zone, its claim and volume, what it wrote. Throws when a pod's
// /data/identity does not begin with its own name (it did not write it, or wrote something else).
export async function placeZoned(kube: Kube, namespace: string, pods: V1Pod[], nodes: V1Node[]): Promise<Placed[]> {
  const placed: Placed[] = []
  for (const p of byName(pods)) {
    const name = p.metadata?.name ?? ''
    const pvc = await getPvc(kube, namespace, mountedClaim(p, 'data') ?? '')
    const pv = await getPv(kube, pvc.spec?.volumeName ?? '')
    const identity = (await readFileIn(kube, namespace, name, '/data/identity')).trim()
    if (!identity.startsWith(`${name} `)) throw new Error(`pod ${namespace}/${name} (uid ${p.metadata?.uid}) has "${identity}" in /data/identity: expected its name and first uid`)
    placed.push(placedOf(p, nodes.find((n) => n.metadata?.name === p.spec?.nodeName), pvc, pv, identity))
  }
  return placed
}

// What changed since `placed` was read: claims gone, made anew or bound elsewhere, volumes whose node affinity changed.
export async function bindingChangesNow(kube: Kube, namespace: string, placed: Placed[]): Promise<string[]> {
  const changes: string[] = []
  for (const p of placed) {
    const pvc = await findPvc(kube, namespace, p.claim)
    changes.push(...bindingChanges(p, pvc, pvc?.spec?.volumeName ? await findPv(kube, pvc.spec.volumeName) : undefined))
  }
  return changes
}

export interface IdentityRead {
  url: string
  reply: HttpReply
  // Set when no DNS server answered the client, and the pod was read at its address in the Service's endpoints instead.
  noDns?: string
}

// GET http://<pod>.<service>:8080/identity from the client pod. Where that fails because no DNS server
// answers the client at all (the cluster DNS ran only where the outage is), the pod is read at its
// ready address in the headless Service's endpoints, and the read says so; any other failure throws.
export async function readIdentity(kube: Kube, namespace: string, client: ClusterClient, pod: string, service: string): Promise<IdentityRead> {
  const url = `http://${pod}.${service}:${zonedPort}/identity`
  try {
    return { url, reply: await client.http(url) }
  } catch (err) {
    const name = await client.fqdn(`${pod}.${service}`)
    const lookup = await client.nslookup(name)
    if (!noServer(lookup.output)) throw err
    const endpoints = await serviceEndpoints(kube, namespace, service)
    const ready = endpoints.find((e) => e.pod === pod && e.ready)
    if (!ready) throw new Error(`${(err as Error).message}\nno DNS server answered pod ${namespace}/${client.pod} either, and Service ${namespace}/${service} lists no ready address of ${pod}: ${describeEndpoints(endpoints)}`)
    const byAddress = `http://${urlHost(ready.address)}:${zonedPort}/identity`
    return { url: byAddress, reply: await client.http(byAddress), noDns: `no DNS server answered pod ${namespace}/${client.pod} for ${name} (${lookup.output.trim().split('\n').at(-1)})` }
  }
}
