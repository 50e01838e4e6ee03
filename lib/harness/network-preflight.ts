// Before any claim runs: the NetworkPolicies a new namespace of this cluster gets (a default-deny
// that a policy engine's generate rule, Kyverno's for one, puts into every new namespace), read in
// a namespace of the run a moment after it is made. Where one isolates the suite's pods in a
// direction their DNS lookups or pod-to-pod requests need, every claim's namespace gets the suite's
// own allow policy for that direction, before its first pod (fixtures.ts), if the cluster lets the
// suite add it (a server-side dry run here says); otherwise the run goes on, and a lookup or request
// that fails names the policy (lib/apps/cluster-client.ts). Only namespaced NetworkPolicies are
// read: AdminNetworkPolicy and a plug-in's cluster-wide policies are not.
import type { V1NetworkPolicy } from '@kubernetes/client-node'
import { clientLabels, dnsNeeds } from '../apps/cluster-client.ts'
import { pollPause } from '../k8s/claim-context.ts'
import type { Kube } from '../k8s/kube.ts'
import { createNamespace, deleteNamespace, type NamespaceRun } from '../k8s/namespaces.ts'
import { timeout } from '../k8s/timeouts.ts'
import { allowPolicyName, createAllowPolicy, type Direction, listNetworkPolicies, type Needed, policyVerdict, type Protocol } from '../resources/network-policies.ts'
import { type PodShape, suitePodShapes } from './admission.ts'

// What the suite's pods need of their namespace's policies: the client pod's DNS lookups, and its
// requests to every container port of the other pod shapes (its egress, their ingress).
export function suiteNeeds(namespace: string, shapes: PodShape[]): Needed[] {
  const client = { namespace, labels: clientLabels }
  const servers = shapes.flatMap((s) => (s.pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({
    source: s.source, labels: s.pod.metadata?.labels ?? {}, port: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol, portName: p.name,
  }))))
  return [
    ...dnsNeeds(namespace),
    ...servers.flatMap((s) => [
      { what: `requests from the client pod to ${s.source} on port ${s.port} (its egress)`, connection: { direction: 'Egress' as const, pod: client, peer: { namespace, labels: s.labels }, port: s.port, protocol: s.protocol, portName: s.portName } },
      { what: `requests from the client pod to ${s.source} on port ${s.port} (their ingress)`, connection: { direction: 'Ingress' as const, pod: { namespace, labels: s.labels }, peer: client, port: s.port, protocol: s.protocol, portName: s.portName } },
    ]),
  ]
}

export interface NetworkPlan {
  // The directions the suite's allow policy opens in every claim's namespace; none: it adds none.
  allow: Direction[]
  // One line for the run header.
  line: string
}

// From the policies a new namespace got: the directions in which one denies (or may deny) what the
// suite needs, and the line that says so. `refused`: why the suite may not add its allow policy.
// `given`: the one namespace of SC_NAMESPACE, whose policies are those it has, not those a new one gets.
export function planFor(policies: V1NetworkPolicy[], needed: Needed[], o: { settledMs: number; refused?: string; given?: string }): NetworkPlan {
  const names = policies.map((p) => p.metadata?.name ?? '?')
  const blocked = needed.filter((n) => policyVerdict(policies, n.connection).status !== 'allowed')
  const when = `(${o.given ? 'SC_NAMESPACE' : `read ${o.settledMs / 1000}s after it was made`}; cluster-wide policies such as AdminNetworkPolicy are not read)`
  const subject = o.given ? `namespace ${o.given} has` : 'a new namespace gets'
  if (!policies.length) return { allow: [], line: `${subject} no NetworkPolicy ${when}` }
  const got = `${subject} NetworkPolic${names.length > 1 ? 'ies' : 'y'} ${names.join(', ')} ${when}`
  if (!blocked.length) return { allow: [], line: `${got}: they allow what the suite's pods need` }
  const allow = (['Ingress', 'Egress'] as const).filter((d) => blocked.some((n) => n.connection.direction === d))
  const denies = `${got}, which ${names.length > 1 ? 'deny' : 'denies'}, or may deny, ${blocked.length} of the ${needed.length} connections the suite's pods need (${blocked[0]!.what} among them)`
  if (o.refused) {
    return { allow: [], line: `${denies}; the suite may not add its own allow policy (${o.refused}), so claims that resolve names or send HTTP between pods will be broken (they cannot look), naming the policy (fixtures/rbac.yaml's optional create networkpolicies)` }
  }
  if (o.given) return { allow, line: `${denies}: each claim adds the suite's own NetworkPolicy ${allowPolicyName} (${allow.join(' and ')}: DNS, and traffic between the run's pods, by their labels), removed after it` }
  return { allow, line: `${denies}: each claim's namespace gets the suite's own NetworkPolicy ${allowPolicyName} (${allow.join(' and ')}: DNS, and traffic between the namespace's pods), gone with the namespace` }
}

// The moment after `since` that `settle` gives, read again as it passes: global setup chooses the
// run's timeout scale while this waits, and `policiesGenerated` follows it (3 until the pace is
// measured, or SC_TIMEOUT_SCALE's from the start).
export async function holdUntilSettled(since: number, settle: () => number): Promise<number> {
  for (;;) {
    const left = since + settle() - performance.now()
    if (left <= 0) return settle()
    await pollPause(Math.min(left, 250))
  }
}

// The check itself, in a namespace of the run removed afterwards.
export async function checkNetworkPolicies(kube: Kube, run: NamespaceRun, shapes: PodShape[], settle: () => number = () => timeout('policiesGenerated')): Promise<NetworkPlan> {
  const namespace = await createNamespace(kube, 'network policy check', run)
  const made = performance.now()
  const given = kube.given?.namespace
  try {
    // A generate rule acts a moment after the namespace is made: there is nothing to watch for
    // what may never come, so the policies are read once the moment has passed (a given namespace was not just made).
    const settledMs = given ? 0 : await holdUntilSettled(made, settle)
    const policies = await listNetworkPolicies(kube, namespace)
    const needed = suiteNeeds(namespace, shapes)
    const plan = planFor(policies, needed, { settledMs, given })
    if (!plan.allow.length) return plan
    // RBAC and admission (a policy engine may forbid NetworkPolicies it did not make) both answer a dry run.
    const refused = await createAllowPolicy(kube, namespace, plan.allow, { dryRun: true }).then(() => undefined, (err: Error) => err.message)
    return refused ? planFor(policies, needed, { settledMs, refused, given }) : plan
  } finally {
    await deleteNamespace(kube, namespace).catch(() => undefined)
  }
}

// The check, for the run header (its line). One that could not be made stops nothing: a lookup or
// request that a policy certainly denies ends its claim broken, naming it.
export async function checkPodNetwork(kube: Kube, run: NamespaceRun, busybox: string): Promise<NetworkPlan> {
  return checkNetworkPolicies(kube, run, await suitePodShapes(busybox)).catch((err: Error): NetworkPlan => ({
    allow: [], line: `the NetworkPolicies a new namespace gets could not be read (${err.message}): a DNS lookup or HTTP request one certainly denies ends its claim broken, naming it`,
  }))
}
