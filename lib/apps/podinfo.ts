// podinfo's API as the quests use it: /store, /store/<hash>, /panic, /version.
import { createHash } from 'node:crypto'
import type { Forward } from '../k8s/port-forward.ts'
import { timeout } from '../k8s/timeouts.ts'

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
