import type { V1Pod } from '@kubernetes/client-node'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { watchObjects } from '../k8s/watch.ts'
import { drivenWatch } from './watch.fixtures.ts'
import { waitForPodReady, waitForSchedulerJudgement } from './pods.ts'

vi.mock('../k8s/watch.ts', async (original) => ({ ...(await original<typeof import('../k8s/watch.ts')>()), watchObjects: vi.fn() }))
vi.mock('./stalls.ts', async (original) => ({ ...(await original<typeof import('./stalls.ts')>()), guardAgainstStalls: vi.fn(() => () => undefined) }))

// The wait's watch, driven by the test: `show(pod)` delivers a change.
const fakeWatch = () => { const w = drivenWatch(); vi.mocked(watchObjects).mockImplementation(w.open); return w }

const full = '0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.'
const rwop = '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod.'

const unschedulable = (message: string): V1Pod => ({
  metadata: { name: 'second', namespace: 'q' },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: new Date() }] },
})
const running = (ready: boolean): V1Pod => ({
  metadata: { name: 'second', namespace: 'q' }, spec: { nodeName: 'n1', containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False' }] },
})

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

test('a pod the scheduler leaves Pending for want of room waits its turn past the 180 s podReady limit: a full node is not a broken cluster', async () => {
  const watch = fakeWatch()
  const ready = waitForPodReady({} as Kube, 'q', 'second')
  await vi.advanceTimersByTimeAsync(0)
  watch.show(unschedulable(full))
  await vi.advanceTimersByTimeAsync(400_000) // the same "Insufficient cpu" all along: no change
  watch.show(running(true))
  await expect(ready).resolves.toMatchObject({ spec: { nodeName: 'n1' } })
})

test('a wait for room is still bounded by the wait\'s cap (3 × 180 s)', async () => {
  const watch = fakeWatch()
  const ready = waitForPodReady({} as Kube, 'q', 'second')
  const failed = expect(ready).rejects.toThrow(/still not done after 540s, its cap .*second waits for room on the nodes \(0\/1 nodes are available: 1 Insufficient cpu\)/s)
  await vi.advanceTimersByTimeAsync(0)
  watch.show(unschedulable(full))
  await vi.advanceTimersByTimeAsync(540_000)
  await failed
})

test('a pod Pending for another reason (no room shortage named) still ends at the 180 s limit without a change', async () => {
  const watch = fakeWatch()
  const ready = waitForPodReady({} as Kube, 'q', 'second')
  const failed = expect(ready).rejects.toThrow(/no change for 180s/)
  await vi.advanceTimersByTimeAsync(0)
  watch.show(unschedulable('0/1 nodes are available: 1 node(s) had untolerated taint(s).'))
  await vi.advanceTimersByTimeAsync(180_000)
  await failed
})

test('the scheduler\'s judgement: "Insufficient cpu" is a turn to wait; the refusal that names the claim ends the wait, even beside a full node', async () => {
  const watch = fakeWatch()
  const judged = waitForSchedulerJudgement({} as Kube, 'q', 'second', (m) => /ReadWriteOncePod/.test(m))
  let done = false
  void judged.then(() => { done = true })
  await vi.advanceTimersByTimeAsync(0)
  watch.show(unschedulable(full))
  await vi.advanceTimersByTimeAsync(300_000)
  expect(done).toBe(false)
  watch.show(unschedulable('0/3 nodes are available: 1 Insufficient cpu, 2 node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod.'))
  await expect(judged).resolves.toMatchObject({ status: { conditions: [{ message: expect.stringMatching(/1 Insufficient cpu, 2 node\(s\) unavailable due to PersistentVolumeClaim with ReadWriteOncePod/) }] } })
})

test('the scheduler\'s judgement: a pod bound to a node, or refused for a reason other than room, ends the wait at once', async () => {
  for (const [pod, expected] of [[running(false), { spec: { nodeName: 'n1' } }], [unschedulable(rwop), { status: { phase: 'Pending' } }]] as const) {
    const watch = fakeWatch()
    const judged = waitForSchedulerJudgement({} as Kube, 'q', 'second')
    await vi.advanceTimersByTimeAsync(0)
    watch.show(pod)
    await expect(judged).resolves.toMatchObject(expected)
  }
})
