// The connection to the cluster under test: one per worker, from the
// kubeconfig and context chosen in global setup.
import * as k8s from '@kubernetes/client-node'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import pRetry from 'p-retry'

export interface Kube {
  kc: k8s.KubeConfig
  core: k8s.CoreV1Api
  apps: k8s.AppsV1Api
  storage: k8s.StorageV1Api
  objects: k8s.KubernetesObjectApi
  watch: k8s.Watch
  server: string
  // SC_NAMESPACE: the one namespace this run may use, and the run whose objects it labels there (given-namespace.ts).
  given?: GivenNamespace
}

export interface GivenNamespace {
  namespace: string
  runId: string
}

// A kubeconfig as kubectl reads it: KUBECONFIG may list several files
// (path.delimiter-separated); files that do not exist are skipped; the first
// file to name a cluster, user or context wins, and so does the first
// current-context. Without KUBECONFIG: ~/.kube/config, then a pod's service account.
export function loadKubeConfig(kubeconfig: string | undefined, context: string | undefined, home = homedir()): k8s.KubeConfig {
  const kc = new k8s.KubeConfig()
  if (kubeconfig) loadKubeconfigFiles(kc, kubeconfig.split(delimiter).filter(Boolean))
  else if (existsSync(join(home, '.kube', 'config'))) kc.loadFromFile(join(home, '.kube', 'config'))
  else if (existsSync(serviceAccountToken)) kc.loadFromCluster()
  else throw new Error(`no kubeconfig: KUBECONFIG is not set, ${join(home, '.kube', 'config')} does not exist, and this is not a pod with a service account`)
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new Error(`no context "${context}" in the kubeconfig (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`)
    }
    kc.setCurrentContext(context)
  }
  return kc
}

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token'

function loadKubeconfigFiles(kc: k8s.KubeConfig, files: string[]): void {
  const found = files.filter((f) => existsSync(f))
  if (!found.length) throw new Error(`no kubeconfig: ${files.length > 1 ? `none of ${files.join(', ')} exists` : `${files[0]} does not exist`}`)
  const merged = { clusters: [] as k8s.Cluster[], users: [] as k8s.User[], contexts: [] as k8s.Context[], currentContext: '' }
  const addNew = <T extends { name: string }>(into: T[], items: T[]) => { for (const i of items) if (!into.some((x) => x.name === i.name)) into.push(i) }
  for (const file of found) {
    const one = new k8s.KubeConfig()
    one.loadFromFile(file) // relative paths in it are made absolute against its own folder
    addNew(merged.clusters, one.getClusters())
    addNew(merged.users, one.getUsers())
    addNew(merged.contexts, one.getContexts())
    merged.currentContext ||= one.getCurrentContext()
  }
  kc.loadFromOptions(merged)
}

export function connect(kubeconfigPath: string | undefined, context: string | undefined, given?: GivenNamespace): Kube {
  const kc = loadKubeConfig(kubeconfigPath, context)
  return {
    ...(given ? { given } : {}),
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    storage: kc.makeApiClient(k8s.StorageV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    watch: new k8s.Watch(kc),
    server: kc.getCurrentCluster()?.server ?? '(unknown server)',
  }
}

// The HTTP status of an API error (DOMException codes, e.g. 23 for a timeout, are not).
export function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown }
  const code = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.code === 'number' ? e.code : undefined
  return code !== undefined && code >= 100 && code <= 599 ? code : undefined
}

export const isNotFound = (err: unknown) => statusCode(err) === 404

// Transient: throttled, server errors, and connections that broke under us.
export function isTransient(err: unknown): boolean {
  const code = statusCode(err)
  if (code === 429 || (code !== undefined && code >= 500)) return true
  // fetch reports "fetch failed" and keeps the reason (ECONNRESET …) in its cause.
  const chain: unknown[] = []
  for (let e: unknown = err; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e)
  const text = chain.map((e) => `${(e as { code?: unknown }).code ?? ''} ${(e as Error).message ?? ''}`).join(' ')
  // A request (or watch) that hit its own timeout is worth another try too.
  return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|UND_ERR_SOCKET|other side closed|TimeoutError|aborted due to timeout/i.test(`${text} ${(err as Error)?.name ?? ''}`)
}

// The one schedule for riding out transient failures: requests (retryTransient) wait so before each
// retry, and watches (watch.ts) before each reconnect. About 28 s of waiting in all: an API server
// restarting (seen in the apiserver-restart fault) is back by then.
export const transientRetry = { retries: 10, factor: 2, minTimeout: 250, maxTimeout: 4_000 } as const

// The wait before retry number `n` (1, 2, …), as p-retry computes it (no randomization).
export const transientDelayMs = (n: number) => Math.min(transientRetry.minTimeout * transientRetry.factor ** (n - 1), transientRetry.maxTimeout)

// How long a request goes on retrying before it gives up: the sum of its waits (27.75 s).
export const transientBudgetMs = Array.from({ length: transientRetry.retries }, (_, i) => transientDelayMs(i + 1)).reduce((a, b) => a + b, 0)

// p-retry only around transient API failures; anything else surfaces at once.
export function retryTransient<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return pRetry(fn, {
    ...transientRetry,
    shouldRetry: ({ error }) => isTransient(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (isTransient(error) && retriesLeft > 0) console.warn(`${what}: transient failure #${attemptNumber} (${describeApiError(error)}); retrying`)
    },
  })
}

// One line that says what an API error was, without the response dump.
export function describeApiError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string }
  let body = e.body
  if (typeof body === 'string') {
    try { body = JSON.parse(body) } catch { /* keep text */ }
  }
  const message = (body as { message?: string } | undefined)?.message
  return e.code ? `HTTP ${e.code}: ${message ?? e.message}` : (e.message ?? String(err))
}

// One API call as the helpers make it: transient failures retried, anything
// else thrown as "<what>: <the API's message>", keeping the HTTP status.
export function apiCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return retryTransient(what, fn).catch((err: unknown) => {
    throw Object.assign(new Error(`${what}: ${describeApiError(err)}`), { code: statusCode(err) })
  })
}

// Creates and deletes are not idempotent: retried after a failure whose request did reach the server
// (a timeout, a connection broken after the write), they meet their own first try. apiWrite tells
// `fn` whether this is such a retry.
function apiWrite<T>(what: string, fn: (retry: boolean) => Promise<T>): Promise<T> {
  let attempts = 0
  return apiCall(what, () => fn(attempts++ > 0))
}

// The annotation by which a retried create knows its own first try.
export const createMark = 'stateful-conformance/create-id'

// A create: on a retry, AlreadyExists (409) is read back and taken if it carries this call's mark.
export function apiCreate<T extends k8s.KubernetesObject>(what: string, body: T, create: (body: T) => Promise<T>, read: () => Promise<T>): Promise<T> {
  const mark = randomUUID()
  const marked = { ...body, metadata: { ...body.metadata, annotations: { ...body.metadata?.annotations, [createMark]: mark } } }
  return apiWrite(what, (retry) => create(marked).catch(async (err: unknown) => {
    if (!retry || statusCode(err) !== 409) throw err
    const found = await read()
    if (found.metadata?.annotations?.[createMark] !== mark) throw err
    return found
  }))
}

// A delete: on a retry, NotFound (404) means the first try did it, and so does Conflict (409) for a
// delete with a uid precondition (another object has taken the name since); resolves undefined then.
export function apiDelete<T>(what: string, del: () => Promise<T>, { uidPrecondition = false } = {}): Promise<T | undefined> {
  return apiWrite(what, (retry) => del().catch((err: unknown) => {
    if (retry && (isNotFound(err) || (uidPrecondition && statusCode(err) === 409))) return undefined
    throw err
  }))
}
