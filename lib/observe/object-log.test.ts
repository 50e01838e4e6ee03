import type { KubernetesObject } from '@kubernetes/client-node'
import { expect, test } from 'vitest'
import { IncompleteRecording } from './gaps.ts'
import { ObjectLog, removedAfter } from './object-log.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const obj = (name: string, rv: string, o: { terminating?: boolean; finalizers?: string[] } = {}): KubernetesObject =>
  ({ metadata: { name, resourceVersion: rv, finalizers: o.finalizers, deletionTimestamp: o.terminating ? new Date(T0) : undefined } })

// A claim deleted while its pod runs, held by its finalizer; then the pod goes, then (if protection works) the claim.
function lives(o: { podGoneRv: string; claimGoneRv: string; podGoneAt?: number; claimGoneAt?: number }) {
  const pod = new ObjectLog('Pod watch', 'Pod ns/lunchbox', T0)
  const claim = new ObjectLog('PersistentVolumeClaim watch', 'PersistentVolumeClaim ns/lunchbox-pvc', T0)
  pod.sync([obj('lunchbox', '100')], T0)
  claim.sync([obj('lunchbox-pvc', '90', { finalizers: ['kubernetes.io/pvc-protection'] })], T0)
  claim.observe('MODIFIED', obj('lunchbox-pvc', '110', { terminating: true, finalizers: ['kubernetes.io/pvc-protection'] }), T0 + 1000)
  pod.observe('MODIFIED', obj('lunchbox', '120', { terminating: true }), T0 + 2000)
  pod.observe('DELETED', obj('lunchbox', o.podGoneRv, { terminating: true }), o.podGoneAt ?? T0 + 32_000)
  claim.observe('DELETED', obj('lunchbox-pvc', o.claimGoneRv, { terminating: true }), o.claimGoneAt ?? T0 + 32_050)
  return { pod, claim }
}

test('a claim removed after its pod, in the storage order of their removals, holds', () => {
  const { pod, claim } = lives({ podGoneRv: '130', claimGoneRv: '132' })
  expect(removedAfter(claim, pod)).toBeUndefined()
  // The claim's removal delivered first by its own watch, yet stored after the pod's: the storage order decides.
  const early = lives({ podGoneRv: '130', claimGoneRv: '132', podGoneAt: T0 + 32_060, claimGoneAt: T0 + 32_050 })
  expect(removedAfter(early.claim, early.pod)).toBeUndefined()
})

test('a claim removed while its pod still ran (before the pod\'s removal) fails, naming both removals', () => {
  const { pod, claim } = lives({ podGoneRv: '130', claimGoneRv: '125', claimGoneAt: T0 + 5000 })
  expect(removedAfter(claim, pod)).toMatch(/^PersistentVolumeClaim ns\/lunchbox-pvc was removed at resourceVersion 125, before Pod ns\/lunchbox at 130: expected it removed only after Pod ns\/lunchbox\n/)
  // Without comparable resourceVersions, by when the watches delivered them.
  const opaque = lives({ podGoneRv: 'b7', claimGoneRv: 'a3', claimGoneAt: T0 + 5000 })
  expect(removedAfter(opaque.claim, opaque.pod)).toMatch(/was removed \(delivered 27000 ms before Pod ns\/lunchbox's removal; resourceVersions not comparable\)/)
})

test('a removal found by a relist (it happened in the gap) cannot be placed; one never seen fails', () => {
  const pod = new ObjectLog('Pod watch', 'Pod ns/lunchbox', T0)
  const claim = new ObjectLog('PersistentVolumeClaim watch', 'PersistentVolumeClaim ns/lunchbox-pvc', T0)
  pod.sync([obj('lunchbox', '100')], T0)
  claim.sync([obj('lunchbox-pvc', '90')], T0)
  pod.observe('DELETED', obj('lunchbox', '130'), T0 + 1000)
  expect(removedAfter(claim, pod)).toMatch(/^PersistentVolumeClaim ns\/lunchbox-pvc was never seen removed/)
  claim.relisting('resourceVersion 90 expired (410 Gone): listed again')
  claim.sync([], T0 + 9000)
  expect(() => removedAfter(claim, pod)).toThrow(IncompleteRecording)
  expect(() => removedAfter(claim, pod)).toThrow(/PersistentVolumeClaim watch of PersistentVolumeClaim ns\/lunchbox-pvc has a gap: .* so when PersistentVolumeClaim ns\/lunchbox-pvc was removed cannot be shown/)
})
