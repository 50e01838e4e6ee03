import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import { describe, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { concerns, type NamespaceObjects, selectorMatches, type Sign, signsOf } from './stall-signs.ts'
import { describeStall, guardAgainstStalls, type Stall, stallConcerns, StallTracker } from './stalls.ts'

const ns = 'q1'
const none = (): NamespaceObjects => ({ statefulSets: [], deployments: [], replicaSets: [], services: [], endpointSlices: [], pods: [], pvcs: [], events: [] })
const meta = (name: string, uid: string, extra: object = {}) => ({ name, namespace: ns, uid, ...extra })
const sts = (observed?: number): V1StatefulSet => ({ kind: 'StatefulSet', metadata: meta('web', 'sts-1', { generation: 1 }), status: { replicas: 0, ...(observed ? { observedGeneration: observed } : {}) } })
const pod = (name: string, extra: Partial<V1Pod> = {}): V1Pod => ({ metadata: meta(name, `pod-${name}`), spec: { containers: [] }, ...extra })
const claim = (name: string, extra: Partial<V1PersistentVolumeClaim> = {}): V1PersistentVolumeClaim =>
  ({ metadata: meta(name, `pvc-${name}`), spec: {}, status: { phase: 'Pending' }, ...extra })
const event = (uid: string, component: string, reason: string): CoreV1Event =>
  ({ metadata: {}, involvedObject: { uid }, source: { component }, reason })
const components = (s: NamespaceObjects) => signsOf(s).map((g) => g.component)

describe('signsOf: what a healthy namespace shows', () => {
  test('objects their components acted on show no sign', () => {
    const s = none()
    s.statefulSets = [sts(1)]
    s.services = [{ metadata: meta('web', 'svc-1'), spec: { selector: { app: 'web' } } }]
    s.endpointSlices = [{ metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [] }]
    s.pods = [pod('web-0', { metadata: meta('web-0', 'p0', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-1' }] }), spec: { containers: [], nodeName: 'n1' } }),
      pod('stuck', { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } })]
    s.pvcs = [claim('waiting'), claim('bound', { status: { phase: 'Bound' } })]
    s.events = [event('pvc-waiting', 'persistentvolume-controller', 'WaitForFirstConsumer')]
    expect(signsOf(s)).toEqual([])
  })
})

describe('signsOf: each component that does not act', () => {
  test('a StatefulSet whose generation no controller observed', () => {
    const s = none()
    s.statefulSets = [sts()]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/StatefulSet controller/), evidence: expect.stringMatching(/generation 1 not observed.*no pod of it exists/) }])
  })
  test('a Deployment, and a ReplicaSet, not observed', () => {
    const s = none()
    s.deployments = [{ metadata: meta('d', 'd-1', { generation: 2 }), status: { observedGeneration: 1 } }]
    s.replicaSets = [{ metadata: meta('d-abc', 'rs-1', { generation: 1, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd-1' }] }), spec: { selector: {} } }]
    expect(components(s)).toEqual([expect.stringMatching(/Deployment controller/), expect.stringMatching(/ReplicaSet controller/)])
  })
  test('a Service with a selector and no EndpointSlice; one without a selector is left alone', () => {
    const s = none()
    s.services = [{ metadata: meta('web', 'svc-1'), spec: { selector: { app: 'web' } } }, { metadata: meta('manual', 'svc-2'), spec: {} }]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/EndpointSlice controller/), evidence: expect.stringMatching(/web has a selector/) }])
  })
  test('a pod with no node and no PodScheduled condition, unless its claim has a selected node', () => {
    const s = none()
    s.pods = [pod('a'), pod('b', { spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } })]
    s.pvcs = [claim('data', { metadata: meta('data', 'pvc-data', { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } }) })]
    s.events = [event('pvc-data', 'persistentvolume-controller', 'ExternalProvisioning'), event('pvc-data', 'rancher.io/local-path_x_y', 'Provisioning')]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/scheduler/), evidence: expect.stringMatching(/pod q1\/a /) }])
  })
  test('a Pending claim the PV controller said nothing about', () => {
    const s = none()
    s.pvcs = [claim('data')]
    expect(components(s)).toEqual([expect.stringMatching(/PV controller/)])
  })
  test('a claim handed to a provisioner that said nothing about it', () => {
    const s = none()
    s.pvcs = [claim('data', { metadata: meta('data', 'pvc-data', { annotations: { 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' } }) })]
    s.events = [event('pvc-data', 'persistentvolume-controller', 'ExternalProvisioning')]
    expect(signsOf(s)).toMatchObject([{ component: 'the provisioner rancher.io/local-path', windowMs: 120_000 }])
    s.events.push(event('pvc-data', 'rancher.io/local-path_local-path-provisioner-5d_1f', 'Provisioning'))
    expect(signsOf(s)).toEqual([])
  })
  test('a deleted claim no pod uses that keeps its protection finalizer; one still in use does not count', () => {
    const s = none()
    const deleted = (name: string) => claim(name, { metadata: meta(name, `pvc-${name}`, { deletionTimestamp: new Date(), finalizers: ['kubernetes.io/pvc-protection'] }), status: { phase: 'Bound' } })
    s.pvcs = [deleted('unused'), deleted('used')]
    s.pods = [pod('user', { spec: { containers: [], nodeName: 'n1', volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'used' } }] } })]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/PVC protection controller/), evidence: expect.stringMatching(/claim q1\/unused/) }])
  })
  test('a claim whose owning pod is gone (a StatefulSet scaled down with whenScaled: Delete)', () => {
    const s = none()
    s.pvcs = [claim('data-web-1', { metadata: meta('data-web-1', 'pvc-1', { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'gone-pod' }] }), status: { phase: 'Bound' } })]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/garbage collector/), evidence: expect.stringMatching(/owner Pod web-1/) }])
    s.pods = [pod('web-1', { metadata: meta('web-1', 'gone-pod'), spec: { containers: [], nodeName: 'n1' } })]
    expect(signsOf(s)).toEqual([])
  })
  test('a claim whose owning StatefulSet is gone', () => {
    const s = none()
    s.pvcs = [claim('data-web-0', { metadata: meta('data-web-0', 'pvc-d', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'gone' }] }), status: { phase: 'Bound' } })]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/garbage collector/), evidence: expect.stringMatching(/owner StatefulSet web \(uid gone\) is gone/) }])
    s.statefulSets = [{ ...sts(1), metadata: meta('web', 'gone', { generation: 1 }) }]
    expect(signsOf(s)).toEqual([])
  })
})

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

describe('selectorMatches and concerns', () => {
  test('the selector forms the API takes', () => {
    const labels = { app: 'web', tier: 'db' }
    expect(selectorMatches('app=web,tier==db', labels)).toBe(true)
    expect(selectorMatches('app!=web', labels)).toBe(false)
    expect(selectorMatches('tier in (db, cache),!gone,app', labels)).toBe(true)
    expect(selectorMatches('tier notin (db)', labels)).toBe(false)
  })
  test('a subject without labels fits no selected wait, one without a name no named wait', () => {
    expect(concerns({ kind: 'Pod', name: 'a' }, { kind: 'Pod', labelSelector: 'app=web' })).toBe(false)
    expect(concerns({ kind: 'Pod', labels: { app: 'web' } }, { kind: 'Pod', name: 'a' })).toBe(false)
    expect(concerns({ kind: 'Pod', labels: { app: 'web' } }, { kind: 'Pod' })).toBe(true)
  })
})
