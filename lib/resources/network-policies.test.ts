import type { V1NetworkPolicy, V1NetworkPolicySpec } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { allowPolicy, type Connection, describeVerdict, dnsEgress, policyHint, policyTypesOf, policyVerdict, portMatches, selectorMatches } from './network-policies.ts'

const ns = 'sc-q2-01-abc123'
const policy = (name: string, spec: V1NetworkPolicySpec, namespace = ns): V1NetworkPolicy =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec })

// As Kyverno's add-networkpolicy sample and most namespace templates put it into every new namespace.
const defaultDenyAll = policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })
const denyEgress = policy('deny-egress', { podSelector: {}, policyTypes: ['Egress'] })
const allowDns = policy('allow-dns', {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [{
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
  }],
})

const client = { 'app.kubernetes.io/component': 'probe' }
const web = { app: 'visits' }
const dns = dnsEgress(ns, client)
// The client pod's request to a pod of its own namespace on port 8080 ("http"): its egress, the server's ingress.
const toWeb: Connection = { direction: 'Egress', pod: { namespace: ns, labels: client }, peer: { namespace: ns, labels: web }, port: 8080, portName: 'http' }
const intoWeb: Connection = { direction: 'Ingress', pod: { namespace: ns, labels: web }, peer: { namespace: ns, namespaceLabels: { 'kubernetes.io/metadata.name': ns }, labels: client }, port: 8080, portName: 'http' }

describe('policyVerdict: the NetworkPolicy semantics', () => {
  test('no policy: nothing is isolated, everything is allowed', () => {
    expect(policyVerdict([], dns)).toEqual({ status: 'allowed', isolating: [], allowing: [] })
  })

  test('a default-deny of both directions denies DNS egress and pod-to-pod ingress, naming the policy', () => {
    expect(policyVerdict([defaultDenyAll], dns)).toEqual({ status: 'denied', isolating: [`${ns}/default-deny`] })
    expect(policyVerdict([defaultDenyAll], toWeb).status).toBe('denied')
    expect(policyVerdict([defaultDenyAll], intoWeb).status).toBe('denied')
  })

  test('a deny of egress only denies DNS and leaves ingress open', () => {
    expect(policyVerdict([denyEgress], dns).status).toBe('denied')
    expect(policyVerdict([denyEgress], intoWeb)).toMatchObject({ status: 'allowed', isolating: [] })
  })

  test('without policyTypes a policy is Ingress, and Egress too only when it has egress rules (as the API server defaults it)', () => {
    const ingressOnly = policy('no-types', { podSelector: {} })
    expect(policyTypesOf(ingressOnly)).toEqual(['Ingress'])
    expect(policyVerdict([ingressOnly], dns).status).toBe('allowed')
    expect(policyVerdict([ingressOnly], intoWeb).status).toBe('denied')
    expect(policyTypesOf(policy('egress-rules', { podSelector: {}, egress: [{}] }))).toEqual(['Ingress', 'Egress'])
  })

  test('an allow-DNS policy beside a default-deny allows DNS (and names it), nothing else', () => {
    expect(policyVerdict([defaultDenyAll, allowDns], dns)).toEqual({ status: 'allowed', isolating: [`${ns}/default-deny`, `${ns}/allow-dns`], allowing: [`${ns}/allow-dns`] })
    expect(policyVerdict([defaultDenyAll, allowDns], { ...dns, protocol: 'TCP' }).status).toBe('allowed')
    expect(policyVerdict([defaultDenyAll, allowDns], toWeb).status).toBe('denied')
  })

  test('an allow-DNS policy to another DNS namespace does not allow the cluster DNS where upstream puts it', () => {
    const elsewhere = policy('allow-dns', { ...allowDns.spec!, egress: [{ ...allowDns.spec!.egress![0]!, to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } } }] }] })
    expect(policyVerdict([denyEgress, elsewhere], dns).status).toBe('denied')
  })

  test('a policy selecting other pods, or in another namespace, does not isolate the pod', () => {
    const dbOnly = policy('db-only', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress', 'Egress'] })
    expect(policyVerdict([dbOnly], dns).status).toBe('allowed')
    expect(policyVerdict([policy('default-deny', defaultDenyAll.spec!, 'other')], dns).status).toBe('allowed')
  })

  test('a pod whose labels are not known may be isolated by a policy with a selector: may deny, never certainly', () => {
    const webOnly = policy('web-only', { podSelector: { matchLabels: web }, policyTypes: ['Ingress'] })
    expect(policyVerdict([webOnly], { ...intoWeb, pod: { namespace: ns } })).toEqual({ status: 'may-deny', isolating: [`${ns}/web-only`], unsure: [] })
    expect(policyVerdict([defaultDenyAll], { ...intoWeb, pod: { namespace: ns } }).status).toBe('denied') // the empty selector selects every pod
  })

  test('a peer whose labels are not known may or may not match a rule naming labels: may deny', () => {
    const toWebPods = policy('to-web', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: web } }] }] })
    expect(policyVerdict([toWebPods], toWeb).status).toBe('allowed')
    expect(policyVerdict([toWebPods], { ...toWeb, peer: { namespace: ns } })).toEqual({ status: 'may-deny', isolating: [`${ns}/to-web`], unsure: [`${ns}/to-web`] })
    // A podSelector alone means pods of the policy's own namespace.
    expect(policyVerdict([toWebPods], { ...toWeb, peer: { namespace: 'other', labels: web } }).status).toBe('denied')
  })

  test('ingress from the namespace\'s own pods (an empty podSelector peer) allows pod-to-pod HTTP, not ingress from elsewhere', () => {
    const sameNamespace = policy('allow-same-namespace', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ _from: [{ podSelector: {} }] }] })
    expect(policyVerdict([defaultDenyAll, sameNamespace], intoWeb).status).toBe('allowed')
    expect(policyVerdict([defaultDenyAll, sameNamespace], { ...intoWeb, peer: { namespace: 'elsewhere', labels: client } }).status).toBe('denied')
  })

  test('a policy read as plain JSON (`from`, not the client\'s `_from`) is read the same', () => {
    const plain = policy('plain', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] } as never] })
    expect(policyVerdict([plain], intoWeb).status).toBe('allowed')
  })
})

describe('ports: number, range, name, protocol', () => {
  test('a number matches that port of that protocol (TCP when left out); no port, every port of it', () => {
    expect(portMatches({ port: 8080 }, { port: 8080 })).toBe('yes')
    expect(portMatches({ port: 8080 }, { port: 9898 })).toBe('no')
    expect(portMatches({ protocol: 'UDP', port: 53 }, { port: 53 })).toBe('no')
    expect(portMatches({ protocol: 'UDP' }, { port: 53, protocol: 'UDP' })).toBe('yes')
  })

  test('a port not known (a Service may have translated it) may or may not match a number; an entry with none matches', () => {
    expect(portMatches({ port: 8080 }, {})).toBe('maybe')
    expect(portMatches({ port: 8000, endPort: 9000 }, {})).toBe('maybe')
    expect(portMatches({}, {})).toBe('yes')
  })

  test('endPort makes a range, both ends included', () => {
    const range = { port: 8000, endPort: 9000 }
    expect([7999, 8000, 8080, 9000, 9898].map((port) => portMatches(range, { port }))).toEqual(['no', 'yes', 'yes', 'yes', 'no'])
    const ingressRange = policy('range', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [range] }] })
    expect(policyVerdict([ingressRange], intoWeb).status).toBe('allowed')
    expect(policyVerdict([ingressRange], { ...intoWeb, port: 9898, portName: undefined }).status).toBe('denied')
  })

  test('a named port matches the receiving container\'s port of that name; a name not known may match', () => {
    expect(portMatches({ port: 'http' }, { port: 8080, portName: 'http' })).toBe('yes')
    expect(portMatches({ port: 'http' }, { port: 8080, portName: 'metrics' })).toBe('no')
    expect(portMatches({ port: 'http' }, { port: 8080 })).toBe('maybe')
    const named = policy('named', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }] }] })
    expect(policyVerdict([named], intoWeb).status).toBe('allowed')
    expect(policyVerdict([named], { ...intoWeb, portName: undefined }).status).toBe('may-deny')
    // OpenShift's DNS answers on 5353, named dns: the suite's allow policy lets it through by name.
    expect(policyVerdict([denyEgress, allowPolicy(ns, ['Egress'])], { ...dns, port: 5353 }).status).toBe('allowed')
  })
})

describe('ipBlock peers', () => {
  const egressTo = (cidr: string, except?: string[]) =>
    policy('allow-block', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr, except } }] }] })

  test('an address inside the block and outside its exceptions is allowed; inside an exception, denied', () => {
    const block = egressTo('10.0.0.0/8', ['10.1.0.0/16'])
    expect(policyVerdict([block], { ...toWeb, peer: { ip: '10.2.3.4' } }).status).toBe('allowed')
    expect(policyVerdict([block], { ...toWeb, peer: { ip: '10.1.2.3' } }).status).toBe('denied')
    expect(policyVerdict([block], { ...toWeb, peer: { ip: '192.168.0.1' } }).status).toBe('denied')
  })

  test('families are kept apart: an IPv4 block does not hold an IPv6 address; ::/0 holds every IPv6 one', () => {
    expect(policyVerdict([egressTo('0.0.0.0/0')], { ...toWeb, peer: { ip: 'fd00::5' } }).status).toBe('denied')
    expect(policyVerdict([egressTo('::/0')], { ...toWeb, peer: { ip: 'fd00::5' } }).status).toBe('allowed')
  })

  test('an address not known (the cluster DNS pods\') may or may not be in a block: may deny', () => {
    expect(policyVerdict([egressTo('0.0.0.0/0')], dns)).toMatchObject({ status: 'may-deny', unsure: [`${ns}/allow-block`] })
  })
})

describe('label selectors', () => {
  test('matchLabels and every operator of matchExpressions; the empty selector selects labels not known', () => {
    expect(selectorMatches({}, undefined)).toBe('yes')
    expect(selectorMatches({ matchLabels: web }, undefined)).toBe('maybe')
    expect(selectorMatches({ matchLabels: web, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { ...web, tier: 'b' })).toBe('yes')
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, {})).toBe('yes')
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' })).toBe('no')
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {})).toBe('no')
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, {})).toBe('yes')
  })
})

describe('the suite\'s allow policy', () => {
  test('beside a default-deny it allows DNS (UDP and TCP) and HTTP between the namespace\'s pods, not egress elsewhere', () => {
    const policies = [defaultDenyAll, allowPolicy(ns, ['Ingress', 'Egress'])]
    for (const c of [dns, { ...dns, protocol: 'TCP' as const }, toWeb, intoWeb]) expect(policyVerdict(policies, c).status).toBe('allowed')
    expect(policyVerdict(policies, { ...toWeb, peer: { namespace: 'other', labels: web }, port: 443, portName: 'https' }).status).toBe('denied')
  })

  test('it takes only the directions asked for, so it never isolates a direction that was open', () => {
    const egressOnly = allowPolicy(ns, ['Egress'])
    expect(egressOnly.spec?.policyTypes).toEqual(['Egress'])
    expect(egressOnly.spec?.ingress).toBeUndefined()
    expect(policyVerdict([egressOnly], intoWeb)).toMatchObject({ status: 'allowed', isolating: [] })
  })
})

test('in a namespace given by SC_NAMESPACE it opens the way between the run\'s pods only, not for the namespace\'s other pods', () => {
  const run = { 'stateful-conformance/run': 'r1' }
  const policies = [defaultDenyAll, allowPolicy(ns, ['Ingress', 'Egress'], run)]
  const ours = (c: Connection): Connection => ({ ...c, pod: { ...c.pod, labels: { ...c.pod.labels, ...run } }, peer: { ...c.peer, labels: { ...c.peer.labels, ...run } } })
  for (const c of [ours(toWeb), ours(intoWeb), ours(dns)]) expect(policyVerdict(policies, c).status).toBe('allowed')
  // A pod of the namespace's own team: as denied as before the suite came.
  expect(policyVerdict(policies, intoWeb).status).toBe('denied')
  expect(policyVerdict(policies, { ...ours(intoWeb), peer: { ...intoWeb.peer } }).status).toBe('denied')
})

describe('describeVerdict names the policy, with "may" where the suite cannot tell', () => {
  test('denied, may deny, allowed', () => {
    expect(describeVerdict(policyVerdict([defaultDenyAll], dns), 'DNS egress (UDP 53)'))
      .toBe(`NetworkPolicy ${ns}/default-deny selects the pod and no policy allows DNS egress (UDP 53): a policy denies it`)
    expect(describeVerdict(policyVerdict([denyEgress, policy('to-web', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: web } }] }] })], { ...toWeb, peer: { namespace: ns } }), 'HTTP to port 8080'))
      .toMatch(new RegExp(`^NetworkPolicies ${ns}/deny-egress, ${ns}/to-web select .* whether ${ns}/to-web allows HTTP to port 8080 .*: a policy may deny it$`))
    expect(describeVerdict(policyVerdict([], dns), 'DNS')).toBeUndefined()
  })
})

describe('policyHint reads the namespace\'s policies as they are at the failure', () => {
  const kubeListing = (list: () => Promise<{ items: V1NetworkPolicy[] }>) => ({ kc: { makeApiClient: () => ({ listNamespacedNetworkPolicy: list }) } }) as unknown as Kube
  const needed = [{ what: 'its DNS lookups', connection: dns }]

  test('a certain deny blames and denies; a may-deny only blames; no policy, nothing', async () => {
    expect(await policyHint(kubeListing(async () => ({ items: [defaultDenyAll] })), ns, needed, 'CoreDNS')).toMatchObject({ blames: true, denies: true, text: expect.stringMatching(/rather than CoreDNS, is the likely cause$/) })
    const toAnyIp = policy('to-block', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })
    expect(await policyHint(kubeListing(async () => ({ items: [defaultDenyAll, toAnyIp] })), ns, needed, 'CoreDNS')).toMatchObject({ blames: true, denies: false, text: expect.stringMatching(/may deny it; look at it before CoreDNS$/) })
    expect(await policyHint(kubeListing(async () => ({ items: [] })), ns, needed, 'CoreDNS')).toBeUndefined()
  })

  test('a listing the API refuses is said, blaming no policy', async () => {
    const refused = kubeListing(async () => { throw Object.assign(new Error('forbidden'), { code: 403, body: { message: 'networkpolicies is forbidden' } }) })
    expect(await policyHint(refused, ns, needed, 'CoreDNS')).toEqual({ text: expect.stringMatching(/^\(the NetworkPolicies of sc-q2-01-abc123, which may deny it, could not be read: .*forbidden/), blames: false, denies: false })
  })
})
