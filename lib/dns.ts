// A client pod inside the namespace under test, from which names are
// resolved (busybox nslookup, as in the quests) and HTTP requests are sent
// (busybox wget) the way another workload in the cluster would.
import type { Kube } from './kube.ts'
import { execIn } from './exec.ts'
import { progress } from './steps.ts'
import { timeout, type TimeoutName } from './timeouts.ts'
import { waitForPodReady } from './wait.ts'

export type Resolution =
  | { status: 'ok'; addresses: string[]; output: string }
  | { status: 'nxdomain'; output: string }
  | { status: 'error'; output: string }

// busybox prints the answers after a "Name:" line, as "Address: a.b.c.d"
// (newer) or "Address 1: a.b.c.d name" (older); the server's own address comes first.
export function parseNslookup(output: string, exitCode: number): Resolution {
  if (/NXDOMAIN|can't find|can't resolve/i.test(output) && exitCode !== 0) return { status: 'nxdomain', output }
  const lines = output.split('\n')
  const nameAt = lines.findIndex((l) => /^Name:/.test(l.trim()))
  if (nameAt < 0) return { status: exitCode === 0 ? 'ok' : 'error', addresses: [], output } as Resolution
  const addresses = lines.slice(nameAt + 1)
    .map((l) => /^Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)/.exec(l.trim())?.[1])
    .filter((a): a is string => !!a)
  return addresses.length ? { status: 'ok', addresses: [...new Set(addresses)].sort(), output } : { status: 'error', output }
}

export interface ClusterClient {
  pod: string
  resolve(name: string): Promise<Resolution>
  // Polls with a deadline: DNS has no watch. Returns the last resolution that satisfied `until`.
  waitForResolution(name: string, what: string, until: (r: Resolution) => boolean, limit?: TimeoutName): Promise<Resolution>
  httpGet(url: string): Promise<{ ok: boolean; body: string }>
  httpPost(url: string, body: string): Promise<{ ok: boolean; body: string }>
}

export async function startClusterClient(kube: Kube, namespace: string, image: string, name = 'client'): Promise<ClusterClient> {
  await kube.core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { 'app.kubernetes.io/component': 'probe' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'client', image, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 3600 & wait; done'] }],
      },
    },
  })
  await waitForPodReady(kube, namespace, name)
  const client: ClusterClient = {
    pod: name,
    async resolve(host) {
      const r = await execIn(kube, namespace, name, ['nslookup', host])
      return parseNslookup(r.stdout + r.stderr, r.exitCode)
    },
    async waitForResolution(host, what, until, limit = 'dns') {
      const deadline = Date.now() + timeout(limit)
      progress(`resolving ${host} from pod ${namespace}/${name} until it ${what} (up to ${timeout(limit) / 1000}s)`)
      let last: Resolution
      for (;;) {
        last = await client.resolve(host)
        if (until(last)) return last
        if (Date.now() > deadline) {
          throw new Error(`timed out after ${timeout(limit) / 1000}s (${limit}) waiting for ${host} to resolve so that it ${what}, from pod ${namespace}/${name}; last answer (${last.status}):\n${last.output.trim()}`)
        }
        await new Promise((r) => setTimeout(r, 500)) // poll interval of a deadline-bounded poll
      }
    },
    async httpGet(url) {
      const r = await execIn(kube, namespace, name, ['wget', '-q', '-T', String(timeout('http') / 1000), '-O', '-', url])
      return { ok: r.exitCode === 0, body: r.exitCode === 0 ? r.stdout : r.stderr + r.stdout }
    },
    async httpPost(url, body) {
      const r = await execIn(kube, namespace, name, ['wget', '-q', '-T', String(timeout('http') / 1000), '-O', '-', '--post-data', body, url])
      return { ok: r.exitCode === 0, body: r.exitCode === 0 ? r.stdout : r.stderr + r.stdout }
    },
  }
  return client
}
