import type { V1ReplicaSet } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { ReplicaSetLog } from './replicasets.ts'

const rs = (name: string, desired: number, available: number): V1ReplicaSet =>
  ({ metadata: { name }, spec: { replicas: desired, selector: {} }, status: { replicas: desired, availableReplicas: available } })

describe('ReplicaSetLog', () => {
  test('sums desired and available replicas over every ReplicaSet after each change', () => {
    const log = new ReplicaSetLog()
    log.sync([rs('web-old', 4, 4)])
    log.observe('ADDED', rs('web-new', 1, 0))
    log.observe('MODIFIED', rs('web-old', 3, 4))
    log.observe('MODIFIED', rs('web-old', 3, 3))
    log.observe('MODIFIED', rs('web-new', 2, 0))
    expect(log.snapshots.map((s) => [s.desired, s.available])).toEqual([[4, 4], [5, 4], [4, 4], [4, 3], [5, 3]])
    const { maxDesired, minAvailable } = log.extremes()
    expect([maxDesired?.seq, maxDesired?.desired, minAvailable?.seq, minAvailable?.available]).toEqual([2, 5, 4, 3])
  })

  test('a deleted ReplicaSet no longer counts; a relist replaces what was known', () => {
    const log = new ReplicaSetLog()
    log.sync([rs('a', 2, 2), rs('b', 1, 1)])
    log.observe('DELETED', rs('b', 1, 1))
    expect(log.snapshots.at(-1)).toMatchObject({ desired: 2, available: 2, sets: { a: { desired: 2, available: 2 } } })
    log.sync([rs('c', 3, 1)])
    expect(log.snapshots.at(-1)).toMatchObject({ desired: 3, available: 1, sets: { c: { desired: 3, available: 1 } } })
  })

  test('describe lists each snapshot with every ReplicaSet as desired/available', () => {
    const log = new ReplicaSetLog()
    log.sync([rs('web-old', 4, 4)])
    log.observe('ADDED', rs('web-new', 1, 0))
    expect(log.describe()).toMatch(/#2\s+desired 5 available 4 {2}web-new: 1\/0, web-old: 4\/4$/m)
  })
})
