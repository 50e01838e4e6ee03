import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1VolumeNodeAffinity } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import {
  bindingChanges, describeZones, movedOutOfZone, nodesOfZone, type Placed, placedOf, schedulableZones, zoneLabel, zonesByNode, zoneToLose,
} from './zones.ts'

const node = (name: string, zone?: string, extra: Partial<V1Node['spec']> & { labels?: Record<string, string> } = {}): V1Node => {
  const { labels, ...spec } = extra
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { [zoneLabel]: zone } : {}), ...labels } }, spec }
}

// The embedded cloud shape: a tainted control plane in no zone, a worker in each of two zones.
const cloud = [
  node('cp', undefined, { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], labels: { 'node-role.kubernetes.io/control-plane': '' } }),
  node('w1', 'zone-a'), node('w2', 'zone-b'),
]

const pinnedTo = (host: string): V1VolumeNodeAffinity => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } })
const pv = (name: string, nodeAffinity?: V1VolumeNodeAffinity): V1PersistentVolume =>
  ({ metadata: { name }, spec: { nodeAffinity } })
const pvc = (name: string, uid: string, volumeName?: string): V1PersistentVolumeClaim => ({ metadata: { name, uid }, spec: { volumeName } })
const pod = (name: string, uid: string, nodeName?: string): V1Pod => ({ metadata: { name, uid }, spec: { nodeName, containers: [] } })

const placed = (p: string, n: string, zone: string): Placed => ({
  pod: p, uid: `${p}-uid`, node: n, zone, claim: `data-${p}`, claimUid: `data-${p}-uid`, volume: `pv-${p}`,
  affinity: `kubernetes.io/hostname In [${n}]`, identity: `${p} ${p}-uid`,
})

describe('zones of a cluster', () => {
  test('only zones with a node a plain pod can land on count; cordoned and tainted nodes, and nodes in no zone, do not', () => {
    const nodes = [...cloud, node('w3', 'zone-c', { unschedulable: true }), node('w4', 'zone-a')]
    expect(schedulableZones(nodes)).toEqual(new Map([['zone-a', ['w1', 'w4']], ['zone-b', ['w2']]]))
    expect(describeZones(schedulableZones(nodes))).toBe('zone-a (w1, w4), zone-b (w2)')
    expect(describeZones(schedulableZones([node('solo')]))).toBe('none')
  })

  test('losing a zone stops each of its nodes, cordoned ones too, never a control-plane node', () => {
    const nodes = [...cloud, node('w3', 'zone-a', { unschedulable: true }), node('cp2', 'zone-a', { labels: { 'node-role.kubernetes.io/control-plane': '' } })]
    expect(nodesOfZone(nodes, 'zone-a')).toEqual(['w1', 'w3'])
    expect(nodesOfZone(nodes, 'zone-c')).toEqual([])
    expect(zonesByNode(nodes)('w2')).toBe('zone-b')
    expect(zonesByNode(nodes)('cp')).toBeUndefined()
  })

  test('a pod is placed from its node, claim and volume as read', () => {
    const p = placedOf(pod('zoned-0', 'u0', 'w1'), cloud[1], pvc('data-zoned-0', 'c0', 'pv-0'), pv('pv-0', pinnedTo('w1')), 'zoned-0 u0')
    expect(p).toEqual({ pod: 'zoned-0', uid: 'u0', node: 'w1', zone: 'zone-a', claim: 'data-zoned-0', claimUid: 'c0', volume: 'pv-0', affinity: 'kubernetes.io/hostname In [w1]', identity: 'zoned-0 u0' })
  })
})

describe('the zone to lose', () => {
  const nodesOf = (zone: string) => nodesOfZone(cloud, zone)

  test('is the zone of the lowest ordinal (zoned-10 after zoned-2); the other pods survive', () => {
    const set = [placed('zoned-10', 'w2', 'zone-b'), placed('zoned-2', 'w1', 'zone-a')]
    expect(zoneToLose(set, nodesOf)).toEqual({ zone: 'zone-a', nodes: ['w1'], lost: [set[1]], surviving: [set[0]] })
  })

  test('skips a pod whose node is never stopped, and a zone holding every pod', () => {
    const onControlPlane = [placed('zoned-0', 'cp', ''), placed('zoned-1', 'w2', 'zone-b')]
    expect(zoneToLose(onControlPlane, nodesOf)).toMatchObject({ zone: 'zone-b', lost: [{ pod: 'zoned-1' }], surviving: [{ pod: 'zoned-0' }] })
    expect(zoneToLose([placed('zoned-0', 'w1', 'zone-a'), placed('zoned-1', 'w1', 'zone-a')], nodesOf)).toBeUndefined()
  })
})

describe('moved across zones', () => {
  const loss = { zone: 'zone-a', lost: [placed('zoned-0', 'w1', 'zone-a')] }
  const zoneOfNode = zonesByNode([...cloud, node('w5', 'zone-a')])

  test('a pod of the lost zone, terminating or Pending, or placed again in that zone, has not moved', () => {
    expect(movedOutOfZone(loss, [pod('zoned-0', 'zoned-0-uid', 'w1'), pod('zoned-1', 'u1', 'w2')], zoneOfNode)).toEqual([])
    expect(movedOutOfZone(loss, [pod('zoned-0', 'new')], zoneOfNode)).toEqual([])
    expect(movedOutOfZone(loss, [pod('zoned-0', 'new', 'w5')], zoneOfNode)).toEqual([])
  })

  test('a new pod of that name on a node of another zone, or of no zone, has', () => {
    expect(movedOutOfZone(loss, [pod('zoned-0', 'new', 'w2')], zoneOfNode))
      .toEqual(['zoned-0 (uid new, the first was zoned-0-uid) is on node w2 in zone zone-b, outside the lost zone zone-a'])
    expect(movedOutOfZone(loss, [pod('zoned-0', 'new', 'cp')], zoneOfNode)).toEqual([expect.stringMatching(/on node cp in no zone/)])
  })

  test('the same claim bound to the same volume with the same node affinity is no change', () => {
    const was = placed('zoned-0', 'w1', 'zone-a')
    expect(bindingChanges(was, pvc('data-zoned-0', 'data-zoned-0-uid', 'pv-zoned-0'), pv('pv-zoned-0', pinnedTo('w1')))).toEqual([])
  })

  test('a claim gone, made anew, bound elsewhere, or a volume whose affinity follows its pod, is', () => {
    const was = placed('zoned-0', 'w1', 'zone-a')
    expect(bindingChanges(was, undefined, undefined)).toEqual(['claim data-zoned-0 of zoned-0 is gone (it was bound to pv-zoned-0)'])
    expect(bindingChanges(was, pvc('data-zoned-0', 'other', 'pv-new'), pv('pv-new', pinnedTo('w2')))).toEqual([
      'claim data-zoned-0 of zoned-0 was made anew (uid other, the first was data-zoned-0-uid)',
      'claim data-zoned-0 of zoned-0 is bound to pv-new, not pv-zoned-0',
    ])
    expect(bindingChanges(was, pvc('data-zoned-0', 'data-zoned-0-uid', 'pv-zoned-0'), undefined)).toEqual(['volume pv-zoned-0 of claim data-zoned-0 of zoned-0 is gone'])
    expect(bindingChanges(was, pvc('data-zoned-0', 'data-zoned-0-uid', 'pv-zoned-0'), pv('pv-zoned-0', pinnedTo('w2'))))
      .toEqual(['volume pv-zoned-0 of claim data-zoned-0 of zoned-0 now allows kubernetes.io/hostname In [w2], not kubernetes.io/hostname In [w1]'])
  })
})
