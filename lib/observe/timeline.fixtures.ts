// Pods and timelines for the recordings' unit tests (not a test file itself).
import type { V1Pod } from '@kubernetes/client-node'
import { Timeline } from './timeline.ts'

export const T0 = Date.parse('2026-01-01T00:00:00Z')

export function pod(name: string, uid: string, o: { ready?: boolean; phase?: string; terminating?: boolean; rev?: string; restarts?: number } = {}): V1Pod {
  return {
    metadata: { name, uid, labels: o.rev ? { 'controller-revision-hash': o.rev } : {}, deletionTimestamp: o.terminating ? new Date(T0) : undefined },
    status: {
      phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  }
}

// A recording of web-0 (uid a0) and web-1 (a1), both Ready on revision r1 at T0; `subject` names it in its messages.
export function twoReady(subject?: string): Timeline {
  const t = new Timeline(T0, subject)
  t.sync([pod('web-0', 'a0', { ready: true, rev: 'r1' }), pod('web-1', 'a1', { ready: true, rev: 'r1' })], T0)
  return t
}

// One pod of twoReady replaced: its old pod terminating 1 s after `from`, gone 0.5 s later, its new pod (uid
// b0 or b1, revision r2) created 0.1 s later and Ready 2 s after that (not with ready: false). Returns the
// time of its last event.
export function replace(t: Timeline, name: 'web-0' | 'web-1', from: number, o: { ready?: boolean } = {}): number {
  const [old, next] = [`a${name.at(-1)}`, `b${name.at(-1)}`]
  let at = from
  t.observe('MODIFIED', pod(name, old, { ready: false, phase: 'Running', terminating: true, rev: 'r1' }), (at += 1000))
  t.observe('DELETED', pod(name, old, { terminating: true, rev: 'r1' }), (at += 500))
  t.observe('ADDED', pod(name, next, { rev: 'r2' }), (at += 100))
  if (o.ready !== false) t.observe('MODIFIED', pod(name, next, { ready: true, rev: 'r2' }), (at += 2000))
  return at
}

// A StatefulSet rolling update of web-0 and web-1, in the order given.
export function rollout(order: ['web-0' | 'web-1', 'web-0' | 'web-1']): Timeline {
  const t = twoReady()
  let at = T0
  for (const name of order) at = replace(t, name, at)
  return t
}
