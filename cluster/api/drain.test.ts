import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { drainNode, podsToEvict, selectorMatches, waitingOnlyForUnschedulable } from './drain.ts'

const pod = (name: string, o: { ready?: boolean; unschedulable?: boolean; owner?: string; mirror?: boolean; terminating?: boolean; phase?: string } = {}): V1Pod => ({
  metadata: {
    name, namespace: 'ns', uid: `${name}-${o.ready ? 'ready' : 'not-ready'}`, labels: { app: 'keeper' },
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner, name: 'x', uid: 'u', controller: true }] } : {}),
    ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'h' } } : {}),
    ...(o.terminating ? { deletionTimestamp: new Date() } : {}),
  },
  status: {
    phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
    conditions: [
      { type: 'Ready', status: o.ready ? 'True' : 'False' },
      ...(o.unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] : []),
    ],
  },
})
const budget = (expectedPods: number): V1PodDisruptionBudget => ({ metadata: { name: 'keeper' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'keeper' } } }, status: { expectedPods, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 } } as V1PodDisruptionBudget)

describe('a drain', () => {
  test('evicts what kubectl drain evicts: not the kubelet\'s mirror pods, a DaemonSet\'s, pods already leaving or finished; bare pods too', () => {
    const pods = [pod('b', { owner: 'StatefulSet' }), pod('mirror', { mirror: true }), pod('ds', { owner: 'DaemonSet' }), pod('gone', { terminating: true }), pod('done', { phase: 'Succeeded' }), pod('a')]
    expect(podsToEvict(pods).map((p) => p.metadata?.name)).toEqual(['a', 'b'])
  })

  test('reads a budget\'s selector as policy/v1 does: labels and expressions; an empty selector covers every pod, a missing one none', () => {
    expect(selectorMatches({ matchLabels: { app: 'keeper' } }, { app: 'keeper', x: 'y' })).toBe(true)
    expect(selectorMatches({ matchLabels: { app: 'keeper' } }, { app: 'other' })).toBe(false)
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }, { key: 'canary', operator: 'DoesNotExist' }] }, { tier: 'db' })).toBe(true)
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, { tier: 'db' })).toBe(false)
    expect(selectorMatches({}, { any: 'thing' })).toBe(true)
    expect(selectorMatches(undefined, { app: 'keeper' })).toBe(false)
  })

  test('a budget is stuck only when every pod it expects exists and each one not Ready is refused by the scheduler', () => {
    // keeper-0 evicted, back but unschedulable: its volume is pinned to the cordoned node.
    const stuck = [pod('keeper-0', { unschedulable: true }), pod('keeper-1', { ready: true }), pod('keeper-2', { ready: true })]
    expect(waitingOnlyForUnschedulable(budget(3), stuck)?.map((p) => p.metadata?.name)).toEqual(['keeper-0'])
    // Time may help: a pod not made again yet, or one placed and starting.
    expect(waitingOnlyForUnschedulable(budget(3), stuck.slice(1))).toBeUndefined()
    expect(waitingOnlyForUnschedulable(budget(3), [pod('keeper-0'), ...stuck.slice(1)])).toBeUndefined()
    expect(waitingOnlyForUnschedulable(budget(3), [...stuck.slice(0, 2), pod('keeper-2')])).toBeUndefined()
    // Nothing to wait for: every pod Ready.
    expect(waitingOnlyForUnschedulable(budget(3), [pod('keeper-0', { ready: true }), ...stuck.slice(1)])).toBeUndefined()
  })
})

// A fake API: pods and one budget in namespace ns; `evictable(name, attempt)` answers each eviction
// (true: accepted, the pod then leaves the node and `replacement` takes its place elsewhere or nowhere).
function fakeApi(pods: V1Pod[], o: { evictable: (name: string, attempt: number) => boolean; replacement?: (name: string) => V1Pod | undefined; expectedPods?: number; error?: (name: string, attempt: number) => Error | undefined }) {
  let current = pods.map((p) => ({ ...p, spec: { nodeName: 'node-a', containers: [] } }))
  const attempts = new Map<string, number>()
  const refusal = Object.assign(new Error('Too Many Requests'), { code: 429, body: JSON.stringify({ message: 'Cannot evict pod as it would violate the pod\'s disruption budget.' }) })
  const c = {
    core: {
      listPodForAllNamespaces: async ({ fieldSelector }: { fieldSelector: string }) => ({ items: current.filter((p) => `spec.nodeName=${p.spec.nodeName}` === fieldSelector) }),
      listNamespacedPod: async () => ({ items: current }),
      createNamespacedPodEviction: async ({ name }: { name: string }) => {
        const n = (attempts.get(name) ?? 0) + 1
        attempts.set(name, n)
        const error = o.error?.(name, n)
        if (error) throw error
        if (!o.evictable(name, n)) throw refusal
        const next = o.replacement?.(name)
        current = [...current.filter((p) => p.metadata?.name !== name), ...(next ? [{ ...next, spec: { nodeName: '', containers: [] } }] : [])]
      },
    },
    policy: { listNamespacedPodDisruptionBudget: async () => ({ items: [budget(o.expectedPods ?? pods.length)] }) },
  }
  return { c: c as unknown as Parameters<typeof drainNode>[0], attempts }
}
const fast = { stallMs: 300, stuckMs: 60, pauseMs: 5, log: () => undefined }

describe('drainNode', () => {
  const keepers = () => [pod('keeper-0', { ready: true, owner: 'StatefulSet' }), pod('keeper-2', { ready: true, owner: 'StatefulSet' })]

  test('a refusal waited out: the second pod leaves once its budget allows it', async () => {
    const { c, attempts } = fakeApi(keepers(), { evictable: (name, n) => name === 'keeper-0' || n >= 3, replacement: (name) => pod(name, { ready: true }) })
    // Each try changes nothing the drain sees but its count: the budget is re-read, the same; the third is accepted before the stall.
    await expect(drainNode(c, 'node-a', fast)).resolves.toEqual({ evicted: ['ns/keeper-0', 'ns/keeper-2'], leftInPlace: [] })
    expect(attempts.get('keeper-2')).toBe(3)
  })

  test('a pod whose budget waits only for a pod that cannot be scheduled stays in place, and says so', async () => {
    const lines: string[] = []
    const { c } = fakeApi(keepers(), { evictable: (name) => name === 'keeper-0', replacement: (name) => pod(name, { unschedulable: true }) })
    await expect(drainNode(c, 'node-a', { ...fast, log: (l) => lines.push(l) })).resolves.toEqual({ evicted: ['ns/keeper-0'], leftInPlace: ['ns/keeper-2'] })
    expect(lines).toContainEqual('  ns/keeper-2 stays on node-a, upgraded in place: its budget keeper allows no disruption while keeper-0 cannot be scheduled (cordoned node-a may be the only node they may use)')
  })

  const apiError = (code: number, message: string) => Object.assign(new Error(message), { code, body: JSON.stringify({ message }) })

  test('a client error other than the budget\'s refusal (403 of RBAC) ends the drain at once: asking again would change nothing', async () => {
    const { c, attempts } = fakeApi(keepers(), { evictable: () => true, error: (name) => (name === 'keeper-0' ? apiError(403, 'pods "keeper-0" is forbidden: cannot create resource "pods/eviction"') : undefined) })
    await expect(drainNode(c, 'node-a', fast)).rejects.toThrow(/^evict pod ns\/keeper-0: HTTP 403: pods "keeper-0" is forbidden/)
    expect(attempts.get('keeper-0')).toBe(1)
  })

  test('a server error is tried again: the drain goes on once the API server answers, and ends if it does not for stallMs', async () => {
    const busy = fakeApi(keepers(), { evictable: () => true, error: (name, n) => (name === 'keeper-0' && n < 3 ? apiError(503, 'the server is currently unable to handle the request') : undefined) })
    await expect(drainNode(busy.c, 'node-a', fast)).resolves.toEqual({ evicted: ['ns/keeper-0', 'ns/keeper-2'], leftInPlace: [] })
    expect(busy.attempts.get('keeper-0')).toBe(3)
    const down = fakeApi(keepers(), { evictable: () => true, error: () => apiError(503, 'the server is currently unable to handle the request') })
    await expect(drainNode(down.c, 'node-a', fast)).rejects.toThrow(/^evict pod ns\/keeper-0: the API server failed for 0\.3s: HTTP 503/)
  })

  test('a refusal that goes on with nothing changing, while the budget waits for a pod that is placed but never Ready, ends the drain naming the budget and its pods', async () => {
    const { c } = fakeApi(keepers(), { evictable: (name) => name === 'keeper-0', replacement: (name) => pod(name) })
    await expect(drainNode(c, 'node-a', fast)).rejects.toThrow(/^drain of node-a: the eviction of ns\/keeper-2 was refused for 0\.3s with no change among its budget's pods: HTTP 429: Cannot evict pod .*; budget keeper: 2 healthy of 2 .*; pods keeper-2 Ready on node-a, keeper-0 Pending$/)
  })
})
