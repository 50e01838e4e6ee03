import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { podsToEvict, selectorMatches, waitingOnlyForUnschedulable } from './drain.ts'

const pod = (name: string, o: { ready?: boolean; unschedulable?: boolean; owner?: string; mirror?: boolean; terminating?: boolean; phase?: string } = {}): V1Pod => ({
  metadata: {
    name, namespace: 'ns', labels: { app: 'keeper' },
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
