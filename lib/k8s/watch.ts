// A list-then-watch of one kind of object that survives the server closing
// the watch: it resumes from the last resourceVersion, and lists again when
// that version has expired (410 Gone). Waits and recorders build on it.
import type { KubernetesObject } from '@kubernetes/client-node'
import { describeApiError, isTransient, type Kube, retryTransient, statusCode, transientDelayMs, transientRetry } from './kube.ts'

export interface Resource {
  apiVersion: string
  kind: string
  plural: string
  clusterScoped?: boolean
}

export const resources = {
  pods: { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
  pvcs: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims' },
  pvs: { apiVersion: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', clusterScoped: true },
  services: { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  statefulSets: { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  replicaSets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets' },
  endpointSlices: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices' },
  namespaces: { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', clusterScoped: true },
  nodes: { apiVersion: 'v1', kind: 'Node', plural: 'nodes', clusterScoped: true },
  podDisruptionBudgets: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets' },
} as const satisfies Record<string, Resource>

export interface Query {
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface WatchHandlers<T> {
  // The full current set after the initial list and after every relist.
  onSync: (objects: T[]) => void
  onEvent: (type: WatchEventType, object: T) => void
  // The watch had to list again (its resourceVersion expired, 410 Gone):
  // changes between the last event and the relist may never be seen.
  onRelist?: (reason: string) => void
  // The watch ended for good (a non-transient error, or too many failures).
  onError?: (err: Error) => void
}

// How one watch connection ended, and what the watch does next: the whole
// reconnect policy in one pure function (unit-tested in watch.test.ts).
export interface WatchEnd {
  err: unknown
  // The server sent an ERROR event with code 410: our resourceVersion is too old.
  expired: boolean
  // The connection delivered at least one event before it ended.
  delivered: boolean
  // Consecutive failed connections before this one.
  failures: number
}

export type WatchNext =
  | { action: 'relist'; failures: number }
  | { action: 'resume'; failures: number; delayMs: number }
  | { action: 'fail'; failures: number; message: string }

// A watch rides out an API outage as long as a request does (kube.ts transientRetry): the same
// waits before each reconnect, as many reconnects as a request has retries. With fewer, an outage
// that requests survive (12-28 s) ended every wait.
export const maxWatchFailures = transientRetry.retries

export function nextAfterWatchEnd(end: WatchEnd): WatchNext {
  // client-node ends a watch after 30s without data: a quiet watch, not a failure.
  const quiet = (end.err as Error | null)?.name === 'TimeoutError'
  let failures = end.delivered || !end.err || quiet ? 0 : end.failures
  if (end.expired || statusCode(end.err) === 410) return { action: 'relist', failures }
  if (end.err && !quiet && !isTransient(end.err)) return { action: 'fail', failures, message: describeApiError(end.err) }
  // The server ends watches after a while, or the connection broke: go on from where we were.
  if (end.err && !quiet) failures++
  if (failures > maxWatchFailures) return { action: 'fail', failures, message: `failed ${failures} times in a row: ${describeApiError(end.err)}` }
  return { action: 'resume', failures, delayMs: failures ? transientDelayMs(failures) : 0 }
}

export function watchPath(r: Resource, namespace?: string): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`
  return `${base}${!r.clusterScoped && namespace ? `/namespaces/${namespace}` : ''}/${r.plural}`
}

export async function listObjects<T extends KubernetesObject>(kube: Kube, r: Resource, q: Query): Promise<{ items: T[]; resourceVersion: string }> {
  const list = await retryTransient(`list ${r.plural}`, () => kube.objects.list<T>(
    r.apiVersion, r.kind, r.clusterScoped ? undefined : q.namespace, undefined, undefined, undefined, q.fieldSelector, q.labelSelector,
  ))
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' }
}

// Starts watching; returns a function that stops it.
export async function watchObjects<T extends KubernetesObject>(kube: Kube, r: Resource, q: Query, h: WatchHandlers<T>): Promise<() => void> {
  const path = watchPath(r, q.namespace)
  let stopped = false
  let abort: AbortController | undefined
  let resourceVersion = ''
  let failures = 0

  const relist = async () => {
    const list = await listObjects<T>(kube, r, q)
    resourceVersion = list.resourceVersion
    h.onSync(list.items)
  }
  const fail = (err: Error) => { if (!stopped) h.onError?.(err) }

  const open = async (): Promise<void> => {
    if (stopped) return
    const params: Record<string, string | boolean> = { resourceVersion, allowWatchBookmarks: true }
    if (q.labelSelector) params.labelSelector = q.labelSelector
    if (q.fieldSelector) params.fieldSelector = q.fieldSelector
    let expired = false
    let delivered = false
    const controller = await kube.watch.watch(path, params, (type: string, obj: T & { code?: number }) => {
      delivered = true
      if (type === 'ERROR') {
        expired = obj.code === 410
        return
      }
      resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion
      if (type !== 'BOOKMARK') h.onEvent(type as WatchEventType, obj)
    }, (err: unknown) => {
      if (stopped) return
      const next = nextAfterWatchEnd({ err, expired, delivered, failures })
      failures = next.failures
      switch (next.action) {
        case 'relist':
          h.onRelist?.(`resourceVersion ${resourceVersion} expired (410 Gone): listed again`)
          relist().then(open).catch(fail)
          return
        case 'fail':
          fail(new Error(`watch ${path}: ${next.message}`))
          return
        case 'resume':
          setTimeout(() => { open().catch(fail) }, next.delayMs) // reconnect backoff
      }
    })
    // stop() may have come while we connected.
    if (stopped) controller.abort()
    else abort = controller
  }
  await relist()
  await open()
  return () => {
    stopped = true
    abort?.abort()
  }
}
