import type { V1EndpointSlice } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { describeEndpoints, endpointsOf } from './services.ts'

const slice = (endpoints: V1EndpointSlice['endpoints']): V1EndpointSlice => ({ addressType: 'IPv4', endpoints })

describe('endpointsOf', () => {
  test('flattens every slice, keeps the pod behind each address, sorts by address', () => {
    const eps = endpointsOf([
      slice([{ addresses: ['10.0.0.9'], targetRef: { kind: 'Pod', name: 'demo-1' }, conditions: { ready: true } }]),
      slice([{ addresses: ['10.0.0.4'], targetRef: { kind: 'Pod', name: 'demo-0' }, conditions: { ready: false } }]),
    ])
    expect(eps).toEqual([
      { address: '10.0.0.4', pod: 'demo-0', ready: false },
      { address: '10.0.0.9', pod: 'demo-1', ready: true },
    ])
  })

  test('an endpoint without a ready condition counts as ready; a non-pod target has no pod', () => {
    expect(endpointsOf([slice([{ addresses: ['10.0.0.1'], targetRef: { kind: 'Node', name: 'n1' } }])]))
      .toEqual([{ address: '10.0.0.1', ready: true }])
  })

  test('a slice with no endpoints gives none', () => {
    expect(endpointsOf([slice(undefined)])).toEqual([])
    expect(describeEndpoints([])).toBe('no endpoints')
  })
})
