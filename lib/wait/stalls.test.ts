import { describe, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { type NamespaceObjects, type Sign, signsOf } from './stall-signs.ts'
import { claim, meta, none, ns, pod, sts } from './stalls.fixtures.ts'
import { describeStall, guardAgainstStalls, type Stall, stallConcerns, StallTracker } from './stalls.ts'

describe('StallTracker', () => {
  const sign: Sign = { key: 'StatefulSet/sts-1/1', component: 'the StatefulSet controller', evidence: 'generation 1 not observed', windowMs: 30_000, subjects: [] }
  test('a sign counts once it lasted its whole window', () => {
    const t = new StallTracker(() => 1)
    expect(t.check(ns, [sign], 0)).toEqual([])
    expect(t.check(ns, [sign], 29_000)).toEqual([])
    expect(t.check(ns, [sign], 30_000)).toMatchObject([{ component: 'the StatefulSet controller', forMs: 30_000 }])
  })
  test('a sign gone from one check starts again from zero', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check(ns, [], 20_000)
    expect(t.check(ns, [sign], 40_000)).toEqual([])
  })
  test('the window scales with SC_TIMEOUT_SCALE', () => {
    const t = new StallTracker(() => 2)
    t.check(ns, [sign], 0)
    expect(t.check(ns, [sign], 30_000)).toEqual([])
    expect(t.check(ns, [sign], 60_000)).toHaveLength(1)
  })
  const other: Sign = { ...sign, key: 'StatefulSet/other/1' }
  test('once recognised, the component\'s next sign in the namespace needs only the short window, and says when it was first seen', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check(ns, [sign], 30_000)
    t.check(ns, [sign, other], 31_000)
    const [, again] = t.check(ns, [sign, other], 41_000)
    expect(again).toMatchObject({ forMs: 10_000, recognisedBefore: { at: 30_000 } })
    expect(describeStall(again!)).toMatch(/for 10 s; is the StatefulSet controller running\? \(recognised already at 1970-01-01T00:00:30.000Z/)
  })
  test('recognition is per namespace: in another namespace the component\'s sign needs its whole window', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check(ns, [sign], 30_000)
    t.check('q2', [other], 31_000)
    expect(t.check('q2', [other], 41_000)).toEqual([])
    expect(t.check('q2', [other], 61_000)).toMatchObject([{ forMs: 30_000 }])
  })
  test('recognition ends the moment the component acts again (one of its signs clears)', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check(ns, [sign], 30_000)
    t.check(ns, [sign, other], 31_000)
    t.check(ns, [other], 35_000)
    expect(t.check(ns, [other], 45_000)).toEqual([])
    expect(t.check(ns, [other], 61_000)).toMatchObject([{ forMs: 30_000 }])
    expect(t.check(ns, [other], 61_000)[0]!.recognisedBefore).toBeUndefined()
  })
  test('a controller-manager that pauses 30 s, twice, is not recognised (controller windows: 60 s)', () => {
    const t = new StallTracker(() => 1)
    const s = none()
    const stalls = []
    for (let at = 0; at <= 90_000; at += 5_000) {
      // Seen paused from 0 to 30 s and from 40 to 70 s, the StatefulSet changed during each pause; back, it observes it.
      const generation = at <= 30_000 ? 1 : at < 40_000 ? 2 : 3
      const paused = at <= 30_000 || (at >= 40_000 && at <= 70_000)
      s.statefulSets = [{ ...sts(), metadata: meta('web', 'sts-1', { generation }), status: { replicas: 0, observedGeneration: paused ? generation - 1 : generation } }]
      stalls.push(...t.check(ns, signsOf(s), at))
    }
    expect(stalls).toEqual([])
  })
  test('signs of one namespace do not reset those of another', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check('q2', [], 10_000)
    expect(t.check(ns, [sign], 30_000)).toHaveLength(1)
  })
})

describe('guardAgainstStalls: each wait judges for itself', () => {
  // A namespace whose StatefulSet no controller observes, for as long as the test runs.
  const kube = {
    objects: { list: async (_v: string, kind: string) => ({ items: kind === 'StatefulSet' ? [sts()] : [] }) },
    core: { listNamespacedEvent: async () => ({ items: [] }) },
  } as unknown as Kube
  const guard = (seen: number[]) => guardAgainstStalls(kube, ns, () => true, (stalls: Stall[]) => { seen.push(Date.now()); return stalls.length === 0 }, { scale: () => 1 })

  test('a later wait does not inherit what an earlier one recognised: it needs the whole window from its own first look', async () => {
    vi.useFakeTimers({ now: 0 })
    try {
      const first: number[] = []
      const stopFirst = guard(first)
      await vi.advanceTimersByTimeAsync(75_000)
      // First look at 10 s, the controller window (60 s) after it.
      expect(first).toEqual([70_000])
      stopFirst()
      const later: number[] = []
      const stopLater = guard(later)
      await vi.advanceTimersByTimeAsync(140_000 - 75_000)
      expect(later).toEqual([])
      await vi.advanceTimersByTimeAsync(10_000)
      expect(later).toEqual([145_000])
      stopLater()
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('which waits a sign concerns', () => {
  const stalled = (s: NamespaceObjects) => ({ component: '', evidence: '', forMs: 0, subjects: signsOf(s)[0]!.subjects })
  const web = (): NamespaceObjects => {
    const s = none()
    s.statefulSets = [{ ...sts(), spec: { serviceName: 'web', selector: {}, template: { metadata: { labels: { app: 'web' } } }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] } }]
    s.services = [{ metadata: meta('web', 'svc-1'), spec: { selector: { app: 'web' } } }, { metadata: meta('other', 'svc-2'), spec: { selector: { app: 'other' } } }]
    s.endpointSlices = [{ metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [] },
      { metadata: { name: 'other-x', labels: { 'kubernetes.io/service-name': 'other' } }, addressType: 'IPv4', endpoints: [] }]
    return s
  }
  test('a stalled StatefulSet concerns its pods (by label or name), its claims, itself and the endpoints of the Services over its pods', () => {
    const about = stallConcerns
    const st = stalled(web())
    expect(about({ kind: 'Pod', labelSelector: 'app=web' })(st)).toBe(true)
    expect(about({ kind: 'Pod', name: 'web-1' })(st)).toBe(true)
    expect(about({ kind: 'PersistentVolumeClaim', name: 'data-web-0' })(st)).toBe(true)
    expect(about({ kind: 'StatefulSet', name: 'web' })(st)).toBe(true)
    expect(about({ kind: 'EndpointSlice', labelSelector: 'kubernetes.io/service-name=web' })(st)).toBe(true)
  })
  test('and nothing else in the namespace: other pods, claims, Services', () => {
    const st = stalled(web())
    expect(stallConcerns({ kind: 'Pod', labelSelector: 'app=client' })(st)).toBe(false)
    expect(stallConcerns({ kind: 'Pod', name: 'client' })(st)).toBe(false)
    expect(stallConcerns({ kind: 'PersistentVolumeClaim', name: 'scratch' })(st)).toBe(false)
    expect(stallConcerns({ kind: 'EndpointSlice', labelSelector: 'kubernetes.io/service-name=other' })(st)).toBe(false)
  })
  test('a Service without EndpointSlices concerns waits on its endpoints, not waits on its pods', () => {
    const s = none()
    s.services = [{ metadata: meta('web', 'svc-1'), spec: { selector: { app: 'web' } } }]
    const st = stalled(s)
    expect(stallConcerns({ kind: 'EndpointSlice', labelSelector: 'kubernetes.io/service-name=web' })(st)).toBe(true)
    expect(stallConcerns({ kind: 'Pod', labelSelector: 'app=web' })(st)).toBe(false)
  })
  test('an unprovisioned claim concerns the pod that uses it', () => {
    const s = none()
    s.pvcs = [claim('data')]
    s.pods = [pod('user', { metadata: meta('user', 'p-user', { labels: { app: 'u' } }), spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] }, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } })]
    const st = stalled(s)
    expect(stallConcerns({ kind: 'Pod', name: 'user' })(st)).toBe(true)
    expect(stallConcerns({ kind: 'Pod', labelSelector: 'app=u' })(st)).toBe(true)
    expect(stallConcerns({ kind: 'PersistentVolumeClaim', name: 'data' })(st)).toBe(true)
    expect(stallConcerns({ kind: 'Pod', name: 'someone-else' })(st)).toBe(false)
  })
})
