import { expect, test } from 'vitest'
import { isVolumeNodeAffinityConflict } from './events.ts'

test('a volume node affinity conflict, as the scheduler words it in older and newer releases', () => {
  expect(isVolumeNodeAffinityConflict('0/2 nodes are available: 1 node(s) had volume node affinity conflict, 1 node(s) didn\'t match Pod\'s node affinity/selector.')).toBe(true)
  expect(isVolumeNodeAffinityConflict('0/3 nodes are available: 1 node(s) didn\'t match PersistentVolume\'s node affinity, 2 node(s) didn\'t satisfy plugin(s) [NodeAffinity].')).toBe(true)
  expect(isVolumeNodeAffinityConflict('0/3 nodes are available: 3 node(s) didn\'t match Pod\'s node affinity/selector.')).toBe(false)
  expect(isVolumeNodeAffinityConflict(undefined)).toBe(false)
})
