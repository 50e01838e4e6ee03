// NetworkPolicies: whether those of a namespace deny a connection the suite's pods need (DNS
// egress, pod-to-pod HTTP), read by the NetworkPolicy API's own rules; the allow policy the suite
// adds to its own namespaces where a policy (a default-deny put into every new namespace) isolates
// its pods; and the line a DNS or HTTP failure gets when a policy may be its cause.
// Only namespaced networking.k8s.io/v1 NetworkPolicies are read: AdminNetworkPolicy,
// BaselineAdminNetworkPolicy and a plug-in's own kinds (Calico, Cilium) are not.
import { NetworkingV1Api, type V1LabelSelector, type V1NetworkPolicy, type V1NetworkPolicyPeer, type V1NetworkPolicyPort } from '@kubernetes/client-node'
import { BlockList, isIP } from 'node:net'
import { givenLabels, labelForGiven } from '../k8s/given-namespace.ts'
import { apiCall, apiCreate, describeApiError, type Kube } from '../k8s/kube.ts'

export type Direction = 'Ingress' | 'Egress'
export type Protocol = 'TCP' | 'UDP' | 'SCTP'
type Labels = Record<string, string>

// What is known of one end of a connection; a field left out is not known.
export interface Peer {
  namespace?: string
  namespaceLabels?: Labels
  labels?: Labels
  ip?: string
}

// One connection as the policies of `pod` see it: its egress to `peer`, or its ingress from `peer`.
// `port` is the receiving container's port (after a Service's translation: left out where a Service
// may have translated it), `portName` its name there.
export interface Connection {
  direction: Direction
  pod: { namespace: string; labels?: Labels }
  peer: Peer
  port?: number
  protocol?: Protocol
  portName?: string
}

// allowed: no policy isolates the pod in that direction, or one certainly allows the connection.
// denied: a policy isolates it, and no rule of any policy selecting it can match.
// may-deny: a policy isolates it (or may), and whether a rule allows it depends on what the suite
// cannot see (labels of the other end, a named port, an IP): `unsure` names those policies.
export type PolicyVerdict =
  | { status: 'allowed'; isolating: string[]; allowing: string[] }
  | { status: 'denied'; isolating: string[] }
  | { status: 'may-deny'; isolating: string[]; unsure: string[] }

// A three-valued answer: does it match, does it not, or can the suite not tell.
type Match = 'yes' | 'no' | 'maybe'
const all = (ms: Match[]): Match => (ms.includes('no') ? 'no' : ms.includes('maybe') ? 'maybe' : 'yes')
const any = (ms: Match[]): Match => (ms.includes('yes') ? 'yes' : ms.includes('maybe') ? 'maybe' : 'no')

export const policyName = (p: V1NetworkPolicy) => `${p.metadata?.namespace ?? '?'}/${p.metadata?.name ?? '?'}`

// As the API server defaults an empty policyTypes: Ingress always, Egress when the policy has egress rules.
export function policyTypesOf(p: V1NetworkPolicy): Direction[] {
  const given = (p.spec?.policyTypes ?? []) as Direction[]
  if (given.length) return given
  return p.spec?.egress?.length ? ['Ingress', 'Egress'] : ['Ingress']
}

// A label selector against labels; the empty selector selects everything, even labels not known.
export function selectorMatches(selector: V1LabelSelector, labels: Labels | undefined): Match {
  const expressions = selector.matchExpressions ?? []
  const pairs = Object.entries(selector.matchLabels ?? {})
  if (!expressions.length && !pairs.length) return 'yes'
  if (!labels) return 'maybe'
  const results: Match[] = pairs.map(([k, v]) => (labels[k] === v ? 'yes' : 'no'))
  for (const e of expressions) {
    const has = Object.hasOwn(labels, e.key)
    const values = e.values ?? []
    if (e.operator === 'In') results.push(has && values.includes(labels[e.key]!) ? 'yes' : 'no')
    else if (e.operator === 'NotIn') results.push(has && values.includes(labels[e.key]!) ? 'no' : 'yes')
    else if (e.operator === 'Exists') results.push(has ? 'yes' : 'no')
    else if (e.operator === 'DoesNotExist') results.push(has ? 'no' : 'yes')
    else results.push('maybe')
  }
  return all(results)
}

// One entry of a rule's `ports`: protocol (TCP when left out), then the number, a range up to
// endPort, or a name (the receiving container's port name), or every port when it gives none.
export function portMatches(entry: V1NetworkPolicyPort, c: Pick<Connection, 'port' | 'protocol' | 'portName'>): Match {
  if ((entry.protocol ?? 'TCP') !== (c.protocol ?? 'TCP')) return 'no'
  const port = entry.port as number | string | undefined
  if (port === undefined) return 'yes'
  if (typeof port === 'number' || /^\d+$/.test(port)) {
    if (c.port === undefined) return 'maybe'
    return c.port >= Number(port) && c.port <= (entry.endPort ?? Number(port)) ? 'yes' : 'no'
  }
  if (c.portName === undefined) return 'maybe'
  return c.portName === port ? 'yes' : 'no'
}

function ipBlockMatches(block: NonNullable<V1NetworkPolicyPeer['ipBlock']>, ip: string | undefined): Match {
  if (!ip || !isIP(ip)) return 'maybe'
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4'
  const contains = (cidr: string) => {
    const [address = '', prefix = ''] = cidr.split('/')
    if ((isIP(address) === 6 ? 'ipv6' : 'ipv4') !== family) return false
    const list = new BlockList()
    list.addSubnet(address, Number(prefix), family)
    return list.check(ip, family)
  }
  return contains(block.cidr) && !(block.except ?? []).some(contains) ? 'yes' : 'no'
}

// One peer of a rule (`from` or `to`): an IP block, or pods by namespace and labels. A podSelector
// without a namespaceSelector means pods of the policy's own namespace.
export function peerMatches(entry: V1NetworkPolicyPeer, peer: Peer, policyNamespace: string): Match {
  if (entry.ipBlock) return ipBlockMatches(entry.ipBlock, peer.ip)
  const inNamespace: Match = entry.namespaceSelector
    ? selectorMatches(entry.namespaceSelector, peer.namespaceLabels)
    : peer.namespace === undefined ? 'maybe' : peer.namespace === policyNamespace ? 'yes' : 'no'
  return all([inNamespace, entry.podSelector ? selectorMatches(entry.podSelector, peer.labels) : 'yes'])
}

function ruleMatches(rule: { ports?: V1NetworkPolicyPort[]; peers?: V1NetworkPolicyPeer[] }, c: Connection, policyNamespace: string): Match {
  const ports: Match = rule.ports?.length ? any(rule.ports.map((p) => portMatches(p, c))) : 'yes'
  const peers: Match = rule.peers?.length ? any(rule.peers.map((p) => peerMatches(p, c.peer, policyNamespace))) : 'yes'
  return all([ports, peers])
}

// The NetworkPolicy semantics: a pod selected by any policy whose policyTypes include the
// connection's direction is isolated in it, and then only what some rule of some policy selecting
// it allows is allowed (policies add up; none denies on its own). Policies of other namespaces
// do not select the pod.
export function policyVerdict(policies: V1NetworkPolicy[], c: Connection): PolicyVerdict {
  const isolating: string[] = []
  let certainlyIsolated = false
  const allowing: string[] = []
  const unsure: string[] = []
  for (const p of policies) {
    const namespace = p.metadata?.namespace ?? c.pod.namespace
    if (namespace !== c.pod.namespace || !policyTypesOf(p).includes(c.direction)) continue
    const selects = selectorMatches(p.spec?.podSelector ?? {}, c.pod.labels)
    if (selects === 'no') continue
    isolating.push(policyName(p))
    if (selects === 'yes') certainlyIsolated = true
    // The client names an ingress rule's `from` _from; a policy read as plain JSON keeps `from`.
    const rules = (c.direction === 'Ingress'
      ? p.spec?.ingress?.map((r) => ({ ports: r.ports, peers: r._from ?? (r as { from?: V1NetworkPolicyPeer[] }).from }))
      : p.spec?.egress?.map((r) => ({ ports: r.ports, peers: r.to }))) ?? []
    const allows = any(rules.map((r) => ruleMatches(r, c, namespace)))
    if (allows === 'yes' && selects === 'yes') allowing.push(policyName(p))
    else if (allows !== 'no') unsure.push(policyName(p))
  }
  if (!isolating.length || allowing.length) return { status: 'allowed', isolating, allowing }
  if (certainlyIsolated && !unsure.length) return { status: 'denied', isolating }
  return { status: 'may-deny', isolating, unsure }
}

// The cluster DNS as upstream deploys it (kubeadm, EKS, GKE, AKS): pods labelled k8s-app=kube-dns in
// kube-system, answering UDP on port 53 named "dns". Where it runs elsewhere (OpenShift's
// openshift-dns), a policy that allows exactly this peer is read as allowing DNS although it does not.
export const clusterDnsPeer: Peer = {
  namespace: 'kube-system',
  namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  labels: { 'k8s-app': 'kube-dns' },
}

export const dnsEgress = (namespace: string, labels: Labels | undefined): Connection =>
  ({ direction: 'Egress', pod: { namespace, labels }, peer: clusterDnsPeer, port: 53, protocol: 'UDP', portName: 'dns' })

// What a verdict means for a connection, in one sentence, or undefined when it is allowed.
export function describeVerdict(v: PolicyVerdict, what: string): string | undefined {
  if (v.status === 'allowed') return undefined
  const isolate = `NetworkPolic${v.isolating.length > 1 ? 'ies' : 'y'} ${v.isolating.join(', ')} ${v.isolating.length > 1 ? 'select' : 'selects'}`
  if (v.status === 'denied') return `${isolate} the pod and no policy allows ${what}: a policy denies it`
  return `${isolate} (or may select) the pod, and whether ${v.unsure.length ? v.unsure.join(', ') : 'any policy'} allows ${what} depends on what the suite cannot see (labels of the other end, a named port, an IP): a policy may deny it`
}

// ---- reading and adding policies ---------------------------------------------------

const clients = new WeakMap<Kube, NetworkingV1Api>()
const networking = (kube: Kube) => clients.get(kube) ?? clients.set(kube, kube.kc.makeApiClient(NetworkingV1Api)).get(kube)!

export async function listNetworkPolicies(kube: Kube, namespace: string): Promise<V1NetworkPolicy[]> {
  const list = await apiCall(`list NetworkPolicies in ${namespace}`, () => networking(kube).listNamespacedNetworkPolicy({ namespace }))
  return list.items.map((p) => ({ ...p, metadata: { ...p.metadata, namespace: p.metadata?.namespace ?? namespace } }))
}

export const allowPolicyName = 'stateful-conformance-allow'

// The suite's own allow policy, for a namespace of its own (every pod there is the suite's, hence
// the empty podSelector; in a namespace given by SC_NAMESPACE, the pods carrying `runPods`): only in the directions another policy already isolates its pods in, so
// that it only adds (a policy listing Egress would otherwise isolate egress that was open). It
// allows ingress from the namespace's pods, egress to them, and DNS (port 53, or the ports named
// dns and dns-tcp as CoreDNS and OpenShift's DNS name theirs) to anywhere. It goes with the namespace.
export function allowPolicy(namespace: string, directions: Direction[], runPods?: Record<string, string>): V1NetworkPolicy {
  const pods: V1LabelSelector = runPods ? { matchLabels: runPods } : {}
  const samePods = [{ podSelector: pods }]
  const dnsPorts = [
    { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 },
    { protocol: 'UDP', port: 'dns' }, { protocol: 'TCP', port: 'dns-tcp' },
  ] as V1NetworkPolicyPort[]
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: allowPolicyName, namespace, labels: { 'app.kubernetes.io/managed-by': 'stateful-conformance' } },
    spec: {
      podSelector: pods,
      policyTypes: directions,
      ...(directions.includes('Ingress') ? { ingress: [{ _from: samePods }] } : {}),
      ...(directions.includes('Egress') ? { egress: [{ to: samePods }, { ports: dnsPorts }] } : {}),
    },
  }
}

// dryRun: the API server's answer (RBAC, admission) without the policy.
export async function createAllowPolicy(kube: Kube, namespace: string, directions: Direction[], o: { dryRun?: boolean } = {}): Promise<void> {
  const what = `create NetworkPolicy ${namespace}/${allowPolicyName}`
  const body = labelForGiven(kube, namespace, allowPolicy(namespace, directions, kube.given?.namespace === namespace ? givenLabels(kube.given) : undefined))
  if (o.dryRun) {
    await apiCall(`${what} (dry run)`, () => networking(kube).createNamespacedNetworkPolicy({ namespace, body, dryRun: 'All' }))
    return
  }
  await apiCreate(what, body, (b) => networking(kube).createNamespacedNetworkPolicy({ namespace, body: b }), () => networking(kube).readNamespacedNetworkPolicy({ namespace, name: allowPolicyName }))
}

export interface Needed {
  what: string // "DNS egress (UDP 53) to the cluster DNS"
  connection: Connection
}

// For a DNS or HTTP failure: a line per connection it needed that the namespace's policies deny (or
// may deny), naming them as the cause to look at before `component`; undefined when none does.
export function explainByPolicies(policies: V1NetworkPolicy[], needed: Needed[], component: string): string | undefined {
  const lines = needed.flatMap(({ what, connection }) => {
    const v = policyVerdict(policies, connection)
    const line = describeVerdict(v, what)
    if (!line) return []
    return [`${line}; ${v.status === 'denied' ? `that, rather than ${component}, is the likely cause` : `look at it before ${component}`}`]
  })
  return lines.length ? lines.join('\n') : undefined
}

export interface PolicyHint {
  text: string
  // A policy is named (denies or may deny).
  blames: boolean
  // A policy certainly denies a connection needed: what needs it cannot succeed while it stands.
  denies: boolean
}

// explainByPolicies on the namespace's policies as they are now; a listing the API refused says so,
// blaming none.
export async function policyHint(kube: Kube, namespace: string, needed: Needed[], component: string): Promise<PolicyHint | undefined> {
  let policies: V1NetworkPolicy[]
  try {
    policies = await listNetworkPolicies(kube, namespace)
  } catch (err) {
    return { text: `(the NetworkPolicies of ${namespace}, which may deny it, could not be read: ${describeApiError(err)})`, blames: false, denies: false }
  }
  const text = explainByPolicies(policies, needed, component)
  return text ? { text, blames: true, denies: needed.some((n) => policyVerdict(policies, n.connection).status === 'denied') } : undefined
}
