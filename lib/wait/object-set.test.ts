import type { V1Pod } from '@kubernetes/client-node'
import { expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { resources, type WatchHandlers, watchObjects } from '../k8s/watch.ts'
import { watchObjectSet } from './object-set.ts'

vi.mock('../k8s/watch.ts', async (original) => ({ ...(await original<typeof import('../k8s/watch.ts')>()), watchObjects: vi.fn() }))

const pod = (name: string, phase = 'Pending'): V1Pod => ({ metadata: { name, namespace: 'q' }, status: { phase } })

test('the set is the list, then each event on it: added, changed, deleted; a list again replaces it', async () => {
  let h: WatchHandlers<V1Pod> | undefined
  const stopWatch = vi.fn()
  let started: () => void = () => undefined
  const watching = new Promise<void>((r) => { started = r })
  vi.mocked(watchObjects).mockImplementation(async (_kube, _r, _q, handlers) => {
    h = handlers as unknown as WatchHandlers<V1Pod>
    started()
    return stopWatch
  })
  const seen: string[][] = []
  const stop = watchObjectSet<V1Pod>({} as Kube, resources.pods, { namespace: 'q' }, {
    onChange: (pods) => seen.push(pods.map((p) => `${p.metadata?.name}:${p.status?.phase}`)),
    onError: (err) => { throw err },
  })
  await watching
  h!.onSync([pod('web-0'), pod('web-1')])
  h!.onEvent('MODIFIED', pod('web-0', 'Running') as never)
  h!.onEvent('DELETED', pod('web-1') as never)
  h!.onEvent('ADDED', pod('web-2') as never)
  h!.onSync([pod('web-3')])
  expect(seen).toEqual([['web-0:Pending', 'web-1:Pending'], ['web-0:Running', 'web-1:Pending'], ['web-0:Running'], ['web-0:Running', 'web-2:Pending'], ['web-3:Pending']])
  await Promise.resolve()
  stop()
  expect(stopWatch).toHaveBeenCalledOnce()
})

test('stopped before its watch started, the watch stops as it starts', async () => {
  const stopWatch = vi.fn()
  let start: (s: () => void) => void = () => undefined
  vi.mocked(watchObjects).mockImplementation(() => new Promise((r) => { start = r }))
  const stop = watchObjectSet<V1Pod>({} as Kube, resources.pods, {}, { onChange: () => undefined, onError: () => undefined })
  stop()
  expect(stopWatch).not.toHaveBeenCalled()
  start(stopWatch)
  await vi.waitFor(() => expect(stopWatch).toHaveBeenCalledOnce())
})
