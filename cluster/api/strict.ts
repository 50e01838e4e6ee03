// The strict shape's add-ons, started by `up` once the nodes are Ready: its admission policies
// (cluster/addons/strict.yaml), acting once the API server has loaded them; then its
// NetworkPolicies (cluster/addons/network-policies.yaml): kube-network-policies on every node and
// namespace-defaults, seen to act in a namespace made for the check.
import type { Shape } from '../base/shape.ts'
import { defaultDenyPolicy, type Proc, start } from '../nodes/node.ts'
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
  await c.core.createNamespace({ body: { metadata: { name: defaultDenyProbe } } })
  await poll({
    what: `namespace-defaults' ${defaultDenyPolicy} in a new namespace`, timeoutMs: o.timeoutMs,
    guard: o.guard(...o.running, ...enforcing), check: () => defaultDenyGiven(c, defaultDenyProbe, defaultDenyPolicy),
  })
  await c.core.deleteNamespace({ name: defaultDenyProbe })
}
