import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { orderViolations, replacementsOf } from './pod-record-order.ts'

const t = (s: number) => new Date(Date.UTC(2026, 11, 5, 20, 0, s)).toISOString()
const pod = (name: string, created: number, ready?: number): V1Pod => ({
  metadata: { name, creationTimestamp: new Date(t(created)) },
  status: { conditions: ready === undefined ? [{ type: 'Ready', status: 'False' }] : [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(t(ready)) }] },
})
const order = ['keeper-2', 'keeper-1', 'keeper-0']

describe('an update order read from the pods\' own record', () => {
  test('each pod created no earlier than the one before it was Ready: in order (a tie to the second counts as in order)', () => {
    expect(orderViolations(replacementsOf([pod('keeper-0', 20, 25), pod('keeper-1', 10, 20), pod('keeper-2', 1, 6)], order))).toEqual([])
  })

  test('a pod replaced while the one before it was not yet Ready is a violation, named with both times', () => {
    expect(orderViolations(replacementsOf([pod('keeper-0', 20, 25), pod('keeper-1', 3, 9), pod('keeper-2', 1, 6)], order)))
      .toEqual(['keeper-1 was created at 20:00:03, before keeper-2 was Ready at 20:00:06'])
  })

  test('lowest ordinal first is a violation', () => {
    expect(orderViolations(replacementsOf([pod('keeper-0', 1, 5), pod('keeper-1', 6, 10), pod('keeper-2', 11, 15)], order))).toHaveLength(2)
  })

  test('a pod missing or not Ready is named', () => {
    expect(orderViolations(replacementsOf([pod('keeper-1', 10, 20), pod('keeper-2', 1)], order))).toEqual(['keeper-2: not Ready', 'keeper-0: no such pod'])
  })
})
