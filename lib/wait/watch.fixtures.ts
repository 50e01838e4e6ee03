// The watch a wait opens, as the wait tests drive it: `open` stands in for ../k8s/watch.ts's
// watchObjects (the test file mocks it and hands it this), answers with an empty list, and
// `show(pod)` then delivers a change.
import type { V1Pod } from '@kubernetes/client-node'
import type { watchObjects, WatchHandlers } from '../k8s/watch.ts'

export function drivenWatch() {
  let handlers: WatchHandlers<V1Pod> | undefined
  const open = (async (_kube, _resource, _query, h) => {
    handlers = h as unknown as WatchHandlers<V1Pod>
    h.onSync([])
    return () => undefined
  }) as typeof watchObjects
  return { open, show: (pod: V1Pod) => handlers!.onEvent('MODIFIED', pod as never) }
}
