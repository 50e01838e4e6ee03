import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { Timeline } from './timeline.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function pod(name: string, uid: string, o: { ready?: boolean; phase?: string; terminating?: boolean; rev?: string; restarts?: number } = {}): V1Pod {
  return {
    metadata: { name, uid, labels: o.rev ? { 'controller-revision-hash': o.rev } : {}, deletionTimestamp: o.terminating ? new Date(T0) : undefined },
    status: {
      phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  }
}

// A StatefulSet rolling update of web-0 and web-1, in the order given.
function rollout(order: ['web-0' | 'web-1', 'web-0' | 'web-1']): Timeline {
  const t = new Timeline(T0)
  t.sync([pod('web-0', 'a0', { ready: true, rev: 'r1' }), pod('web-1', 'a1', { ready: true, rev: 'r1' })], T0)
  let at = T0
  for (const name of order) {
    const old = name === 'web-0' ? 'a0' : 'a1'
    t.observe('MODIFIED', pod(name, old, { ready: false, phase: 'Running', terminating: true, rev: 'r1' }), (at += 1000))
    t.observe('DELETED', pod(name, old, { terminating: true, rev: 'r1' }), (at += 500))
    t.observe('ADDED', pod(name, `b${name.at(-1)}`, { rev: 'r2' }), (at += 100))
    t.observe('MODIFIED', pod(name, `b${name.at(-1)}`, { ready: true, rev: 'r2' }), (at += 2000))
  }
  return t
}

describe('Timeline', () => {
  test('a rolling update from the highest ordinal is seen as 1 before 0', () => {
    const t = rollout(['web-1', 'web-0'])
    expect(t.replacementOrder()).toEqual(['web-1', 'web-0'])
    expect(t.orderOf([{ pod: 'web-0', kind: 'terminating', incarnation: 'old' }, { pod: 'web-1', kind: 'ready', incarnation: 'new' }]))
      .toEqual(['web-1 ready (new)', 'web-0 terminating (old)'])
  })

  test('a timeline in the wrong order fails with the observed order and timestamps', () => {
    const t = rollout(['web-0', 'web-1'])
    let message = ''
    try {
      expect(t.replacementOrder(), t.describe()).toEqual(['web-1', 'web-0'])
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('observed pod events (t=0 at 2026-01-01T00:00:00.000Z)')
    expect(message).toMatch(/\+\s+1\.000s\s+web-0\s+terminating\s+old uid a0 rev r1/)
    expect(message).toMatch(/\+\s+4\.600s\s+web-1\s+terminating\s+old uid a1 rev r1/)
    expect(message.indexOf('web-0  terminating')).toBeLessThan(message.indexOf('web-1  terminating'))
  })

  test('events never observed are listed last, marked so', () => {
    const t = rollout(['web-1', 'web-0'])
    expect(t.orderOf([{ pod: 'web-2', kind: 'created' }, { pod: 'web-1', kind: 'deleted' }])).toEqual(['web-1 deleted', 'web-2 created: never observed'])
  })

  test('a restart with the same pod is its own event', () => {
    const t = new Timeline(T0)
    t.sync([pod('p', 'u', { ready: true })], T0)
    t.observe('MODIFIED', pod('p', 'u', { ready: false, phase: 'Running', restarts: 1 }), T0 + 10)
    t.observe('MODIFIED', pod('p', 'u', { ready: true, restarts: 1 }), T0 + 20)
    expect(t.events.map((e) => e.kind)).toEqual(['present', 'ready', 'unready', 'restarted', 'ready'])
  })

  test('counts: pods alive and Ready at every observed instant', () => {
    const t = rollout(['web-1', 'web-0'])
    // While one pod is replaced, one Ready pod remains; never more than two alive.
    expect(t.counts()).toMatchObject({ maxPods: 2, minReady: 1 })
  })
})
