// A list-then-watch of one kind of object that survives the server closing
// the watch: it resumes from the last resourceVersion, and lists again when
// that version has expired (410 Gone). Waits and recorders build on it.
import type { KubernetesObject } from '@kubernetes/client-node'
import { retryTransient, type Kube } from './kube.ts'

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
  const open = async (): Promise<void> => {
    if (stopped) return
    const params: Record<string, string | boolean> = { resourceVersion, allowWatchBookmarks: true }
    if (q.labelSelector) params.labelSelector = q.labelSelector
    if (q.fieldSelector) params.fieldSelector = q.fieldSelector
    let expired = false
    abort = await kube.watch.watch(watchPath(r, q.namespace), params, (type: string, obj: T & { code?: number }) => {
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
      // The server ends watches after a while; go on from where we were.
      const resume = expired || (err as { code?: number } | null)?.code === 410 ? relist().then(open) : open()
      resume.catch((e: Error) => h.onError?.(e))
    })
  }
  await relist()
  await open()
  return () => {
    stopped = true
    abort?.abort()
  }
}
