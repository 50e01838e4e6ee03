// The strict shape's add-ons, started by `up` once the nodes are Ready: its admission policies
// (cluster/addons/strict.yaml), acting once the API server has loaded them; then its
// NetworkPolicies (cluster/addons/network-policies.yaml): kube-network-policies on every node,
// ready once it listens on its queue (which its patch lets it do only with its rules installed),
// and namespace-defaults, seen to act in a namespace made for the check.
import { $ } from '../base/sh.ts'
import type { Shape } from '../base/shape.ts'
import { nsenter } from '../nodes/network.ts'
import { defaultDenyPolicy, networkPolicyQueue, type Proc, start } from '../nodes/node.ts'
import { applyFile, type Clients, defaultDenyGiven, defaultDenyProbe, poll, strictPoliciesActive } from './client.ts'

interface StrictAddOns {
  files: { admission: string; networkPolicies: string }
  timeoutMs: number
  guard: (...ps: Proc[]) => () => Promise<void>
  running: Proc[] // the processes already started, which must stay up meanwhile
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

// The node's netfilter queues with a listener, as its network namespace's procfs lists them.
async function queueBound(netns: string) {
  const out = await $({ nothrow: true })`${nsenter(netns)} cat /proc/net/netfilter/nfnetlink_queue`
  const bound = out.stdout.split('\n').some((l) => Number(l.trim().split(/\s+/)[0]) === networkPolicyQueue)
  return bound ? { done: true as const } : { done: false as const, seen: `queues listened on: ${out.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean).join(', ') || 'none'}` }
}
