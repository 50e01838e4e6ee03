import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { describeStall, type NamespaceObjects, type Sign, signsOf, StallTracker } from './stalls.ts'

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
    expect(signsOf(s)).toMatchObject([{ component: 'the provisioner rancher.io/local-path', windowMs: 60_000 }])
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
  test('a claim whose owning StatefulSet is gone', () => {
    const s = none()
    s.pvcs = [claim('data-web-0', { metadata: meta('data-web-0', 'pvc-d', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'gone' }] }), status: { phase: 'Bound' } })]
    expect(signsOf(s)).toMatchObject([{ component: expect.stringMatching(/garbage collector/), evidence: expect.stringMatching(/owner StatefulSet web \(uid gone\) is gone/) }])
    s.statefulSets = [{ ...sts(1), metadata: meta('web', 'gone', { generation: 1 }) }]
    expect(signsOf(s)).toEqual([])
  })
})

describe('StallTracker', () => {
  const sign: Sign = { key: 'StatefulSet/sts-1/1', component: 'the StatefulSet controller', evidence: 'generation 1 not observed', windowMs: 30_000 }
  test('a sign counts once it lasted its whole window', () => {
    const t = new StallTracker(() => 1)
    expect(t.check(ns, [sign], 0)).toBeUndefined()
    expect(t.check(ns, [sign], 29_000)).toBeUndefined()
    expect(t.check(ns, [sign], 30_000)).toMatchObject({ component: 'the StatefulSet controller', forMs: 30_000 })
  })
  test('a sign gone from one check starts again from zero', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check(ns, [], 20_000)
    expect(t.check(ns, [sign], 40_000)).toBeUndefined()
  })
  test('the window scales with SC_TIMEOUT_SCALE', () => {
    const t = new StallTracker(() => 2)
    t.check(ns, [sign], 0)
    expect(t.check(ns, [sign], 30_000)).toBeUndefined()
    expect(t.check(ns, [sign], 60_000)).toBeDefined()
  })
  test('once recognised, the same component in another namespace needs only the short window, and says when it was first seen', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check(ns, [sign], 30_000)
    t.check('q2', [{ ...sign, key: 'StatefulSet/other/1' }], 31_000)
    const again = t.check('q2', [{ ...sign, key: 'StatefulSet/other/1' }], 41_000)
    expect(again).toMatchObject({ forMs: 10_000, recognisedBefore: { at: 30_000 } })
    expect(describeStall(again!)).toMatch(/for 10 s; is the StatefulSet controller running\? \(recognised already at 1970-01-01T00:00:30.000Z/)
  })
  test('signs of one namespace do not reset those of another', () => {
    const t = new StallTracker(() => 1)
    t.check(ns, [sign], 0)
    t.check('q2', [], 10_000)
    expect(t.check(ns, [sign], 30_000)).toBeDefined()
  })
})
