import { describe, expect, test } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { evictPod } from './evictions.ts'

const apiError = (code: number, message: string) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ message }) })

// A kube whose eviction calls answer from a script, and whose pod reads answer `pod`.
function fakeKube(answers: (Error | 'ok')[], pod?: object): Kube & { calls: number } {
  const k = {
    calls: 0,
    core: {
      createNamespacedPodEviction: async () => {
        const a = answers[k.calls++]
        if (a instanceof Error) throw a
        return {}
      },
      readNamespacedPod: async () => {
        if (!pod) throw apiError(404, 'pods "keeper-1" not found')
        return pod
      },
    },
  }
  return k as unknown as Kube & { calls: number }
}

describe('evictPod', () => {
  test('an eviction the budget refuses (429) is returned as a refusal with the API\'s message, not retried', async () => {
    const kube = fakeKube([apiError(429, 'Cannot evict pod as it would violate the pod\'s disruption budget.')])
    await expect(evictPod(kube, 'ns', 'keeper-1')).resolves.toEqual({ evicted: false, refusal: expect.stringMatching(/429: Cannot evict pod/) })
    expect(kube.calls).toBe(1)
  })

  test('a server error is retried; the eviction then accepted counts', async () => {
    const kube = fakeKube([apiError(503, 'unavailable'), 'ok'])
    await expect(evictPod(kube, 'ns', 'keeper-1')).resolves.toEqual({ evicted: true })
    expect(kube.calls).toBe(2)
  })

  test('a retry that meets its own first try (the pod terminating, so the budget now refuses) counts as evicted', async () => {
    const kube = fakeKube([apiError(503, 'timeout'), apiError(429, 'would violate')], { metadata: { name: 'keeper-1', deletionTimestamp: new Date() } })
    await expect(evictPod(kube, 'ns', 'keeper-1')).resolves.toEqual({ evicted: true })
  })

  test('a retry that meets a 429 while the pod is still running is a refusal', async () => {
    const kube = fakeKube([apiError(503, 'timeout'), apiError(429, 'would violate')], { metadata: { name: 'keeper-1' } })
    await expect(evictPod(kube, 'ns', 'keeper-1')).resolves.toMatchObject({ evicted: false })
  })

  test('anything else fails with what was asked and the API\'s message', async () => {
    await expect(evictPod(fakeKube([apiError(403, 'forbidden: cannot create pods/eviction')]), 'ns', 'keeper-1')).rejects.toThrow(/evict pod ns\/keeper-1: HTTP 403: forbidden/)
  })
})
