// Before the claims: whether a pod of the suite reaches what the claims need, each path on its
// own, so that a blocked one is named once, up front, with what blocks it, rather than in every
// claim that meets it. In a namespace of the run (with the suite's allow policy where the run
// gives one to every claim), a client pod asks of smoke/web.yaml's podinfo Deployment and
// ClusterIP Service:
//   DNS         the Service's name resolves, through the cluster DNS, to its cluster IP;
//   pod to pod  a podinfo pod answers HTTP at its own IP (the pod network);
//   cluster IP  the Service answers HTTP at its cluster IP (the Service proxy).
// Each path is asked again until it answers or its timeout (`dns`, `http`, scaled) runs out, as a
// slow cluster may take a moment to program a new Service; the pod asked is on another node than
// the client where there is one. A path that stays blocked names a NetworkPolicy that denies it
// (or may), else the component. It stops nothing: the claims that need the path then fail or end
// broken, each saying why.
import { type ClusterClient, dnsNeeds, httpNeeds, startClusterClient } from '../apps/cluster-client.ts'
import { isIpAddress, normalizeAddress, urlHost } from '../k8s/addresses.ts'
import { pollPause } from '../k8s/claim-context.ts'
import type { Kube } from '../k8s/kube.ts'
import { applyFixture } from '../k8s/manifests.ts'
import { createNamespace, deleteNamespace, type NamespaceRun } from '../k8s/namespaces.ts'
import { createAllowPolicy, type Direction, type Needed, policyHint } from '../resources/network-policies.ts'
import { getPod, listPods, podIp } from '../resources/pods.ts'
import { getService } from '../resources/services.ts'
import { timeout } from '../k8s/timeouts.ts'
import { waitForDeploymentAvailable } from '../wait/workloads.ts'

export type PathName = 'DNS' | 'pod to pod' | 'cluster IP'

export interface PathResult {
  path: PathName
  // unchecked: the cluster gave the check nothing to ask (a Service without a cluster IP).
  status: 'ok' | 'blocked' | 'unchecked'
  // What was asked and what came back.
  detail: string
  // A blocked path: the NetworkPolicy that denies it (or may), or the component to look at.
  blame?: string
}

export const components: Record<PathName, string> = {
  DNS: 'the cluster DNS (CoreDNS, behind kube-dns)',
  'pod to pod': 'the pod network (the CNI plug-in, routes between nodes)',
  'cluster IP': 'the Service proxy (kube-proxy, or what replaces it)',
}

// What a blocked path costs: the claims that use it.
const needs: Record<PathName, string> = {
  DNS: 'claims that resolve names (Q1-09, Q2-09, Q3-05 among them)',
  'pod to pod': 'claims that send HTTP between pods',
  'cluster IP': 'claims that send HTTP to a Service (Q3-03, Q4-01 among them)',
}

// The run header's lines: every path's verdict in one, then for each blocked one what blocks it
// and which claims it will cost.
export function describeConnectivity(results: PathResult[]): string {
  if (!results.length) return 'connectivity: not checked'
  const head = `connectivity from a pod of the suite: ${results.map((r) => `${r.path} ${r.status === 'ok' ? 'ok' : r.status === 'blocked' ? 'BLOCKED' : 'not checked'}`).join(', ')}`
  const blocked = results.filter((r) => r.status === 'blocked')
  const unchecked = results.filter((r) => r.status === 'unchecked').map((r) => `  ${r.path} not checked: ${r.detail}`)
  if (!blocked.length) return [`${head} (${results.filter((r) => r.status === 'ok').map((r) => r.detail).join('; ')})`, ...unchecked].join('\n')
  return [head, ...blocked.map((r) => `  ${r.path}: ${r.detail}\n    ${r.blame ?? `look at ${components[r.path]}`}; ${needs[r.path]} will fail or end broken`), ...unchecked].join('\n')
}

// The header's lines; a check that could not be made says so and stops nothing.
export async function connectivityLine(kube: Kube, run: NamespaceRun, busybox: string, allow: Direction[]): Promise<string> {
  return checkConnectivity(kube, run, busybox, allow).then(describeConnectivity, (err: Error) => `connectivity could not be checked (${err.message.split('\n')[0]})`)
}

// The first line of the hint that names a policy, or the component.
async function blameFor(kube: Kube, ns: string, path: PathName, needed: Needed[]): Promise<string> {
  const hint = await policyHint(kube, ns, needed, components[path]).catch(() => undefined)
  return hint?.blames ? hint.text.split('\n')[0]! : `look at ${components[path]}`
}

// Asked again until it answers 2xx or 3xx, or the `http` timeout runs out.
async function httpPath(client: ClusterClient, kube: Kube, ns: string, path: PathName, address: string, port: number): Promise<PathResult> {
  const url = `http://${urlHost(address)}:${port}/readyz`
  const deadline = Date.now() + timeout('http')
  for (;;) {
    const last = await client.http(url).then((reply) => `answered ${reply.status}`, (err: Error) => err.message.split('\n')[0]!)
    if (/^answered [23]/.test(last)) return { path, status: 'ok', detail: `${url} ${last}` }
    if (Date.now() >= deadline) return { path, status: 'blocked', detail: last.startsWith('answered') ? `${url} ${last}` : last, blame: await blameFor(kube, ns, path, httpNeeds(ns, address)) }
    await pollPause(1000) // between tries of a deadline-bounded poll
  }
}

async function dnsPath(client: ClusterClient, kube: Kube, ns: string, clusterIp: string): Promise<PathResult> {
  const name = await client.fqdn('web')
  const expected = normalizeAddress(clusterIp)
  try {
    await client.waitForResolution(name, `answers with the cluster IP ${clusterIp}`,
      (a) => a.status === 'ok' && a.addresses.some((x) => normalizeAddress(x) === expected), { method: 'nslookup' })
    return { path: 'DNS', status: 'ok', detail: `${name} is ${clusterIp}` }
  } catch (err) {
    return { path: 'DNS', status: 'blocked', detail: (err as Error).message.split('\n')[0]!, blame: await blameFor(kube, ns, 'DNS', dnsNeeds(ns)) }
  }
}

export async function checkConnectivity(kube: Kube, run: NamespaceRun, busybox: string, allow: Direction[]): Promise<PathResult[]> {
  const ns = await createNamespace(kube, 'connectivity check', run)
  try {
    if (allow.length) await createAllowPolicy(kube, ns, allow)
    await applyFixture(kube, ns, 'smoke/web.yaml')
    const [client] = await Promise.all([startClusterClient(kube, ns, busybox), waitForDeploymentAvailable(kube, ns, 'web')])
    const service = await getService(kube, ns, 'web')
    const clusterIp = service.spec?.clusterIP ?? ''
    const port = service.spec?.ports?.[0]?.port ?? 80
    // A server on another node than the client where there is one: the path between nodes.
    const clientNode = (await getPod(kube, ns, client.pod)).spec?.nodeName
    const servers = (await listPods(kube, ns, 'app=web')).filter((p) => podIp(p))
    const server = servers.find((p) => p.spec?.nodeName !== clientNode) ?? servers[0]
    const noClusterIp = `Service ${ns}/web has no cluster IP ("${clusterIp}")`
    return [
      isIpAddress(clusterIp) ? await dnsPath(client, kube, ns, clusterIp) : { path: 'DNS', status: 'unchecked', detail: noClusterIp },
      server ? await httpPath(client, kube, ns, 'pod to pod', podIp(server), 9898)
        : { path: 'pod to pod', status: 'blocked', detail: 'no podinfo pod of web has an IP although the Deployment is available', blame: `look at ${components['pod to pod']}` },
      isIpAddress(clusterIp) ? await httpPath(client, kube, ns, 'cluster IP', clusterIp, port) : { path: 'cluster IP', status: 'unchecked', detail: noClusterIp },
    ]
  } finally {
    // Gone in the background; the run's teardown waits for its namespaces.
    await deleteNamespace(kube, ns).catch(() => undefined)
  }
}
