// The objects a list-then-watch currently shows, kept by namespace/name: what a
// wait judges and a hold watches, handed over after the first list and after each change.
import type { KubernetesObject } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { type Query, type Resource, watchObjects } from '../k8s/watch.ts'

export interface ObjectSetWatch<T> {
  // After the first list, after a list again (a watch that resumed too late), and after each event.
  onChange: (objects: T[]) => void
  onError: (err: Error) => void
}

// Returns what stops the watch, even one that has not started yet (it then stops as it starts).
export function watchObjectSet<T extends KubernetesObject>(kube: Kube, resource: Resource, query: Query, o: ObjectSetWatch<T>): () => void {
  const current = new Map<string, T>()
  const key = (x: T) => `${x.metadata?.namespace ?? ''}/${x.metadata?.name ?? ''}`
  let stopWatch: (() => void) | undefined
  let stopped = false
  watchObjects<T>(kube, resource, query, {
    onSync: (items) => {
      current.clear()
      for (const x of items) current.set(key(x), x)
      o.onChange([...current.values()])
    },
    onEvent: (type, x) => {
      if (type === 'DELETED') current.delete(key(x))
      else current.set(key(x), x)
      o.onChange([...current.values()])
    },
    onError: o.onError,
  }).then((s) => {
    stopWatch = s
    if (stopped) s()
  }, (err: Error) => o.onError(err))
  return () => {
    stopped = true
    stopWatch?.()
  }
}
