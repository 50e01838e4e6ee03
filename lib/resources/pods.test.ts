import type { V1Pod } from '@kubernetes/client-node'
import { afterEach, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { deletePod } from './pods.ts'

afterEach(() => { vi.restoreAllMocks() })

// A pod whose delete commits but whose answer is lost; the retry finds no pod, or its replacement.
function kubeWith(afterDelete: 'gone' | 'replaced') {
  const pod: V1Pod = { metadata: { name: 'web-0', namespace: 'q', uid: 'first' } }
  const deletes: unknown[] = []
  const core = {
    readNamespacedPod: async () => pod,
    deleteNamespacedPod: async (req: { body?: { preconditions?: { uid?: string } } }) => {
      deletes.push(req.body?.preconditions)
      if (deletes.length === 1) throw new Error('read ECONNRESET')
      throw afterDelete === 'gone' ? Object.assign(new Error('not found'), { code: 404 })
        : Object.assign(new Error('Precondition failed: UID in precondition: first, UID in object meta: second'), { code: 409 })
    },
  }
  return { kube: { core } as unknown as Kube, deletes }
}

test('a pod delete retried after its first try committed returns the pod it deleted, whether the retry finds none or a replacement', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  for (const after of ['gone', 'replaced'] as const) {
    const { kube, deletes } = kubeWith(after)
    expect((await deletePod(kube, 'q', 'web-0')).metadata?.uid).toBe('first')
    // Every try names the incarnation: a retry never deletes the StatefulSet's replacement.
    expect(deletes).toEqual([{ uid: 'first' }, { uid: 'first' }])
  }
})
