import { describe, expect, test } from 'vitest'
import { components, describeConnectivity, type PathResult } from './connectivity.ts'

const ok: PathResult[] = [
  { path: 'DNS', status: 'ok', detail: 'web.q.svc.kind.test is 10.96.0.20' },
  { path: 'pod to pod', status: 'ok', detail: 'http://10.244.1.5:9898/readyz answered 200' },
  { path: 'cluster IP', status: 'ok', detail: 'http://10.96.0.20:80/readyz answered 200' },
]

describe('the connectivity line of the run header', () => {
  test('every path open: one line, with what each path answered', () => {
    expect(describeConnectivity(ok)).toBe('connectivity from a pod of the suite: DNS ok, pod to pod ok, cluster IP ok (web.q.svc.kind.test is 10.96.0.20; http://10.244.1.5:9898/readyz answered 200; http://10.96.0.20:80/readyz answered 200)')
  })

  test('a path a NetworkPolicy blocks is named with the policy, and with the claims it will cost', () => {
    const policy = 'NetworkPolicy q/default-deny selects the pod and no policy allows its DNS lookups (UDP 53 to the cluster DNS): a policy denies it; that, rather than the cluster DNS (CoreDNS, behind kube-dns), is the likely cause'
    const line = describeConnectivity([{ path: 'DNS', status: 'blocked', detail: 'web.q.svc.kind.test: error (no DNS server answered)', blame: policy }, ok[1]!, ok[2]!])
    expect(line.split('\n')).toEqual([
      'connectivity from a pod of the suite: DNS BLOCKED, pod to pod ok, cluster IP ok',
      '  DNS: web.q.svc.kind.test: error (no DNS server answered)',
      `    ${policy}; claims that resolve names (Q1-09, Q2-09, Q3-05 among them) will fail or end broken`,
    ])
  })

  test('a path no policy explains blames its component: kube-proxy for the cluster IP, the pod network for pod to pod', () => {
    const line = describeConnectivity([ok[0]!, { path: 'pod to pod', status: 'blocked', detail: 'no HTTP answer' }, { path: 'cluster IP', status: 'blocked', detail: 'no HTTP answer' }])
    expect(line).toContain(`look at ${components['pod to pod']}; claims that send HTTP between pods will fail or end broken`)
    expect(line).toContain('look at the Service proxy (kube-proxy, or what replaces it); claims that send HTTP to a Service')
  })

  test('a Service without a cluster IP leaves DNS and the cluster IP not checked, saying why; never BLOCKED', () => {
    const none = 'Service q/web has no cluster IP ("None")'
    const line = describeConnectivity([{ path: 'DNS', status: 'unchecked', detail: none }, ok[1]!, { path: 'cluster IP', status: 'unchecked', detail: none }])
    expect(line.split('\n')).toEqual([
      'connectivity from a pod of the suite: DNS not checked, pod to pod ok, cluster IP not checked (http://10.244.1.5:9898/readyz answered 200)',
      `  DNS not checked: ${none}`, `  cluster IP not checked: ${none}`,
    ])
  })

  test('no result: says it was not checked', () => {
    expect(describeConnectivity([])).toBe('connectivity: not checked')
  })
})
