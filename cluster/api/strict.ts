// The strict shape's add-ons, started by `up` once the nodes are Ready: its admission policies
// (cluster/addons/strict.yaml), acting once the API server has loaded them; then its
// NetworkPolicies (cluster/addons/network-policies.yaml): kube-network-policies on every node,
// ready once it listens on its queue (which its patch lets it do only with its rules installed),
// and namespace-defaults, seen to act in a namespace made for the check. And its zonal disks'
// ext4-csi, ready once every node's kubelet has registered its CSI plugin.
import { images } from '../base/config.ts'
import { $ } from '../base/sh.ts'
import type { Shape } from '../base/shape.ts'
import { nsenter } from '../nodes/network.ts'
import { type Proc, start } from '../nodes/node.ts'
import { defaultDenyPolicy, networkPolicyQueue, zonalDiskDriver } from '../nodes/addon-commands.ts'
import { applyFile, type Clients, poll } from './client.ts'

interface AddOnWait {
  timeoutMs: number
  guard: (...ps: Proc[]) => () => Promise<void>
  running: Proc[] // the processes already started, which must stay up meanwhile
}
interface StrictAddOns extends AddOnWait {
  files: { admission: string; networkPolicies: string }
}

export async function startStrictAddOns(c: Clients, shape: Shape, procs: Proc[], o: StrictAddOns): Promise<void> {
  await applyFile(c, o.files.admission)
  await poll({ what: 'the strict admission policies', timeoutMs: o.timeoutMs, guard: o.guard(...o.running), check: () => strictPoliciesActive(c) })
  await applyFile(c, o.files.networkPolicies)
  const enforcing = procs.filter((p) => p.component === 'kube-network-policies' || p.component === 'namespace-defaults')
  await Promise.all(enforcing.map((p) => start(p, shape)))
  for (const p of enforcing.filter((p) => p.node)) {
    await poll({ what: `${p.name} to install its rules and listen on queue ${networkPolicyQueue}`, timeoutMs: o.timeoutMs, guard: o.guard(...o.running, p), check: () => queueBound(p.node!.netns) })
  }
  await c.core.createNamespace({ body: { metadata: { name: defaultDenyProbe } } })
  await poll({
    what: `namespace-defaults' ${defaultDenyPolicy} in a new namespace`, timeoutMs: o.timeoutMs,
    guard: o.guard(...o.running, ...enforcing), check: () => defaultDenyGiven(c, defaultDenyProbe, defaultDenyPolicy),
  })
  await c.core.deleteNamespace({ name: defaultDenyProbe })
}

// ext4-csi (attacher and every node's plugin), once the ext4 class and its CSIDriver are applied.
export async function startZonalDisks(c: Clients, shape: Shape, procs: Proc[], o: AddOnWait & { nodes: string[] }): Promise<void> {
  const csi = procs.filter((p) => p.component === 'ext4-csi')
  for (const p of csi) await start(p, shape)
  await poll({ what: `every node's kubelet to register the CSI plugin of ${zonalDiskDriver}`, timeoutMs: o.timeoutMs, guard: o.guard(...o.running, ...csi), check: () => pluginRegistered(c, o.nodes) })
}

async function pluginRegistered(c: Clients, nodes: string[]) {
  const registered = new Set((await c.storage.listCSINode()).items
    .filter((n) => n.spec.drivers.some((d) => d.name === zonalDiskDriver)).map((n) => n.metadata?.name))
  const missing = nodes.filter((n) => !registered.has(n))
  return missing.length ? { done: false as const, seen: `not registered on ${missing.join(', ')}` } : { done: true as const }
}

// The node's netfilter queues with a listener, as its network namespace's procfs lists them.
async function queueBound(netns: string) {
  const out = await $({ nothrow: true })`${nsenter(netns)} cat /proc/net/netfilter/nfnetlink_queue`
  const bound = out.stdout.split('\n').some((l) => Number(l.trim().split(/\s+/)[0]) === networkPolicyQueue)
  return bound ? { done: true as const } : { done: false as const, seen: `queues listened on: ${out.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean).join(', ') || 'none'}` }
}

// The strict shape's policies act once the API server has loaded them: a namespace made in a dry
// run comes back with its id range, and a pod without requests and limits is refused.
async function strictPoliciesActive(c: Clients) {
  const ns = await c.core.createNamespace({ body: { metadata: { name: 'strict-policies-probe' } }, dryRun: 'All' })
  if (!ns.metadata?.annotations?.['openshift.io/sa.scc.uid-range']) return { done: false as const, seen: 'a new namespace gets no id range yet' }
  // Admitted by the restricted Pod Security level, so that only the policy can refuse it.
  const container = { name: 'c', image: images.pause, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }
  const spec = { containers: [container], securityContext: { runAsNonRoot: true, runAsUser: 65535, seccompProfile: { type: 'RuntimeDefault' } } }
  const refused = await c.core.createNamespacedPod({ namespace: 'default', dryRun: 'All', body: { metadata: { name: 'strict-policies-probe' }, spec } })
    .then(() => false, (err: unknown) => /strict-requests-and-limits/.test(String((err as { body?: unknown }).body ?? err)))
  return refused ? { done: true as const } : { done: false as const, seen: 'a pod without requests and limits is admitted yet' }
}

// namespace-defaults has synced once `namespace`, made for the check (defaultDenyProbe, which `up`
// then removes), has its NetworkPolicy.
const defaultDenyProbe = 'default-deny-probe'
async function defaultDenyGiven(c: Clients, namespace: string, policy: string) {
  const list = await c.networking.listNamespacedNetworkPolicy({ namespace })
  return list.items.some((p) => p.metadata?.name === policy)
    ? { done: true as const }
    : { done: false as const, seen: `namespace ${namespace} has ${list.items.length ? list.items.map((p) => p.metadata?.name).join(', ') : 'no NetworkPolicy'}` }
}
