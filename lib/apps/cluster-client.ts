// A client pod inside the namespace under test, from which names are
// resolved (busybox nslookup, as in the quests) and HTTP requests are sent
// (busybox nc) the way another workload in the cluster would.
import type { V1Pod } from '@kubernetes/client-node'
import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import type { Kube } from '../k8s/kube.ts'
import { dnsEgress, type Needed, policyHint, type PolicyHint } from '../resources/network-policies.ts'
import { containerResources, createPod, restrictedContainer, restrictedPod } from '../resources/pods.ts'
import { execIn } from '../k8s/exec.ts'
import { CouldNotLook, pollPause, progress } from '../k8s/claim-context.ts'
import { timeout, type TimeoutName } from '../k8s/timeouts.ts'
import { waitForPodReady } from '../wait/pods.ts'
import { describeUnanswered, type HttpReply, type HttpRequest, httpBatchCommand, ncWaitSeconds, parseHttpBatch, parseHttpReply } from './http-over-nc.ts'

export type Resolution =
  | { status: 'ok'; addresses: string[]; output: string }
  | { status: 'nxdomain'; output: string }
  | { status: 'unresolved'; output: string } // the pod's resolver found nothing (it does not say why)
  | { status: 'error'; output: string }

// busybox ping resolves through the C library, like an application: the
// resolv.conf search list and ndots apply. Only the first address is printed.
export function parsePing(output: string): Resolution {
  const ip = /^PING \S+ \(([0-9a-fA-F.:]+)\)/m.exec(output)?.[1]
  if (ip) return { status: 'ok', addresses: [ip], output }
  if (/bad address|unknown host/i.test(output)) return { status: 'unresolved', output }
  return { status: 'error', output }
}

// busybox prints each answer after a "Name:" line, as "Address: a.b.c.d"
// (newer) or "Address 1: a.b.c.d name" (older); the server's own address comes
// first. It tries the resolv.conf search list and reports every expansion that
// failed too (exiting 1), so an answer anywhere counts.
export function parseNslookup(output: string, _exitCode: number): Resolution {
  const lines = output.split('\n').map((l) => l.trim())
  const addresses: string[] = []
  let inAnswer = false
  for (const l of lines) {
    if (/^Name:/.test(l)) inAnswer = true
    else if (!l || l.startsWith('**')) inAnswer = false
    else if (inAnswer) {
      const a = /^Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)/.exec(l)?.[1]
      if (a) addresses.push(a)
    }
  }
  if (addresses.length) return { status: 'ok', addresses: [...new Set(addresses)].sort(), output }
  if (/NXDOMAIN/.test(output)) return { status: 'nxdomain', output }
  return { status: 'error', output }
}

// What an answer says, for telling a new answer from the same one again.
export const answerOf = (r: Resolution): string => (r.status === 'ok' ? `ok ${r.addresses.join(',')}` : r.status)

// busybox's words when no nameserver of resolv.conf answered at all: not a missing
// name but a missing server.
export const noServer = (output: string) => /no servers could be reached|connection timed out|connection refused/i.test(output)
const noServerHint = 'no DNS server answered the pod (its resolv.conf names the cluster DNS Service, kube-dns): is the cluster DNS (CoreDNS) running?'

// What a failed lookup's message adds: the policy that denies it (or may), or else, when no server
// answered, the cluster DNS; a policy listing the API refused is said beside the latter.
export function dnsFailureHints(output: string, policies: PolicyHint | undefined): string[] {
  return [policies?.text, noServer(output) && !policies?.blames ? noServerHint : undefined].filter((h) => h !== undefined)
}

// A lookup no server answered while a NetworkPolicy certainly denies the lookups cannot come true
// by waiting: the wait ends at once ("may deny" waits out its time, as the policy may not be the cause).
export const lookupsDenied = (output: string, policies: PolicyHint | undefined): boolean => noServer(output) && policies?.denies === true

// The error of an HTTP request that got no answer names a NetworkPolicy that may deny it (httpBatch):
// the Service proxy is then not the first suspect.
export const blamesNetworkPolicy = (err: unknown): boolean => (err as { blamesPolicy?: unknown } | undefined)?.blamesPolicy === true

// What the client pod's lookups and requests need of its namespace's NetworkPolicies, for naming a
// policy that denies them (lib/resources/network-policies.ts). A request goes to a pod of the
// namespace whose labels, and behind a Service whose port, are not known here; a name is looked up first.
export const clientLabels = { 'app.kubernetes.io/component': 'probe' }
export const dnsNeeds = (namespace: string): Needed[] =>
  [{ what: 'its DNS lookups (UDP 53 to the cluster DNS)', connection: dnsEgress(namespace, clientLabels) }]
export function httpNeeds(namespace: string, host: string): Needed[] {
  const client = { namespace, labels: clientLabels }
  return [
    ...(isIP(host) ? [] : dnsNeeds(namespace)),
    { what: `its requests to the pods of ${namespace} (egress)`, connection: { direction: 'Egress', pod: client, peer: { namespace } } },
    { what: `requests from the client pod to the pods of ${namespace} (their ingress)`, connection: { direction: 'Ingress', pod: { namespace }, peer: client } },
  ]
}

// The cluster domain as the pod's resolver has it: kubelet writes the search
// list "<ns>.svc.<domain> svc.<domain> <domain>" into every pod's resolv.conf.
export function clusterDomainFromResolvConf(text: string, namespace: string): string {
  const search = text.split('\n').map((l) => l.trim().split(/\s+/)).find((w) => w[0] === 'search')?.slice(1) ?? []
  const own = search.find((s) => s.startsWith(`${namespace}.svc.`))
  const domain = own?.slice(`${namespace}.svc.`.length) ?? search.find((s) => s.startsWith('svc.'))?.slice('svc.'.length)
  if (!domain) throw new Error(`no cluster domain in the pod's resolv.conf search list (${search.join(' ') || 'none'}): expected ${namespace}.svc.<domain>`)
  return domain
}

export interface ClusterClient {
  pod: string
  // The cluster domain (cluster.local by default, anything on a given cluster), learned from the pod.
  clusterDomain(): Promise<string>
  // "<name>.<namespace>.svc.<cluster domain>": a Service's, or with "<pod>.<service>", a pod's full name.
  fqdn(name: string): Promise<string>
  // As an application in the pod resolves: search list and ndots apply (first address only).
  resolve(name: string): Promise<Resolution>
  // What the DNS server answers, every address (busybox nslookup applies the
  // search list only to names without dots: give it full names).
  nslookup(name: string): Promise<Resolution>
  // Polls with a deadline: DNS has no watch. Returns the resolution that satisfied `until`.
  waitForResolution(name: string, what: string, until: (r: Resolution) => boolean, opts?: { method?: 'resolve' | 'nslookup'; timeout?: TimeoutName }): Promise<Resolution>
  // HTTP/1.1 (Connection: close) through busybox nc: the name is resolved by the pod's own resolver,
  // search list included, as curl would. (busybox wget crashes on names in
  // Debian's static build, and the upstream image's nc behaves the same.)
  http(url: string, init?: { method?: 'GET' | 'POST'; body?: string }): Promise<HttpReply>
  // Many requests, one after another, each on its own connection, in one exec (one
  // per request would cost an exec each); the replies in the order of the requests.
  httpBatch(requests: HttpRequest[]): Promise<HttpReply[]>
}

// The client pod: busybox idling, for exec; restricted-ready like every pod the suite makes.
// `nodeSelector` adds to its Linux one, to keep it where a claim needs it (DR-03: in the zone that stays).
export function clientPod(name: string, image: string, nodeSelector: Record<string, string> = {}): V1Pod {
  const restricted = restrictedPod()
  return {
    metadata: { name, labels: clientLabels },
    spec: {
      terminationGracePeriodSeconds: 0,
      ...restricted,
      nodeSelector: { ...restricted.nodeSelector, ...nodeSelector },
      containers: [{ name: 'client', image, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 3600 & wait; done'], securityContext: restrictedContainer, resources: containerResources() }],
    },
  }
}

export async function startClusterClient(kube: Kube, namespace: string, image: string, name = 'client', nodeSelector?: Record<string, string>): Promise<ClusterClient> {
  await createPod(kube, namespace, clientPod(name, image, nodeSelector))
  await waitForPodReady(kube, namespace, name)
  let domain: Promise<string> | undefined
  const client: ClusterClient = {
    pod: name,
    clusterDomain: () => (domain ??= execIn(kube, namespace, name, ['cat', '/etc/resolv.conf'], 'client')
      .then((r) => clusterDomainFromResolvConf(r.stdout, namespace))),
    fqdn: async (host) => `${host}.${namespace}.svc.${await client.clusterDomain()}`,
    async resolve(host) {
      const r = await execIn(kube, namespace, name, ['ping', '-c', '1', '-W', '1', host], 'client')
      return parsePing(r.stdout + r.stderr)
    },
    async nslookup(host) {
      const r = await execIn(kube, namespace, name, ['nslookup', host], 'client')
      return parseNslookup(r.stdout + r.stderr, r.exitCode)
    },
    // A poll (DNS has no watch) whose deadline follows the answers: `limit` without a change
    // of answer ends it, a changing answer (CoreDNS catching up) goes on, up to 3× in all.
    async waitForResolution(host, what, until, { method = 'resolve', timeout: limit = 'dns' } = {}) {
      const idleMs = timeout(limit)
      const started = Date.now()
      let changedAt = started
      progress(`${method === 'resolve' ? 'resolving' : 'looking up'} ${host} from pod ${namespace}/${name} until it ${what} (up to ${idleMs / 1000}s without a new answer, ${(3 * idleMs) / 1000}s in all)`)
      let last: Resolution | undefined
      let policies: PolicyHint | undefined
      let policiesRead = false
      const explained = (r: Resolution) => `waiting for ${host} to resolve so that it ${what}, from pod ${namespace}/${name}; last answer (${r.status}):\n${r.output.trim()}${dnsFailureHints(r.output, policies).map((h) => `\n${h}`).join('')}`
      for (;;) {
        const answer: Resolution = await (method === 'resolve' ? client.resolve(host) : client.nslookup(host))
        if (until(answer)) return answer
        // The first time no server answers, the namespace's NetworkPolicies are read: one that
        // denies the lookups is named before the cluster DNS is blamed.
        if (noServer(answer.output) && !policiesRead) {
          policiesRead = true
          policies = await policyHint(kube, namespace, dnsNeeds(namespace), 'the cluster DNS (CoreDNS)')
          if (lookupsDenied(answer.output, policies)) throw new CouldNotLook(`gave up at once (no waiting lets a denied lookup through) ${explained(answer)}`)
        }
        if (last && answerOf(answer) !== answerOf(last)) changedAt = Date.now()
        last = answer
        const now = Date.now()
        if (now - changedAt > idleMs || now - started > 3 * idleMs) {
          // A lookup that found nothing (not even NXDOMAIN) may be one a NetworkPolicy denies: read them if not yet.
          if (!policiesRead && last.status !== 'ok' && last.status !== 'nxdomain') policies = await policyHint(kube, namespace, dnsNeeds(namespace), 'the cluster DNS (CoreDNS)')
          throw new Error(`timed out after ${Math.round((now - started) / 1000)}s (${limit}; last new answer ${Math.round((now - changedAt) / 1000)}s ago) ${explained(last)}`)
        }
        await pollPause(500) // poll interval of a deadline-bounded poll
      }
    },
    http: async (url, init = {}) => (await client.httpBatch([{ url, ...init }]))[0]!,
    async httpBatch(requests) {
      if (!requests.length) return []
      const marker = `--sc-reply-${randomBytes(6).toString('hex')}--`
      // Silence ends the batch only when no reply came for a whole exec idle limit (nc gives up on
      // one within the HTTP timeout); the cap lets every request take its whole HTTP timeout.
      const waitSeconds = ncWaitSeconds(timeout('http'))
      const r = await execIn(kube, namespace, name, httpBatchCommand(requests, marker, waitSeconds), {
        container: 'client', maxMs: Math.max(10 * timeout('exec'), timeout('exec') + requests.length * timeout('http')),
      })
      const replies = parseHttpBatch(r.stdout, marker)
      const answered = requests.map((req, i) => ({ req, got: replies[i], reply: parseHttpReply(replies[i]?.raw ?? '') }))
      const unanswered = answered.find((a) => !a.reply.status)
      if (unanswered) {
        const { req, got } = unanswered
        const said = got ? describeUnanswered(got, waitSeconds) : `the batch ended after ${replies.length} of ${requests.length} replies (sh exited ${r.exitCode}): ${(r.stderr + r.stdout).trim().slice(-300)}`
        // A NetworkPolicy that denies the request is named before the Service proxy or the server is blamed.
        const policies = await policyHint(kube, namespace, httpNeeds(namespace, new URL(req.url).hostname.replace(/^\[(.*)\]$/, '$1')), 'the Service proxy (kube-proxy) or the server')
        // One that certainly denies it kept the suite from looking: no violation was seen.
        const message = `${req.method ?? 'GET'} ${req.url} from pod ${namespace}/${name}: no HTTP answer (${said})${policies ? `\n${policies.text}` : ''}`
        throw Object.assign(policies?.denies ? new CouldNotLook(message) : new Error(message), { blamesPolicy: policies?.blames ?? false })
      }
      return answered.map((a) => a.reply)
    },
  }
  return client
}
