import type { V1StorageClass } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { defaultStorageClass, listPvs, statusOf } from './storage.ts'

const sc = (name: string, created: string, isDefault: boolean): V1StorageClass => ({
  provisioner: 'p',
  metadata: { name, creationTimestamp: new Date(created), annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
})

describe('defaultStorageClass', () => {
  test('the class marked default', () => {
    expect(defaultStorageClass([sc('fast', '2026-01-02', false), sc('standard', '2026-01-01', true)])?.metadata?.name).toBe('standard')
  })

  test('the beta annotation counts, as the DefaultStorageClass admission plugin counts it', () => {
    const beta: V1StorageClass = { provisioner: 'p', metadata: { name: 'old-style', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } } }
    expect(defaultStorageClass([sc('fast', '2026-01-01', false), beta])?.metadata?.name).toBe('old-style')
  })

  test('of several marked default, the newest', () => {
    expect(defaultStorageClass([sc('old', '2026-01-01', true), sc('new', '2026-02-01', true)])?.metadata?.name).toBe('new')
  })

  test('none when no class is marked default', () => {
    expect(defaultStorageClass([sc('fast', '2026-01-01', false)])).toBeUndefined()
  })
})

describe('statusOf: what a refused request says, from its Status body', () => {
  test('the status, its reason and its message, from the body as the client hands it (text or parsed)', () => {
    const body = { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized' }
    const expected = { status: 403, reason: 'Forbidden', message: body.message }
    expect(statusOf(Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: JSON.stringify(body) }))).toEqual(expected)
    expect(statusOf(Object.assign(new Error('HTTP-Code: 403'), { code: 403, body }))).toEqual(expected)
  })

  test('no HTTP answer: only the message', () => {
    expect(statusOf(new Error('fetch failed'))).toEqual({ message: 'fetch failed' })
  })
})

describe('listPvs', () => {
  // A cluster of 1,203 volumes served as the API server pages them (limit, continue).
  function pagedKube(total: number) {
    const requests: { limit?: number; _continue?: string }[] = []
    const volumes = Array.from({ length: total }, (_, i) => ({ metadata: { name: `pv-${i}` } }))
    const kube = {
      core: {
        listPersistentVolume: async (q: { limit?: number; _continue?: string } = {}) => {
          requests.push(q)
          const start = Number(q._continue ?? 0)
          const end = q.limit ? start + q.limit : volumes.length
          return { items: volumes.slice(start, end), metadata: end < volumes.length ? { _continue: String(end) } : {} }
        },
      },
    } as unknown as Kube
    return { kube, requests }
  }

  test('reads every page (limit and continue), never the whole cluster in one answer', async () => {
    const { kube, requests } = pagedKube(1203)
    const pvs = await listPvs(kube)
    expect(pvs.map((p) => p.metadata?.name)).toEqual(Array.from({ length: 1203 }, (_, i) => `pv-${i}`))
    expect(requests.length).toBe(3)
    expect(requests.every((q) => q.limit && q.limit <= 500)).toBe(true)
    expect(requests.map((q) => q._continue)).toEqual([undefined, '500', '1000'])
  })
})
