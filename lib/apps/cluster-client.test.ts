import { describe, expect, test } from 'vitest'
import type { V1NetworkPolicy } from '@kubernetes/client-node'
import {
  answerOf, blamesNetworkPolicy, clusterDomainFromResolvConf, clientPod, dnsFailureHints, dnsNeeds, httpNeeds, lookupsDenied, noServer, parseNslookup, parsePing,
} from './cluster-client.ts'
import { explainByPolicies } from '../resources/network-policies.ts'

test('reads the answers after the Name line, not the server address', () => {
  const out = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb-0.web.ns.svc.cluster.local\nAddress: 10.244.0.7\n'
  expect(parseNslookup(out, 0)).toMatchObject({ status: 'ok', addresses: ['10.244.0.7'] })
})

test('reads several answers and the older "Address 1:" form', () => {
  const out = 'Server: 10.96.0.10\nAddress 1: 10.96.0.10 kube-dns\n\nName: web\nAddress 1: 10.244.0.9 web-1\nAddress 2: 10.244.0.8 web-0\n'
  expect(parseNslookup(out, 0)).toMatchObject({ status: 'ok', addresses: ['10.244.0.8', '10.244.0.9'] })
})

test('an answer through the search list counts, whatever the other expansions said', () => {
  const out = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web.cluster.local: NXDOMAIN\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.23.140\n\n** server can't find web.svc.cluster.local: NXDOMAIN\n"
  expect(parseNslookup(out, 1)).toMatchObject({ status: 'ok', addresses: ['10.96.23.140'] })
})


test('NXDOMAIN is its own status', () => {
  const out = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web-1.web: NXDOMAIN\n"
  expect(parseNslookup(out, 1).status).toBe('nxdomain')
})

test('no answer at all is an error, not a success', () => {
  expect(parseNslookup(';; connection timed out; no servers could be reached\n', 1).status).toBe('error')
})

test('a server that does not answer is told apart from a name it does not know', () => {
  expect(noServer(';; connection timed out; no servers could be reached\n')).toBe(true)
  expect(noServer("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web-1.web: NXDOMAIN\n")).toBe(false)
})

test('ping shows what the pod\'s own resolver made of a name', () => {
  expect(parsePing('PING named-0.named (10.244.0.34): 56 data bytes\n64 bytes from 10.244.0.34')).toMatchObject({ status: 'ok', addresses: ['10.244.0.34'] })
  expect(parsePing("ping: bad address 'nosuch.named'\n").status).toBe('unresolved')
})

test('the cluster domain comes from the pod\'s resolv.conf search list, whatever it is', () => {
  const conf = (domain: string) => `search sc-q1-12-ab12.svc.${domain} svc.${domain} ${domain} ec2.internal\nnameserver 10.96.0.10\noptions ndots:5\n`
  expect(clusterDomainFromResolvConf(conf('cluster.local'), 'sc-q1-12-ab12')).toBe('cluster.local')
  expect(clusterDomainFromResolvConf(conf('k8s.example.org'), 'sc-q1-12-ab12')).toBe('k8s.example.org')
  expect(clusterDomainFromResolvConf('search svc.corp.lan corp.lan\n', 'other')).toBe('corp.lan')
  expect(() => clusterDomainFromResolvConf('nameserver 1.1.1.1\n', 'x')).toThrow(/no cluster domain in the pod's resolv.conf search list \(none\)/)
})


test('a DNS answer that changes is progress (the wait for it goes on); the same answer again is not', () => {
  const ok = (addresses: string[]) => ({ status: 'ok' as const, addresses, output: `at ${Math.random()}` })
  expect(answerOf(ok(['10.244.0.7', '10.244.0.9']))).not.toBe(answerOf(ok(['10.244.0.9'])))
  expect(answerOf(ok(['10.244.0.9']))).toBe(answerOf(ok(['10.244.0.9'])))
  expect(answerOf({ status: 'error', output: 'timed out' })).toBe(answerOf({ status: 'error', output: 'timed out again' }))
})

// Issue 24, path 4: a default-deny NetworkPolicy put into every new namespace made every lookup
// fail with "is the cluster DNS (CoreDNS) running?", and every request blame kube-proxy.
describe('a NetworkPolicy that denies the client pod\'s traffic is named before CoreDNS or kube-proxy', () => {
  const ns = 'sc-q2-03-abc123'
  const defaultDeny: V1NetworkPolicy = { metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }
  const timedOut = ';; connection timed out; no servers could be reached\n'

  test('a lookup no server answered, under a default-deny: the policy, not CoreDNS', () => {
    const text = explainByPolicies([defaultDeny], dnsNeeds(ns), 'the cluster DNS (CoreDNS)')
    expect(text).toBe(`NetworkPolicy ${ns}/default-deny selects the pod and no policy allows its DNS lookups (UDP 53 to the cluster DNS): a policy denies it; that, rather than the cluster DNS (CoreDNS), is the likely cause`)
    const hints = dnsFailureHints(timedOut, { text: text!, blames: true, denies: true })
    expect(hints).toEqual([text])
    expect(hints.join('\n')).not.toMatch(/is the cluster DNS \(CoreDNS\) running/)
  })

  test('without a policy that denies it, CoreDNS is asked about as before; policies that could not be read are said beside it', () => {
    expect(explainByPolicies([], dnsNeeds(ns), 'the cluster DNS (CoreDNS)')).toBeUndefined()
    expect(dnsFailureHints(timedOut, undefined)).toEqual([expect.stringMatching(/is the cluster DNS \(CoreDNS\) running\?$/)])
    expect(dnsFailureHints(timedOut, { text: '(the NetworkPolicies of ns could not be read: forbidden)', blames: false, denies: false })).toHaveLength(2)
  })

  test('a request under a default-deny: egress and ingress both named; a name needs DNS first, an IP does not', () => {
    const byName = explainByPolicies([defaultDeny], httpNeeds(ns, 'web'), 'the Service proxy (kube-proxy) or the server')
    expect(byName?.split('\n')).toHaveLength(3)
    expect(byName).toMatch(/its requests to the pods of sc-q2-03-abc123 \(egress\): a policy denies it; that, rather than the Service proxy \(kube-proxy\) or the server, is the likely cause/)
    expect(explainByPolicies([defaultDeny], httpNeeds(ns, '10.96.0.12'), 'kube-proxy')?.split('\n')).toHaveLength(2)
  })

  test('a policy that allows only some ports: the Service may have translated the port, so "may deny", never certainty', () => {
    const onlyHttp: V1NetworkPolicy = { metadata: { name: 'only-9898', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 9898 }] }] } }
    expect(explainByPolicies([onlyHttp], httpNeeds(ns, '10.96.0.12'), 'kube-proxy')).toMatch(/a policy may deny it; look at it before kube-proxy$/)
  })

  test('a lookup no server answered under a policy that certainly denies it ends at once; "may deny", or an answer from a server, waits', () => {
    expect(lookupsDenied(timedOut, { text: 'x', blames: true, denies: true })).toBe(true)
    expect(lookupsDenied(timedOut, { text: 'x', blames: true, denies: false })).toBe(false)
    expect(lookupsDenied(timedOut, undefined)).toBe(false)
    expect(lookupsDenied("** server can't find web-1.web: NXDOMAIN\n", { text: 'x', blames: true, denies: true })).toBe(false)
  })

  test('the needs are the client pod\'s own labels, and the error carries whether a policy was named', () => {
    expect(dnsNeeds(ns)[0]!.connection.pod.labels).toEqual(clientPod('client', 'busybox').metadata?.labels)
    expect(blamesNetworkPolicy(Object.assign(new Error('x'), { blamesPolicy: true }))).toBe(true)
    expect(blamesNetworkPolicy(new Error('x'))).toBe(false)
  })
})

describe('the client pod', () => {
  test('runs on a Linux node, and where the claim\'s node selector says besides', () => {
    expect(clientPod('client', 'busybox').spec?.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' })
    expect(clientPod('client', 'busybox', { 'topology.kubernetes.io/zone': 'zone-b' }).spec?.nodeSelector)
      .toEqual({ 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'zone-b' })
  })
})
