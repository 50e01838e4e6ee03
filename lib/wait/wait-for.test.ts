import type { V1Pod } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { defaultSettings, withClaimContext } from '../k8s/claim-context.ts'
import type { Kube } from '../k8s/kube.ts'
import { resources, type WatchHandlers, watchObjects } from '../k8s/watch.ts'
import { describePod, isPodReady } from '../resources/pods.ts'
import { guardAgainstStalls, type Stall } from './stalls.ts'
import { ComponentNotActing, waitFor, waitForNamed, WaitTimeout } from './wait-for.ts'
import { drivenWatch } from './watch.fixtures.ts'

vi.mock('../k8s/watch.ts', async (original) => ({ ...(await original<typeof import('../k8s/watch.ts')>()), watchObjects: vi.fn() }))
// The stall guard (stalls.ts, tested there) as the test drives it: it reports only when told to.
vi.mock('./stalls.ts', async (original) => ({ ...(await original<typeof import('./stalls.ts')>()), guardAgainstStalls: vi.fn(() => () => undefined) }))

// The wait's watch, driven by the test: `show(pod)` delivers a change.
const fakeWatch = () => { const w = drivenWatch(); vi.mocked(watchObjects).mockImplementation(w.open); return w }

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

beforeEach(() => {
  vi.useFakeTimers()
  vi.mocked(guardAgainstStalls).mockClear()
})
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

// The watch as the test starts it: `stop` counts the stops; `start` may be held back or fail.
function heldWatch(opts: { sync?: V1Pod[]; start?: Promise<void> } = {}) {
  let handlers: WatchHandlers<V1Pod> | undefined
  const stop = vi.fn()
  vi.mocked(watchObjects).mockImplementation(async (_kube, _resource, _query, h) => {
    handlers = h as unknown as WatchHandlers<V1Pod>
    h.onSync((opts.sync ?? []) as never)
    await opts.start
    return stop
  })
  return {
    stop,
    event: (type: 'ADDED' | 'MODIFIED' | 'DELETED', p: V1Pod) => handlers!.onEvent(type, p as never),
    fail: (err: Error) => handlers!.onError!(err),
  }
}

const web0Deleted = (absentIsFinal: boolean) => waitForNamed<V1Pod>({} as Kube, {
  what: 'pod web-0 to be Ready', timeout: 'podReady', resource: resources.pods, namespace: undefined, name: 'web-0',
  until: isPodReady, describe: describePod, absent: 'no pod web-0', absentIsFinal,
})

test('a named wait on an object the caller just acted on fails at once when the object goes, saying it never will', async () => {
  const watch = heldWatch({ sync: [pod('Running')] })
  const started = Date.now()
  const ready = web0Deleted(true)
  const failed = expect(ready).rejects.toThrow('pod web-0 to be Ready: no pod web-0; it is gone, so it never will')
  await vi.advanceTimersByTimeAsync(1_000)
  watch.event('DELETED', pod('Running'))
  await failed
  expect(Date.now() - started).toBe(1_000) // at the delete, not at the 180 s timeout
  expect(watch.stop).toHaveBeenCalledTimes(1)
})

test('without absentIsFinal, a named object that goes and comes back Ready ends the wait', async () => {
  const watch = heldWatch({ sync: [pod('Running')] })
  const ready = web0Deleted(false)
  await vi.advanceTimersByTimeAsync(1_000)
  watch.event('DELETED', pod('Running'))
  watch.event('ADDED', pod('Pending'))
  watch.event('MODIFIED', pod('Running', undefined, true))
  await expect(ready).resolves.toMatchObject({ status: { phase: 'Running' } })
  expect(watch.stop).toHaveBeenCalledTimes(1)
})

test('a timed-out named wait on an object that is not there says what `absent` says', async () => {
  heldWatch()
  const ready = web0Deleted(false)
  const failed = expect(ready).rejects.toThrow(/timed out waiting for pod web-0 to be Ready: .*\nlast observed: no pod web-0$/s)
  await vi.advanceTimersByTimeAsync(180_000)
  await failed
})

test('an error of the watch ends the wait at once with that error, and stops the watch', async () => {
  const watch = heldWatch()
  const ready = waitForWeb0()
  const failed = expect(ready).rejects.toThrow('watch pods: 410 Gone')
  await vi.advanceTimersByTimeAsync(5_000)
  watch.fail(new Error('watch pods: 410 Gone'))
  await failed
  expect(watch.stop).toHaveBeenCalledTimes(1)
  expect(vi.getTimerCount()).toBe(0) // neither the deadline nor the heartbeat is left behind
})

test('a watch that cannot start fails the wait with its reason', async () => {
  vi.mocked(watchObjects).mockRejectedValue(new Error('pods is forbidden: User "sa" cannot watch resource "pods"'))
  await expect(waitForWeb0()).rejects.toThrow(/cannot watch resource "pods"/)
  expect(vi.getTimerCount()).toBe(0)
})

test('a wait already answered by the watch\'s first list stops the watch as soon as the watch hands over its stop', async () => {
  let started!: () => void
  const watch = heldWatch({ sync: [pod('Running', undefined, true)], start: new Promise<void>((r) => { started = r }) })
  await expect(waitForWeb0()).resolves.toMatchObject({ metadata: { name: 'web-0' } })
  expect(watch.stop).not.toHaveBeenCalled()
  started()
  await vi.advanceTimersByTimeAsync(0)
  expect(watch.stop).toHaveBeenCalledTimes(1)
})

test('every 10 s the wait says how long it has waited, when the last change came, and what it sees', async () => {
  const printed: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((line) => { printed.push(String(line)); return true })
  const watch = heldWatch({ sync: [pod('Pending')] })
  const ready = waitForWeb0()
  await vi.advanceTimersByTimeAsync(10_000)
  watch.event('MODIFIED', pod('Pending', 'ContainerCreating'))
  await vi.advanceTimersByTimeAsync(15_000)
  watch.event('MODIFIED', pod('Running', undefined, true))
  await ready
  await vi.advanceTimersByTimeAsync(30_000) // nothing more once done
  vi.mocked(process.stdout.write).mockRestore()
  expect(printed).toEqual([
    '    · waiting for pod web-0 to be Ready (up to 180s without a change, 540s in all; podReady)\n',
    '    · … still waiting for pod web-0 to be Ready (10s; no change yet, 180s allowed without one): web-0: Pending not Ready\n',
    '    · … still waiting for pod web-0 to be Ready (20s; last change 10s ago, 180s allowed without one): web-0: Pending not Ready (ContainerCreating)\n',
  ])
})

describe('on a namespace, the wait watches for a component that does not act', () => {
  const stall: Stall = { component: 'the StatefulSet controller', evidence: 'StatefulSet q/web: generation 2 not observed', forMs: 60_000, subjects: [] }
  const inNamespace = () => waitFor<V1Pod, V1Pod>({} as Kube, {
    what: 'pod web-0 to be Ready', timeout: 'podReady', resource: resources.pods, query: { namespace: 'q', fieldSelector: 'metadata.name=web-0' },
    until: ([p]) => (p && isPodReady(p) ? p : undefined), describe: ([p]) => (p ? describePod(p) : 'no such pod'),
  })

  test('for the object it waits on, by kind and name', async () => {
    heldWatch({ sync: [pod('Running', undefined, true)] })
    await inNamespace()
    expect(vi.mocked(guardAgainstStalls)).toHaveBeenCalledTimes(1)
    const [, namespace, concerned] = vi.mocked(guardAgainstStalls).mock.calls[0]!
    expect(namespace).toBe('q')
    const about = (...subjects: Stall['subjects']) => concerned({ ...stall, subjects })
    expect(about({ kind: 'Pod', name: 'web-0' })).toBe(true)
    expect(about({ kind: 'Pod', name: /^web-\d+$/ })).toBe(true)
    expect(about({ kind: 'Pod', name: 'web-1' })).toBe(false)
    expect(about({ kind: 'PersistentVolumeClaim', name: 'web-0' })).toBe(false)
  })

  test('and gives up at once, naming the component, when one is recognised; the guard stops with the wait', async () => {
    const unguard = vi.fn()
    let report: ((stalls: Stall[]) => boolean) | undefined
    vi.mocked(guardAgainstStalls).mockImplementation((_kube, _ns, _concerned, onStall) => { report = onStall; return unguard })
    heldWatch({ sync: [pod('Pending')] })
    const ready = inNamespace()
    const failed = expect(ready).rejects.toThrow(ComponentNotActing)
    const said = expect(ready).rejects.toThrow('gave up waiting for pod web-0 to be Ready: StatefulSet q/web: generation 2 not observed, for 60 s; is the StatefulSet controller running?')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(report!([stall])).toBe(false) // the guard needs to look no further
    await failed
    await said
    expect(unguard).toHaveBeenCalledTimes(1)
  })

  test('without a namespace there is nothing to guard', async () => {
    heldWatch({ sync: [pod('Running', undefined, true)] })
    await waitForWeb0()
    expect(vi.mocked(guardAgainstStalls)).not.toHaveBeenCalled()
  })
})

// Issue 25: every wait takes the claim's signal (lib/k8s/claim-context.ts). A test that times out,
// or a run interrupted with Ctrl-C, stops its waits at once instead of leaving them to their timeouts.
test('an interrupted wait ends at once, saying what it last saw, and stops its watch', async () => {
  const stopWatch = vi.fn()
  vi.mocked(watchObjects).mockImplementation(async (_kube, _resource, _query, h) => {
    ;(h as unknown as WatchHandlers<V1Pod>).onSync([pod('Pending', 'ContainerCreating')])
    return stopWatch
  })
  const stop = new AbortController()
  const ready = withClaimContext({ steps: [], settings: defaultSettings, signal: stop.signal }, waitForWeb0)
  const failed = expect(ready).rejects.toThrow(/^stopped waiting for pod web-0 to be Ready: the test timed out\nlast observed: web-0: Pending not Ready \(ContainerCreating\)$/)
  await vi.advanceTimersByTimeAsync(5_000) // of the 180 s it would wait
  stop.abort(new Error('the test timed out'))
  await failed // no timer advanced: at once
  expect(stopWatch).toHaveBeenCalledOnce()
})

test('a wait whose claim was already stopped does not start its watch', async () => {
  vi.mocked(watchObjects).mockClear()
  const stop = new AbortController()
  stop.abort(new Error('the run was interrupted'))
  await expect(withClaimContext({ steps: [], settings: defaultSettings, signal: stop.signal }, waitForWeb0)).rejects.toThrow(/^stopped waiting for pod web-0 to be Ready: the run was interrupted/)
  expect(watchObjects).not.toHaveBeenCalled()
})
