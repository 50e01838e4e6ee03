import { describe, expect, test } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import type { ClusterClient } from './cluster-client.ts'
import { parseHttpReply } from './http-over-nc.ts'
import { readIdentity } from './zoned.ts'

// A client pod whose requests and lookups are scripted; the Kube is never reached on these paths.
function clientWith(http: (url: string) => Promise<string>, lookup: string): ClusterClient {
  return {
    pod: 'client',
    clusterDomain: async () => 'cluster.local',
    fqdn: async (name) => `${name}.ns.svc.cluster.local`,
    resolve: async () => ({ status: 'error', output: lookup }),
    nslookup: async () => ({ status: 'error', output: lookup }),
    waitForResolution: async () => ({ status: 'error', output: lookup }),
    http: async (url) => parseHttpReply(await http(url)),
    httpBatch: async () => [],
  }
}
const kube = {} as Kube

// The headless Service's EndpointSlices, as kube.objects.list answers them.
const kubeListing = (endpoints: { address: string; pod: string; ready: boolean }[]) => ({
  objects: {
    list: async () => ({
      metadata: { resourceVersion: '1' },
      items: [{ endpoints: endpoints.map((e) => ({ addresses: [e.address], targetRef: { kind: 'Pod', name: e.pod }, conditions: { ready: e.ready } })) }],
    }),
  },
}) as unknown as Kube

const dnsDown = ';; connection timed out; no servers could be reached'

describe('reading a zoned pod\'s identity', () => {
  test('by its DNS name under the headless Service', async () => {
    const client = clientWith(async (url) => `HTTP/1.1 200 OK\r\n\r\nzoned-1 u1\n${url}`, '')
    const read = await readIdentity(kube, 'ns', client, 'zoned-1', 'zoned')
    expect(read.url).toBe('http://zoned-1.zoned:8080/identity')
    expect(read.reply.body).toBe('zoned-1 u1\nhttp://zoned-1.zoned:8080/identity')
    expect(read.noDns).toBeUndefined()
  })

  test('a failure while a DNS server answers (NXDOMAIN, a pod that does not serve) is the failure, not a reason to read elsewhere', async () => {
    const client = clientWith(async () => { throw new Error('GET http://zoned-1.zoned:8080/identity from pod ns/client: no HTTP answer') },
      '** server can\'t find zoned-1.zoned.ns.svc.cluster.local: NXDOMAIN')
    await expect(readIdentity(kube, 'ns', client, 'zoned-1', 'zoned')).rejects.toThrow(/no HTTP answer/)
  })

  test('where no DNS server answers the client at all, at the pod\'s ready address in the Service\'s endpoints, saying so', async () => {
    const asked: string[] = []
    const client = clientWith(async (url) => {
      asked.push(url)
      if (url.includes('zoned-1.zoned')) throw new Error('no HTTP answer (nc: bad address)')
      return 'HTTP/1.1 200 OK\r\n\r\nzoned-1 u1\n'
    }, dnsDown)
    const read = await readIdentity(kubeListing([{ address: '10.244.2.7', pod: 'zoned-1', ready: true }, { address: '10.244.1.5', pod: 'zoned-0', ready: false }]), 'ns', client, 'zoned-1', 'zoned')
    expect(asked).toEqual(['http://zoned-1.zoned:8080/identity', 'http://10.244.2.7:8080/identity'])
    expect(read).toMatchObject({ url: 'http://10.244.2.7:8080/identity', reply: { status: 200, body: 'zoned-1 u1\n' } })
    expect(read.noDns).toBe('no DNS server answered pod ns/client for zoned-1.zoned.ns.svc.cluster.local (;; connection timed out; no servers could be reached)')
  })

  test('with no DNS and no ready address of the pod in the Service, the failure names both', async () => {
    const client = clientWith(async () => { throw new Error('no HTTP answer (nc: bad address)') }, dnsDown)
    await expect(readIdentity(kubeListing([{ address: '10.244.2.7', pod: 'zoned-1', ready: false }]), 'ns', client, 'zoned-1', 'zoned'))
      .rejects.toThrow(/no HTTP answer[\s\S]*lists no ready address of zoned-1: 10.244.2.7 → zoned-1 \(not ready\)/)
  })
})
