import type { V1Node, V1NodeSelector } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { describeNodeSelector, isSchedulableLinux, nodeSelectorAllows, nodesExcludedBy } from './nodes.ts'

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
