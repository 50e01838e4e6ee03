import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { V1NetworkPolicy } from '@kubernetes/client-node'
import {
  answerOf, blamesNetworkPolicy, clusterDomainFromResolvConf, clientPod, describeUnanswered, dnsFailureHints, dnsNeeds, type HttpRequest, httpBatchCommand, httpNeeds, httpRequestText, lookupsDenied, ncWaitSeconds, noServer,
  parseHttpBatch, parseHttpReply, parseNslookup, parsePing,
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

test('HTTP requests and replies as sent through nc', () => {
  expect(httpRequestText(new URL('http://web:9000/store'), 'POST', '{"a": 1}'))
    .toBe('POST /store HTTP/1.1\r\nHost: web:9000\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a": 1}')
  expect(parseHttpReply('HTTP/1.1 202 Accepted\r\nX: y\r\n\r\n{"hash":"x"}')).toMatchObject({ status: 202, body: '{"hash":"x"}' })
  expect(parseHttpReply('').status).toBe(0)
})

test('requests are HTTP/1.1 with Host and Connection: close, which a mesh sidecar accepts (HTTP/1.0 gets 426)', () => {
  const [requestLine, ...headers] = httpRequestText(new URL('http://web-0.web.ns.svc.cluster.local:9898/version?x=1'), 'GET').split('\r\n')
  expect(requestLine).toBe('GET /version?x=1 HTTP/1.1')
  expect(headers.slice(0, 2)).toEqual(['Host: web-0.web.ns.svc.cluster.local:9898', 'Connection: close'])
})

test('a chunked reply\'s body is its chunks joined', () => {
  const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: envoy\r\n\r\n7\r\n{"versi\r\nd;ext=1\r\non": "6.7.0"}\r\n0\r\n\r\n'
  expect(parseHttpReply(raw)).toMatchObject({ status: 200, body: '{"version": "6.7.0"}' })
  expect(parseHttpReply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok').body).toBe('ok')
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

describe('a batch of HTTP requests in one exec', () => {
  // The script as the client pod runs it, here with a stand-in for nc that answers with what it was asked.
  function runBatch(requests: HttpRequest[], marker: string): string {
    const bin = mkdtempSync(join(tmpdir(), 'fake-nc-'))
    writeFileSync(join(bin, 'nc'), [
      '#!/bin/sh',
      'req=$(cat)',
      'if [ "$3" = down ]; then echo "nc: can\'t connect to remote host: Connection refused" >&2; exit 1; fi',
      'if [ "$3" = closes ]; then exit 0; fi',
      'printf \'HTTP/1.0 200 OK\\r\\nX: y\\r\\n\\r\\n%s:%s -w %s %s\' "$3" "$4" "$2" "$(printf %s "$req" | head -n 1 | tr -d \'\\r\')"',
    ].join('\n'))
    chmodSync(join(bin, 'nc'), 0o755)
    try {
      const [cmd, ...args] = httpBatchCommand(requests, marker, 15)
      return execFileSync(cmd!, args, { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } })
    } finally {
      rmSync(bin, { recursive: true })
    }
  }

  test('each request goes to its own host and port, and its reply comes back in order, nc\'s complaint with it', () => {
    const marker = '--sc-reply-test--'
    const out = runBatch([
      { url: 'http://10.96.0.12:8080/cgi-bin/visit?id=v1' },
      { url: 'http://web/store', method: 'POST', body: '{"a": "b c"}' },
      { url: 'http://down:9898/' },
      { url: 'http://[fd00::1]:8080/cgi-bin/visit?id=v2' },
      { url: 'http://closes/' },
    ], marker)
    const replies = parseHttpBatch(out, marker)
    expect(replies.map((r) => r.ncExit)).toEqual([0, 0, 1, 0, 0])
    // Each took a time the shell read from /proc/uptime: a stand-in nc takes well under the -w.
    expect(replies.every((r) => r.ms >= 0 && r.ms < 15_000), JSON.stringify(replies.map((r) => r.ms))).toBe(true)
    expect(describeUnanswered(replies[4]!, 15)).toMatch(/^nc exited 0 after \d+\.\ds with nothing read: the server closed the connection without a reply$/)
    expect(replies.map((r) => parseHttpReply(r.raw).body)).toEqual([
      '10.96.0.12:8080 -w 15 GET /cgi-bin/visit?id=v1 HTTP/1.1',
      'web:80 -w 15 POST /store HTTP/1.1',
      '',
      'fd00::1:8080 -w 15 GET /cgi-bin/visit?id=v2 HTTP/1.1',
      '',
    ])
    expect(replies[2]!.raw).toMatch(/^nc: can't connect to remote host: Connection refused\n$/)
    expect(parseHttpReply(replies[2]!.raw).status).toBe(0)
  })

  test('a batch cut short yields the replies that came, and a reply that merely looks like a marker is no end', () => {
    const m = '--sc-reply-x--'
    expect(parseHttpBatch(`HTTP/1.0 200 OK\r\n\r\na\n${m} 0 0 12\nHTTP/1.0 200 OK\r\n\r\n${m} 9 0 1 in a body\nHTTP/1.0 200 OK\r\n\r\npartial`, m))
      .toEqual([{ raw: 'HTTP/1.0 200 OK\r\n\r\na', ncExit: 0, ms: 120 }])
    expect(() => parseHttpBatch(`\n${m} 1 0 3\n`, m)).toThrow(/out of order/)
  })

  // CI (stop 32): a visit got "no HTTP answer (nc exited 0: )", which could be a server that died
  // on the request or one that was slow; the time nc took tells which.
  test('an unanswered request says what nc got and after how long: closed without a reply, or silent for the whole -w', () => {
    expect(describeUnanswered({ raw: '', ncExit: 0, ms: 300 }, 15)).toBe('nc exited 0 after 0.3s with nothing read: the server closed the connection without a reply')
    expect(describeUnanswered({ raw: '', ncExit: 0, ms: 30_020 }, 15)).toBe("nc exited 0 after 30.0s with nothing read: the connection was open and the server sent no reply within nc's -w 15s")
    expect(describeUnanswered({ raw: 'nc: bad address \'x\'\n', ncExit: 1, ms: 10 }, 15)).toBe("nc exited 1 after 0.0s: nc: bad address 'x'")
  })

  test('nc waits whole seconds, at least one', () => {
    expect([ncWaitSeconds(15_000), ncWaitSeconds(22_500), ncWaitSeconds(200)]).toEqual([15, 23, 1])
  })
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
