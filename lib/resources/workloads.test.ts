import type { V1Deployment } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { rollingUpdateBounds } from './workloads.ts'

const deployment = (replicas: number | undefined, rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string }, type = 'RollingUpdate'): V1Deployment => ({
  metadata: { namespace: 'ns', name: 'web' },
  spec: { replicas, strategy: { type, rollingUpdate }, selector: {}, template: {} },
})

describe('rollingUpdateBounds', () => {
  test('integers are taken as they are', () => {
    expect(rollingUpdateBounds(deployment(4, { maxSurge: 1, maxUnavailable: 1 }))).toEqual({ replicas: 4, maxSurge: 1, maxUnavailable: 1 })
  })

  test('percentages of replicas: maxSurge rounds up, maxUnavailable rounds down (the server default, 25 %, on 10 replicas)', () => {
    expect(rollingUpdateBounds(deployment(10, { maxSurge: '25%', maxUnavailable: '25%' }))).toEqual({ replicas: 10, maxSurge: 3, maxUnavailable: 2 })
    expect(rollingUpdateBounds(deployment(3, { maxSurge: '50%', maxUnavailable: '50%' }))).toEqual({ replicas: 3, maxSurge: 2, maxUnavailable: 1 })
  })

  test('when both come to 0, maxUnavailable is 1, as the controller resolves it', () => {
    expect(rollingUpdateBounds(deployment(3, { maxSurge: 0, maxUnavailable: '10%' }))).toEqual({ replicas: 3, maxSurge: 0, maxUnavailable: 1 })
  })

  test('unset fields count as the controller counts them: replicas 1, bounds 0', () => {
    expect(rollingUpdateBounds(deployment(undefined, { maxSurge: 1 }))).toEqual({ replicas: 1, maxSurge: 1, maxUnavailable: 0 })
  })

  test('a value that is neither an integer nor a percentage, or a Recreate strategy, throws naming the Deployment', () => {
    expect(() => rollingUpdateBounds(deployment(4, { maxSurge: '1', maxUnavailable: 1 }))).toThrow('Deployment ns/web maxSurge "1" is neither an integer nor a percentage')
    expect(() => rollingUpdateBounds(deployment(4, undefined, 'Recreate'))).toThrow('Deployment ns/web has strategy Recreate, not RollingUpdate')
  })
})
