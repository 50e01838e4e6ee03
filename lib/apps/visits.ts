// Quests 003 and 004's app: each visit is appended to a file on the serving
// pod's own volume. Reproduced with busybox httpd and a CGI script
// (fixtures/003/visits.yaml): GET /cgi-bin/visit?id=<id> appends "<id> <pod>"
// to /data/visits.log and answers the pod's name. Requests go through the
// Service from the client pod; the records are read back with exec.
import { randomBytes } from 'node:crypto'
import { blamesNetworkPolicy, type ClusterClient } from './cluster-client.ts'
import { execOk } from '../k8s/exec.ts'
import { urlHost } from '../k8s/addresses.ts'
import type { Kube } from '../k8s/kube.ts'
import { applyFixture } from '../k8s/manifests.ts'
import { waitForTimelineEvents } from '../observe/recordings.ts'
import { describePods, listPods } from '../resources/pods.ts'
import { clusterIpOf, describeEndpoints, serviceEndpoints } from '../resources/services.ts'
import type { Timeline } from '../observe/timeline.ts'
import { waitForReadyReplicas } from '../wait/pods.ts'

export const visitLog = '/data/visits.log'

// Creates the StatefulSet visits from its fixture (fixtures/003 or 004/visits.yaml)
// and waits until its pods are Ready and `timeline` has recorded each of them Ready.
export async function startVisits(kube: Kube, ns: string, file: string, pods: string[], timeline: Timeline): Promise<void> {
  await applyFixture(kube, ns, file)
  await waitForReadyReplicas(kube, ns, 'app=visits', pods.length)
  await waitForTimelineEvents(timeline, pods.map((pod) => ({ pod, kind: 'ready' })))
}

export interface Visit {
  id: string
  pod: string // the pod the script says it ran in
}

export function parseVisitLog(text: string): Visit[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [id = '', pod = ''] = l.split(/\s+/)
    return { id, pod }
  })
}

// n ids no other run or test shares.
export function visitIds(n: number): string[] {
  const tag = randomBytes(4).toString('hex')
  return Array.from({ length: n }, (_, i) => `v${tag}-${i}`)
}

// Sends one visit per id to `base` (e.g. http://10.96.0.12:8080), one after
// another, each on its own connection, all in one exec from the client pod;
// returns which pod answered each id.
export async function sendVisits(client: ClusterClient, base: string, ids: string[]): Promise<Map<string, string>> {
  const urls = ids.map((id) => `${base}/cgi-bin/visit?id=${id}`)
  const replies = await client.httpBatch(urls.map((url) => ({ url })))
  const answeredBy = new Map<string, string>()
  for (const [i, res] of replies.entries()) {
    if (res.status !== 200) throw new Error(`GET ${urls[i]} from pod ${client.pod} answered HTTP ${res.status}: ${res.raw.slice(0, 300)}`)
    answeredBy.set(ids[i]!, res.body.trim())
  }
  return answeredBy
}

export interface SentVisits {
  ids: string[]
  answeredBy: Map<string, string>
}

// `count` visits, each with a unique id, to the Service's cluster IP (port 8080) from the client pod.
// A visit that got no answer while the Service has ready endpoints points at whatever routes the cluster IP,
// unless a NetworkPolicy that may deny it was named.
export async function visitThroughService(kube: Kube, namespace: string, client: ClusterClient, service: string, count: number): Promise<SentVisits> {
  const ids = visitIds(count)
  const ip = await clusterIpOf(kube, namespace, service)
  try {
    return { ids, answeredBy: await sendVisits(client, `http://${urlHost(ip)}:8080`, ids) }
  } catch (err) {
    const ready = (await serviceEndpoints(kube, namespace, service).catch(() => [])).filter((e) => e.ready)
    if (ready.length && /no HTTP answer/.test((err as Error).message) && !blamesNetworkPolicy(err)) {
      ;(err as Error).message += `\nService ${namespace}/${service} has ready endpoints (${describeEndpoints(ready)}), yet its cluster IP ${ip} did not answer: is the Service proxy (kube-proxy) running on the client pod's node?`
    }
    // A container restarted under a request (its liveness probe, a crash) closes the connection unanswered: say so.
    const serving = await listPods(kube, namespace, 'app=visits').catch(() => undefined)
    if (serving) (err as Error).message += `\nthe Service's pods now: ${describePods(serving)}`
    throw err
  }
}

// Every pod's own records, audited against the visits sent and the pods that answered them.
export async function auditVisitLogs(kube: Kube, namespace: string, pods: string[], sent: SentVisits): Promise<VisitAudit> {
  const logs = Object.fromEntries(await Promise.all(pods.map(async (p) => [p, await readVisitLog(kube, namespace, p)] as const)))
  return auditVisits(sent.ids, sent.answeredBy, logs)
}

// The records in a pod's own volume; none when the file does not exist yet.
export async function readVisitLog(kube: Kube, namespace: string, pod: string): Promise<Visit[]> {
  return parseVisitLog(await execOk(kube, namespace, pod, ['sh', '-c', `[ ! -e ${visitLog} ] || cat ${visitLog}`]))
}

export interface VisitAudit {
  counts: Record<string, number> // records per pod file
  total: number // records in all files
  missing: string[] // sent, in no file
  unexpected: string[] // in a file, never sent
  duplicated: string[] // in more than one file, or twice in one
  misplaced: string[] // in a file other than that of the pod that answered it, or of another pod than the file's
}

// Checks the per-pod records against what was sent and who answered.
export function auditVisits(sent: string[], answeredBy: Map<string, string>, logs: Record<string, Visit[]>): VisitAudit {
  const seen = new Map<string, number>()
  const misplaced: string[] = []
  const counts: Record<string, number> = {}
  for (const [pod, visits] of Object.entries(logs)) {
    counts[pod] = visits.length
    for (const v of visits) {
      seen.set(v.id, (seen.get(v.id) ?? 0) + 1)
      const answered = answeredBy.get(v.id)
      if (v.pod !== pod || (answered !== undefined && answered !== pod)) {
        misplaced.push(`${v.id} in ${pod}'s file (recorded by ${v.pod}, answered by ${answered ?? 'nobody'})`)
      }
    }
  }
  const sentSet = new Set(sent)
  return {
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    missing: sent.filter((id) => !seen.has(id)),
    unexpected: [...seen.keys()].filter((id) => !sentSet.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`),
    misplaced,
  }
}

export const describeAudit = (a: VisitAudit, sent: number) =>
  `${sent} visits sent; records per pod: ${Object.entries(a.counts).map(([p, n]) => `${p} ${n}`).join(', ')} (total ${a.total}); ` +
  `missing [${a.missing.join(' ')}], unexpected [${a.unexpected.join(' ')}], duplicated [${a.duplicated.join(' ')}], misplaced [${a.misplaced.join('; ')}]`
