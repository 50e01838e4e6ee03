// A list-then-watch of one kind of object that survives the server closing
// the watch: it resumes from the last resourceVersion, and lists again when
// that version has expired (410 Gone). Waits and recorders build on it.
import type { KubernetesObject } from '@kubernetes/client-node'
import { describeApiError, isTransient, type Kube, retryTransient, statusCode } from './kube.ts'

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
  onError?: (err: Error) => void
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
  let stopped = false
  let abort: AbortController | undefined
  let resourceVersion = ''

  const relist = async () => {
    const list = await listObjects<T>(kube, r, q)
    resourceVersion = list.resourceVersion
    h.onSync(list.items)
  }
  // Consecutive failed (re)connections: transient ones are retried with a
  // growing pause, anything else (403, 404 …) ends the watch with its cause.
  let failures = 0
  const open = async (): Promise<void> => {
    if (stopped) return
    const params: Record<string, string | boolean> = { resourceVersion, allowWatchBookmarks: true }
    if (q.labelSelector) params.labelSelector = q.labelSelector
    if (q.fieldSelector) params.fieldSelector = q.fieldSelector
    let expired = false
    let delivered = false
    const controller = await kube.watch.watch(watchPath(r, q.namespace), params, (type: string, obj: T & { code?: number }) => {
      delivered = true
      if (type === 'BOOKMARK') {
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion
        return
      }
      if (type === 'ERROR') {
        expired = obj.code === 410
        return
      }
      resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion
      h.onEvent(type as WatchEventType, obj)
    }, (err: unknown) => {
      if (stopped) return
      // client-node ends a watch after 30s without data: a quiet watch, not a failure.
      const quiet = (err as Error | null)?.name === 'TimeoutError'
      if (delivered || !err || quiet) failures = 0
      const code = statusCode(err)
      if (expired || code === 410) {
        // Our resourceVersion is too old: list again, then watch from there.
        relist().then(open).catch((e: Error) => h.onError?.(e))
        return
      }
      if (err && !isTransient(err)) {
        h.onError?.(new Error(`watch ${watchPath(r, q.namespace)}: ${describeApiError(err)}`))
        return
      }
      // The server ends watches after a while (or the connection broke): go on from where we were.
      if (err && !quiet) failures++
      if (failures > 5) {
        h.onError?.(new Error(`watch ${watchPath(r, q.namespace)}: failed ${failures} times in a row: ${describeApiError(err)}`))
        return
      }
      setTimeout(() => { open().catch((e: Error) => h.onError?.(e)) }, failures > 1 ? 200 * 2 ** failures : 0) // reconnect backoff
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
