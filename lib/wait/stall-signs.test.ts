import type { CoreV1Event } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { concerns, type NamespaceObjects, selectorMatches, signsOf } from './stall-signs.ts'
import { claim, event, meta, none, ns, pod, sts } from './stalls.fixtures.ts'
import { StallTracker } from './stalls.ts'

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
  test('a claim whose provisioner is named is one the PV controller acted on, whatever became of its events', () => {
    const s = none()
    s.pvcs = [claim('data', { metadata: meta('data', 'pvc-data', { annotations: { 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' } }) })]
    expect(components(s)).toEqual(['the provisioner rancher.io/local-path'])
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

describe('a provisioner\'s silence, counted from the last sign of life around the claim', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s))
  const handedOff = (): NamespaceObjects => {
    const s = none()
    s.pvcs = [claim('data', { metadata: meta('data', 'pvc-data', { annotations: { 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' } }) })]
    s.events = [{ ...event('pvc-data', 'persistentvolume-controller', 'ExternalProvisioning'), firstTimestamp: at(0), lastTimestamp: at(0), count: 1 }]
    return s
  }
  // Checks every 5 s from 0 to `until` s; `change` edits the namespace at a given second. Returns when the provisioner was recognised.
  const recognisedAt = (s: NamespaceObjects, until: number, change: (second: number) => void = () => undefined) => {
    const t = new StallTracker(() => 1)
    for (let second = 0; second <= until; second += 5) {
      change(second)
      if (t.check(ns, signsOf(s), second * 1000).length) return second
    }
    return undefined
  }

  test('a provisioner that never answers is recognised after its window (120 s), though the PV controller repeats its ExternalProvisioning notice', () => {
    const s = handedOff()
    expect(recognisedAt(s, 300, (second) => { s.events[0] = { ...s.events[0]!, lastTimestamp: at(second), count: 1 + second / 15 } })).toBe(120)
    expect(signsOf(s)[0]!.evidence).toMatch(/the last sign of life around it: the hand-off \(the PV controller's first ExternalProvisioning event\) at 2026-01-01T00:00:00.000Z$/)
  })

  test('an event of any other kind about the claim, late as events may be, starts the silence again', () => {
    const s = handedOff()
    const late = { ...event('pvc-data', 'some-admission-webhook', 'Mutated'), lastTimestamp: at(1) }
    expect(recognisedAt(s, 300, (second) => { if (second === 90) s.events.push(late) })).toBe(210)
  })

  test('a provisioner working through other claims of the namespace is not silent', () => {
    const s = handedOff()
    const busy = (second: number): CoreV1Event => ({ ...event('pvc-other', 'rancher.io/local-path_local-path-provisioner-5d_1f', 'Provisioning'), involvedObject: { uid: `pvc-other-${second}`, kind: 'PersistentVolumeClaim', name: `other-${second}` }, lastTimestamp: at(second) })
    expect(recognisedAt(s, 600, (second) => { if (second % 60 === 0 && second <= 300) s.events.push(busy(second)) })).toBe(420)
  })

  test('a later change to the claim (a selected node set again) starts it again too', () => {
    const s = handedOff()
    expect(recognisedAt(s, 300, (second) => {
      if (second === 100) s.pvcs[0]!.metadata!.managedFields = [{ manager: 'kube-scheduler', operation: 'Update', time: at(100) }]
    })).toBe(220)
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
