import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { orderedStartViolations } from './ordered-start.ts'
import { Timeline } from './timeline.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function pod(name: string, o: { phase?: string; ready?: boolean; terminating?: boolean } = {}): V1Pod {
  return {
    metadata: { name, uid: `uid-${name}`, deletionTimestamp: o.terminating ? new Date(T0) : undefined },
    status: { phase: o.phase ?? 'Pending', conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
  }
}

// web-0, web-1, web-2 each created, Running, then Ready; `early` names the pod
// created as soon as its predecessor runs, before it is Ready.
function start(early?: string): Timeline {
  const t = new Timeline(T0)
  t.sync([], T0)
  const names = ['web-0', 'web-1', 'web-2']
  names.forEach((name, i) => {
    t.observe('ADDED', pod(name))
    t.observe('MODIFIED', pod(name, { phase: 'Running' }))
    const next = names[i + 1]
    if (next && next === early) t.observe('ADDED', pod(next))
    t.observe('MODIFIED', pod(name, { phase: 'Running', ready: true }))
  })
  return t
}

describe('orderedStartViolations', () => {
  test('0, 1, 2 each created after its predecessor is Running and Ready: no violation', () => {
    expect(orderedStartViolations(start(), ['web-0', 'web-1', 'web-2'])).toEqual([])
  })

  test('a pod created while its predecessor only runs is reported', () => {
    expect(orderedStartViolations(start('web-2'), ['web-0', 'web-1', 'web-2']))
      .toEqual(['web-2 was created (event #5) while web-1 was Running and not Ready'])
  })

  test('a pod already Ready when recording began counts as Running and Ready', () => {
    const t = new Timeline(T0)
    t.sync([pod('web-0', { phase: 'Running', ready: true })], T0)
    t.observe('ADDED', pod('web-1'))
    expect(orderedStartViolations(t, ['web-0', 'web-1'])).toEqual([])
  })

  test('a pod created while its predecessor terminates, or never created, is reported', () => {
    const t = new Timeline(T0)
    t.sync([pod('web-0', { phase: 'Running', ready: true })], T0)
    t.observe('MODIFIED', pod('web-0', { phase: 'Running', terminating: true }))
    t.observe('ADDED', pod('web-1'))
    expect(orderedStartViolations(t, ['web-0', 'web-1', 'web-2'])).toEqual([
      'web-1 was created (event #4) while web-0 was absent or terminating',
      'web-2: its creation was never observed',
    ])
  })

  test('a recording with a gap cannot show the order held: it throws, naming the gap', () => {
    const t = start()
    t.relisting('resourceVersion 5 expired (410 Gone): listed again')
    t.sync([pod('web-0', { phase: 'Running', ready: true }), pod('web-1', { phase: 'Running', ready: true }), pod('web-2', { phase: 'Running', ready: true })], T0 + 60_000)
    expect(() => orderedStartViolations(t, ['web-0', 'web-1', 'web-2']))
      .toThrow(/^pod watch of pods has a gap: .*resourceVersion 5 expired \(410 Gone\): listed again; events in it may be missing, so that web-0, web-1, web-2 each started only after the one before was Running and Ready cannot be shown$/)
  })
})
