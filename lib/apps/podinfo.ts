// podinfo's API as the quests use it: /store, /store/<hash>, /panic, /version.
import { createHash } from 'node:crypto'
import { urlHost } from '../k8s/addresses.ts'
import type { Kube } from '../k8s/kube.ts'
import type { Forward } from '../k8s/port-forward.ts'
import { timeout } from '../k8s/timeouts.ts'
import { listPods, podIps } from '../resources/pods.ts'
import type { ClusterClient } from './cluster-client.ts'

export const sha1 = (body: string) => createHash('sha1').update(body).digest('hex')

// POST /store: podinfo writes the body to <data-path>/<sha1(body)> and answers the hash.
export async function storeOn(pod: Forward, body: string): Promise<string> {
  const res = await pod.request('/store', { method: 'POST', body })
  if (res.status !== 202 && res.status !== 200) throw new Error(`POST /store answered HTTP ${res.status}: ${res.body.slice(0, 300)}`)
  return res.json<{ hash: string }>().hash
}

export interface Stored {
  status: number
  body: string
  // podinfo answers a key it does not have with HTTP 200 and {"code": 500, "message": …}.
  error?: string
}

// GET /store/<hash>: the stored body (HTTP 202), or podinfo's error document.
export async function readStored(pod: Forward, hash: string): Promise<Stored> {
  const res = await pod.request(`/store/${hash}`)
  try {
    const doc = JSON.parse(res.body) as { code?: number; message?: string }
    if (doc && typeof doc.code === 'number' && doc.code >= 400) return { status: res.status, body: res.body, error: doc.message ?? `code ${doc.code}` }
  } catch { /* a stored body need not be JSON */ }
  return { status: res.status, body: res.body }
}

// GET /panic makes podinfo exit (os.Exit) without answering; the port-forward
// tunnel cannot say that its far end closed, so once the tunnel has carried the
// request it is given up after a short while (scaled), not the full HTTP timeout.
// The restart is what the caller then waits for.
export async function panic(pod: Forward): Promise<void> {
  await pod.request('/panic', { unansweredMs: timeout('unanswered') }).catch(() => undefined)
}

// The version podinfo reports (GET / and /version) for an image, read from its
// tag: 6.7.0, v6.7.0 or 6.7.0-amd64 give 6.7.0. Undefined for a digest or a tag
// that names no version (a mirror's own tags): the caller then asks a pod running it.
export function podinfoVersionOfImage(image: string): string | undefined {
  const ref = image.split('@')[0]!
  const slash = ref.lastIndexOf('/')
  const colon = ref.lastIndexOf(':')
  if (colon <= slash) return undefined
  return /^v?(\d+\.\d+\.\d+)(?:[-+][\w.-]*)?$/.exec(ref.slice(colon + 1))?.[1]
}

export async function versionOf(pod: Forward): Promise<string> {
  return (await pod.request('/version')).json<{ version: string }>().version
}

// A field of podinfo's JSON answer to GET / (hostname, version …), read from
// an in-cluster reply; an answer that is not podinfo's JSON is an error that shows it.
export function podinfoField(reply: { status: number; body: string; raw: string }, field: 'hostname' | 'version', url: string): string | undefined {
  try {
    return (JSON.parse(reply.body) as Record<string, string | undefined>)[field]
  } catch {
    throw new Error(`GET ${url} answered HTTP ${reply.status} without podinfo's JSON: ${reply.raw.slice(0, 300)}`)
  }
}

// The version the pods of `selector` report: from their image's tag, else, for
// a mirror's tag that names none, asked of one of them (GET /version on `port`).
export async function versionOfPods(kube: Kube, ns: string, client: ClusterClient, image: string, selector: string, port = 9898): Promise<string> {
  const fromTag = podinfoVersionOfImage(image)
  if (fromTag) return fromTag
  const pod = (await listPods(kube, ns, selector))[0]
  const url = `http://${urlHost(pod ? (podIps(pod)[0] ?? '') : '')}:${port}/version`
  const version = pod ? podinfoField(await client.http(url), 'version', url) : undefined
  if (!version) throw new Error(`no podinfo version from the pods ${selector} in ${ns} on ${image} (${pod ? `GET ${url} named none` : 'none listed'})`)
  return version
}
