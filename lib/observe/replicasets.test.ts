import type { V1ReplicaSet } from '@kubernetes/client-node'
import { describe, expect, test, vi } from 'vitest'
import { IncompleteRecording } from './gaps.ts'
import { waitForRecording } from './recordings.ts'
import { ReplicaSetLog } from './replicasets.ts'

const T0 = Date.parse('2026-01-01T00:00:00Z')

const rs = (name: string, desired: number, available: number): V1ReplicaSet =>
  ({ metadata: { name }, spec: { replicas: desired, selector: {} }, status: { replicas: desired, availableReplicas: available } })

describe('ReplicaSetLog', () => {
  test('sums desired and available replicas over every ReplicaSet after each change', () => {
    const log = new ReplicaSetLog()
    log.sync([rs('web-old', 4, 4)])
    log.observe('ADDED', rs('web-new', 1, 0))
    log.observe('MODIFIED', rs('web-old', 3, 4))
    log.observe('MODIFIED', rs('web-old', 3, 3))
    log.observe('MODIFIED', rs('web-new', 2, 0))
    expect(log.snapshots.map((s) => [s.desired, s.available])).toEqual([[4, 4], [5, 4], [4, 4], [4, 3], [5, 3]])
    const { maxDesired, minAvailable } = log.extremes()
    expect([maxDesired?.seq, maxDesired?.desired, minAvailable?.seq, minAvailable?.available]).toEqual([2, 5, 4, 3])
  })

  test('a deleted ReplicaSet no longer counts; a relist replaces what was known', () => {
    const log = new ReplicaSetLog()
    log.sync([rs('a', 2, 2), rs('b', 1, 1)])
    log.observe('DELETED', rs('b', 1, 1))
    expect(log.snapshots.at(-1)).toMatchObject({ desired: 2, available: 2, sets: { a: { desired: 2, available: 2 } } })
    log.sync([rs('c', 3, 1)])
    expect(log.snapshots.at(-1)).toMatchObject({ desired: 3, available: 1, sets: { c: { desired: 3, available: 1 } } })
  })

  test('describe lists each snapshot with every ReplicaSet as desired/available', () => {
    const log = new ReplicaSetLog()
    log.sync([rs('web-old', 4, 4)])
    log.observe('ADDED', rs('web-new', 1, 0))
    expect(log.describe()).toMatch(/#2\s+desired 5 available 4 {2}web-new: 1\/0, web-old: 4\/4$/m)
  })

  test('a relist is a gap in the log: the bounds "at every change" cannot be shown across it', () => {
    const log = new ReplicaSetLog('ns (app=web)', T0)
    log.sync([rs('web-old', 4, 4)], T0)
    log.observe('ADDED', rs('web-new', 1, 0), T0 + 1234)
    log.relisting('resourceVersion 9 expired (410 Gone): listed again')
    log.sync([rs('web-old', 0, 0), rs('web-new', 4, 4)], T0 + 3456)
    expect(log.complete).toBe(false)
    expect(log.gaps).toEqual([{ from: T0 + 1234, to: T0 + 3456, reason: 'resourceVersion 9 expired (410 Gone): listed again', seq: 3, resumed: 3, final: false }])
    expect(() => log.extremes()).toThrow(IncompleteRecording)
    expect(() => log.extremes()).toThrow('ReplicaSet watch of ns (app=web) has a gap: 00:00:01.234–00:00:03.456, resourceVersion 9 expired (410 Gone): listed again; events in it may be missing, so the ReplicaSet totals at every change cannot be shown')
    // Every total seen is at most 5: a larger one may have been in the gap.
    expect(() => log.mostDesired(5)).toThrow(/so that its ReplicaSets asked for at most 5 pods in all at every change cannot be shown/)
    expect(log.describe().split('\n').slice(0, 5)).toEqual([
      'ReplicaSets of ns (app=web) (desired/available) after each change, INCOMPLETE: 1 gap:',
      '  +   0.000s  #1   desired 4 available 4  web-old: 4/4',
      '  +   1.234s  #2   desired 5 available 4  web-new: 1/0, web-old: 4/4',
      '  ---------  gap: 00:00:01.234–00:00:03.456, resourceVersion 9 expired (410 Gone): listed again; changes in it may be missing',
      '  +   3.456s  #3   desired 4 available 4  web-new: 4/4, web-old: 0/0',
    ])
  })

  test('a total over the ceiling seen before or after a gap breaks the bound whatever the gap hid', () => {
    const log = new ReplicaSetLog('ns (app=web)', T0)
    log.sync([rs('web-old', 4, 4)], T0)
    log.observe('ADDED', rs('web-new', 2, 0), T0 + 1000) // 6 desired: over 4 + 1
    log.relisting('resourceVersion 9 expired (410 Gone): listed again')
    log.sync([rs('web-old', 0, 0), rs('web-new', 4, 4)], T0 + 3000)
    expect(log.mostDesired(5)).toMatchObject({ seq: 2, desired: 6 })
    // The relist's own snapshot is the state at the relist: seen, not guessed.
    const after = new ReplicaSetLog('ns (app=web)', T0)
    after.sync([rs('web-old', 4, 4)], T0)
    after.relisting('resourceVersion 9 expired (410 Gone): listed again')
    after.sync([rs('web-old', 3, 3), rs('web-new', 3, 0)], T0 + 3000)
    expect(after.mostDesired(5)).toMatchObject({ seq: 2, desired: 6 })
  })

  test('a watch that ended is a gap that never closes; a wait on the log rejects at once', async () => {
    vi.useFakeTimers()
    try {
      const log = new ReplicaSetLog('ns (app=web)', T0)
      log.sync([rs('web-old', 4, 4)], T0)
      const done = waitForRecording(log, '4 available on one ReplicaSet', (l) => l.snapshots.at(-1)?.sets['web-new']?.available === 4, 'rollout')
      log.ended('the watch ended: forbidden')
      await expect(done).rejects.toThrow('ReplicaSet watch of ns (app=web) has a gap: 00:00:00.000–never resumed, the watch ended: forbidden; events in it may be missing, so 4 available on one ReplicaSet cannot be shown')
      expect(() => log.extremes()).toThrow(/never resumed/)
      expect(log.describe()).toMatch(/gap: 00:00:00\.000–never resumed, the watch ended: forbidden; changes in it may be missing$/)
    } finally {
      vi.useRealTimers()
    }
  })
})
