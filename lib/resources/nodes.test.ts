import type { V1Node, V1NodeSelector } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { describeNodeSelector, isSchedulableLinux, keptToNodes, nodeSelectorAllows, nodesAdmittedBy, nodesExcludedBy } from './nodes.ts'

const node = (name: string, labels: Record<string, string> = {}): V1Node =>
  ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } })

// What local-path and most CSI drivers put on a node-local volume.
const pinnedTo = (name: string): V1NodeSelector => ({
  nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [name] }] }],
})

describe('nodeSelectorAllows', () => {
  test('a volume pinned to a node allows that node and no other', () => {
    expect(nodeSelectorAllows(pinnedTo('a'), node('a'))).toBe(true)
    expect(nodeSelectorAllows(pinnedTo('a'), node('b'))).toBe(false)
  })

  test('terms are ORed, expressions in a term ANDed', () => {
    const s: V1NodeSelector = {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'disk', operator: 'Exists' }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
      ],
    }
    expect(nodeSelectorAllows(s, node('a', { zone: 'z1', disk: 'ssd' }))).toBe(true)
    expect(nodeSelectorAllows(s, node('b', { zone: 'z1' }))).toBe(false)
    expect(nodeSelectorAllows(s, node('c'))).toBe(true)
  })

  test('NotIn, DoesNotExist, Gt and Lt', () => {
    const s = (operator: string, values?: string[]): V1NodeSelector =>
      ({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'n', operator, values }] }] })
    expect(nodeSelectorAllows(s('NotIn', ['1']), node('a', { n: '2' }))).toBe(true)
    expect(nodeSelectorAllows(s('NotIn', ['1']), node('a', { n: '1' }))).toBe(false)
    expect(nodeSelectorAllows(s('DoesNotExist'), node('a'))).toBe(true)
    expect(nodeSelectorAllows(s('Gt', ['3']), node('a', { n: '10' }))).toBe(true)
    expect(nodeSelectorAllows(s('Lt', ['3']), node('a', { n: '10' }))).toBe(false)
  })

  test('an empty term matches no node', () => {
    expect(nodeSelectorAllows({ nodeSelectorTerms: [{}] }, node('a'))).toBe(false)
  })

  test('describes the selector for messages', () => {
    expect(describeNodeSelector(pinnedTo('a'))).toBe('kubernetes.io/hostname In [a]')
    expect(describeNodeSelector(undefined)).toBe('no node affinity')
  })
})

describe('where a volume keeps its pod from going (Q1-05)', () => {
  const node = (name: string, zone: string, o: Partial<V1Node['spec']> = {}): V1Node =>
    ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, 'kubernetes.io/os': 'linux' } }, spec: o })
  const nodes = [node('cp', 'a', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }), node('w1', 'a'), node('w2', 'b'), node('w3', 'a', { unschedulable: true })]
  const term = (key: string, values: string[]): V1NodeSelector => ({ nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values }] }] })
  const names = (list: V1Node[]) => list.map((n) => n.metadata?.name)

  test('a node-local volume excludes every other schedulable node (not the tainted or cordoned ones)', () => {
    expect(names(nodesExcludedBy(term('kubernetes.io/hostname', ['w1']), nodes))).toEqual(['w2'])
  })
  test('a zonal volume excludes only the nodes of other zones', () => {
    expect(names(nodesExcludedBy(term('topology.kubernetes.io/zone', ['b']), nodes))).toEqual(['w1'])
    expect(names(nodesExcludedBy(term('topology.kubernetes.io/zone', ['a']), [node('w1', 'a'), node('w4', 'a')]))).toEqual([])
  })
  test('a volume without node affinity excludes no node', () => {
    expect(nodesExcludedBy(undefined, nodes)).toEqual([])
  })
})


describe('which nodes a plain pod can land on', () => {
  const tainted = (effect: string): V1Node => ({ ...node('t'), spec: { taints: [{ key: 'dedicated', value: 'db', effect }] } })

  test('a NoExecute taint repels the suite\'s pods as NoSchedule does (they tolerate neither)', () => {
    expect(isSchedulableLinux(tainted('NoExecute'))).toBe(false)
    expect(isSchedulableLinux(tainted('NoSchedule'))).toBe(false)
  })
  test('PreferNoSchedule only steers the scheduler: the node still counts', () => {
    expect(isSchedulableLinux(tainted('PreferNoSchedule'))).toBe(true)
  })
  test('cordoned and Windows nodes do not count; an untainted Linux node does', () => {
    expect(isSchedulableLinux({ ...node('c'), spec: { unschedulable: true } })).toBe(false)
    expect(isSchedulableLinux(node('w', { 'kubernetes.io/os': 'windows' }))).toBe(false)
    expect(isSchedulableLinux(node('l'))).toBe(true)
  })
})

describe('where a pod of a bound volume can go (SC-11, SC-12)', () => {
  const node = (name: string, labels: Record<string, string>, o: Partial<V1Node['spec']> = {}): V1Node =>
    ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } }, spec: o })
  // Three zones as a managed cloud spreads them, a NoExecute-tainted node in zone a, a cordoned one in b.
  const nodes = [
    node('a1', { 'topology.kubernetes.io/zone': 'a' }), node('a2', { 'topology.kubernetes.io/zone': 'a' }),
    node('b1', { 'topology.kubernetes.io/zone': 'b', 'topology.ebs.csi.aws.com/zone': 'b' }), node('c1', { 'topology.kubernetes.io/zone': 'c' }),
    node('a3', { 'topology.kubernetes.io/zone': 'a' }, { taints: [{ key: 'dedicated', effect: 'NoExecute' }] }),
    node('b2', { 'topology.kubernetes.io/zone': 'b' }, { unschedulable: true }),
  ]
  const selector = (key: string, operator: string, values?: string[]): V1NodeSelector =>
    ({ nodeSelectorTerms: [{ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }] })
  const names = (list: V1Node[]) => list.map((n) => n.metadata?.name)

  test('a zonal volume admits the schedulable nodes of its zone only (an EBS or Persistent Disk volume)', () => {
    expect(names(nodesAdmittedBy(selector('topology.kubernetes.io/zone', 'In', ['a']), nodes))).toEqual(['a1', 'a2'])
  })
  test('a driver\'s own topology key: only the nodes that carry it with the volume\'s value', () => {
    expect(names(nodesAdmittedBy(selector('topology.ebs.csi.aws.com/zone', 'In', ['b']), nodes))).toEqual(['b1'])
  })
  test('a node-local volume (hostname affinity, as local and local-path volumes carry) admits its node only', () => {
    expect(names(nodesAdmittedBy(selector('kubernetes.io/hostname', 'In', ['c1']), nodes))).toEqual(['c1'])
  })
  test('a volume without node affinity admits every schedulable node (not the tainted or cordoned ones)', () => {
    expect(names(nodesAdmittedBy(undefined, nodes))).toEqual(['a1', 'a2', 'b1', 'c1'])
  })
  test('NotIn, Exists and DoesNotExist', () => {
    expect(names(nodesAdmittedBy(selector('topology.kubernetes.io/zone', 'NotIn', ['a']), nodes))).toEqual(['b1', 'c1'])
    expect(names(nodesAdmittedBy(selector('topology.ebs.csi.aws.com/zone', 'Exists'), nodes))).toEqual(['b1'])
    expect(names(nodesAdmittedBy(selector('topology.ebs.csi.aws.com/zone', 'DoesNotExist'), nodes))).toEqual(['a1', 'a2', 'c1'])
  })
  test('terms are ORed: a volume reachable from two zones admits the nodes of both', () => {
    const twoZones: V1NodeSelector = { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] },
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['c'] }] },
    ] }
    expect(names(nodesAdmittedBy(twoZones, nodes))).toEqual(['a1', 'a2', 'c1'])
  })
})

test('a pod kept to several nodes by name gets one term per node, each with the one metadata.name value the API server takes, and any of them admits it', () => {
  const selector = keptToNodes(['a', 'b'])
  expect(selector.nodeSelectorTerms.map((t) => t.matchFields?.map((f) => f.values))).toEqual([[['a']], [['b']]])
  const named = (name: string): V1Node => ({ metadata: { name, labels: {} } })
  expect(['a', 'b', 'c'].map((n) => nodeSelectorAllows(selector, named(n)))).toEqual([true, true, false])
})
