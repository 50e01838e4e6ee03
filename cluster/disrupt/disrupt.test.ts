import { describe, expect, test } from 'vitest'
import { nodesOf } from '../base/shape.ts'
import { workersOfZone } from './disrupt.ts'

describe('a zone of the embedded cluster', () => {
  test('is its workers labelled with it; the control plane, in no zone, is never one of them', () => {
    const nodes = nodesOf({ nodes: 5 })
    expect(workersOfZone(nodes, 'zone-a').map((n) => n.name)).toEqual(['embedded-worker', 'embedded-worker3'])
    expect(workersOfZone(nodes, 'zone-b').map((n) => n.name)).toEqual(['embedded-worker2', 'embedded-worker4'])
  })

  test('a zone without a worker is an error naming the zones there are', () => {
    expect(() => workersOfZone(nodesOf({ nodes: 3 }), 'zone-c')).toThrow(/no worker in zone zone-c .*\(its zones: zone-a, zone-b\)/)
    expect(() => workersOfZone(nodesOf({ nodes: 1 }), 'zone-a')).toThrow(/its zones: none, with one node/)
  })
})
