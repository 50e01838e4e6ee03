import type { V1Pod } from '@kubernetes/client-node'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { resources, type WatchHandlers, watchObjects } from '../k8s/watch.ts'
import { describePod, isPodReady } from '../resources/pods.ts'
import { waitFor, WaitTimeout } from './wait-for.ts'

vi.mock('../k8s/watch.ts', async (original) => ({ ...(await original<typeof import('../k8s/watch.ts')>()), watchObjects: vi.fn() }))

// The wait's watch, driven by the test: `show(pod)` delivers a change.
function fakeWatch() {
  let handlers: WatchHandlers<V1Pod> | undefined
  vi.mocked(watchObjects).mockImplementation(async (_kube, _resource, _query, h) => {
    handlers = h as unknown as WatchHandlers<V1Pod>
    h.onSync([])
    return () => undefined
  })
  return { show: (pod: V1Pod) => handlers!.onEvent('MODIFIED', pod as never) }
}

const pod = (phase: string, reason?: string, ready = false): V1Pod => ({
  metadata: { name: 'web-0', namespace: 'q' },
  status: {
    phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: reason ? [{ name: 'c', image: 'i', imageID: '', ready, restartCount: 0, state: { waiting: { reason } } }] : [],
  },
})

// No namespace in the query: no stall guard (stalls.ts has its own tests).
const waitForWeb0 = () => waitFor<V1Pod, V1Pod>({} as Kube, {
  what: 'pod web-0 to be Ready', timeout: 'podReady', resource: resources.pods, query: { fieldSelector: 'metadata.name=web-0' },
  until: ([p]) => (p && isPodReady(p) ? p : undefined),
  describe: ([p]) => (p ? describePod(p) : 'no such pod'),
})

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

test('a pod that keeps moving (a step every 40 s) is waited for past the 180 s podReady timeout, as a slow cluster must be', async () => {
  const watch = fakeWatch()
  const ready = waitForWeb0()
  await vi.advanceTimersByTimeAsync(0)
  const steps = [pod('Pending'), pod('Pending', 'ContainerCreating'), pod('Running'), pod('Running', 'PodInitializing'), pod('Running', 'ContainerCreating')]
  for (const step of steps) {
    await vi.advanceTimersByTimeAsync(40_000)
    watch.show(step)
  }
  await vi.advanceTimersByTimeAsync(40_000) // 240 s in
  watch.show(pod('Running', undefined, true))
  await expect(ready).resolves.toMatchObject({ metadata: { name: 'web-0' } })
})

test('a wait that sees no change for its timeout fails, saying what the last change was and when', async () => {
  const watch = fakeWatch()
  const ready = waitForWeb0()
  const failed = expect(ready).rejects.toThrow(WaitTimeout)
  const said = expect(ready).rejects.toThrow(/^timed out waiting for pod web-0 to be Ready: no change for 180s \(the limit is 180s without change\); last change 180s ago: web-0: Pending not Ready \(ContainerCreating\) \(podReady\)\nlast observed: web-0: Pending not Ready \(ContainerCreating\)/)
  await vi.advanceTimersByTimeAsync(40_000)
  watch.show(pod('Pending', 'ContainerCreating'))
  await vi.advanceTimersByTimeAsync(179_000)
  watch.show(pod('Pending', 'ContainerCreating')) // the same view again is no progress
  await vi.advanceTimersByTimeAsync(1_000)
  await failed
  await said
})

test('a wait whose view keeps changing without arriving ends at three times its timeout', async () => {
  const watch = fakeWatch()
  const ready = waitForWeb0()
  const failed = expect(ready).rejects.toThrow(/still not done after 540s, its cap \(540s\), though never idle that long; last change \d+s ago/)
  for (let i = 0; i < 30; i++) {
    await vi.advanceTimersByTimeAsync(20_000)
    watch.show(pod('Pending', i % 2 ? 'ContainerCreating' : 'ErrImagePull'))
  }
  await failed
})
