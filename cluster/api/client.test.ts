import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { type Clients, deploymentAvailable, poll } from './client.ts'

describe('poll', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  test('checks every 250 ms until done', async () => {
    const check = vi.fn(async () => (check.mock.calls.length < 4 ? { done: false as const, seen: 'HTTP 500' } : { done: true as const }))
    const done = poll({ what: 'the API server', timeoutMs: 10_000, check })
    await vi.advanceTimersByTimeAsync(750)
    await done
    expect(check).toHaveBeenCalledTimes(4)
  })

  test('times out saying what it waited for and the last thing it saw, a check\'s error included', async () => {
    // Up and answering at first, then gone: the error is what it last saw.
    let n = 0
    const check = async () => { if (++n < 3) return { done: false as const, seen: 'HTTP 500: etcd not ready' }; throw new Error('connect ECONNREFUSED 10.250.0.2:6443') }
    const done = poll({ what: 'the API server', timeoutMs: 2_000, check })
    const failed = expect(done).rejects.toThrow(/^timed out after 2s waiting for the API server; last seen: connect ECONNREFUSED 10\.250\.0\.2:6443$/)
    await vi.advanceTimersByTimeAsync(2_500)
    await failed
  })

  test('a fatal error, or a guard that finds a component dead, ends the poll at once', async () => {
    const fatal = Object.assign(new Error('kube-apiserver exited: see its log'), { fatal: true })
    await expect(poll({ what: 'the API server', timeoutMs: 60_000, check: async () => { throw fatal } })).rejects.toBe(fatal)
    const check = vi.fn(async () => ({ done: false as const, seen: 'Pending' }))
    let alive = 2
    const guard = async () => { if (--alive < 0) throw new Error('etcd is not running') }
    const done = poll({ what: 'CoreDNS', timeoutMs: 60_000, check, guard })
    const failed = expect(done).rejects.toThrow('etcd is not running')
    await vi.advanceTimersByTimeAsync(500)
    await failed
    expect(check).toHaveBeenCalledTimes(2)
  })
})

describe('deploymentAvailable', () => {
  const clientsWith = (available: number | undefined, pods: object[]) => {
    const asked: unknown[] = []
    const c = {
      apps: { readNamespacedDeployment: async () => ({ spec: { replicas: 2, selector: { matchLabels: { app: 'coredns', tier: 'dns' } } }, status: { availableReplicas: available } }) },
      core: { listNamespacedPod: async (req: unknown) => { asked.push(req); return { items: pods } } },
    } as unknown as Clients
    return { c, asked }
  }

  test('done once as many replicas are available as it wants, not before', async () => {
    expect(await deploymentAvailable(clientsWith(2, []).c, 'kube-system', 'coredns')).toEqual({ done: true })
    expect(await deploymentAvailable(clientsWith(1, []).c, 'kube-system', 'coredns')).toEqual({ done: false, seen: 'kube-system/coredns available 1; pods: none' })
  })

  test('otherwise it says how many are, and what its pods (found by its selector) wait for', async () => {
    const { c, asked } = clientsWith(undefined, [
      { metadata: { name: 'coredns-a' }, status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ErrImageNeverPull' } } }] } },
      { metadata: { name: 'coredns-b' }, status: { phase: 'Running' } },
    ])
    expect(await deploymentAvailable(c, 'kube-system', 'coredns')).toEqual({ done: false, seen: 'kube-system/coredns available 0; pods: coredns-a Pending (ErrImageNeverPull); coredns-b Running' })
    expect(asked).toEqual([{ namespace: 'kube-system', labelSelector: 'app=coredns,tier=dns' }])
  })
})
