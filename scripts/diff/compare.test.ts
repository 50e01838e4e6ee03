import { expect, test } from 'vitest'
import type { ClaimStatus } from '../../lib/report/claims.ts'
import { type Change, classify, compareRuns, describeChange, timingShifts, unlikeRuns, warningsOf } from './compare.ts'
import { entry, report } from './testdata/build.ts'

test('each pair of verdicts has one category: newly failing is a regression, failing in both (failed ↔ broken too) is not', () => {
  const cases: [ClaimStatus | undefined, ClaimStatus | undefined, Change][] = [
    // newly failing, from anything that was not failing (absent included)
    ['passed', 'failed', 'regression'], ['passed', 'broken', 'regression'], ['partial', 'failed', 'regression'],
    ['skipped', 'broken', 'regression'], [undefined, 'failed', 'regression'], [undefined, 'broken', 'regression'],
    // failing in both, whichever of the two: not new
    ['failed', 'failed', 'still failing'], ['failed', 'broken', 'still failing'], ['broken', 'failed', 'still failing'], ['broken', 'broken', 'still failing'],
    ['failed', 'passed', 'fixed'], ['broken', 'passed', 'fixed'],
    ['passed', 'skipped', 'lost visibility'], ['passed', 'partial', 'lost visibility'], ['partial', 'skipped', 'lost visibility'],
    // no longer failing, but nobody looked at all of it: not fixed
    ['failed', 'skipped', 'lost visibility'], ['broken', 'partial', 'lost visibility'],
    ['skipped', 'passed', 'gained visibility'], ['partial', 'passed', 'gained visibility'], ['skipped', 'partial', 'gained visibility'],
    ['passed', undefined, 'missing'], ['failed', undefined, 'missing'],
    [undefined, 'passed', 'added'], [undefined, 'skipped', 'added'],
    ['passed', 'passed', 'unchanged'], ['partial', 'partial', 'unchanged'], ['skipped', 'skipped', 'unchanged'],
  ]
  for (const [before, after, change] of cases) expect([before, after, classify(before, after)]).toEqual([before, after, change])
})

test('claims are keyed by ID × storage class: one class regressing leaves the others unchanged', () => {
  const a = report([entry('Q0-01', 'passed'), entry('Q0-09', 'passed', { storageClass: 'ext4' }), entry('Q0-09', 'passed', { storageClass: 'standard' })])
  const b = report([entry('Q0-01', 'passed'), entry('Q0-09', 'failed', { storageClass: 'ext4', reason: 'expected 3 rows\nstack' }), entry('Q0-09', 'passed', { storageClass: 'standard' })])
  const d = compareRuns(a, b)
  expect(d.changes.map((k) => [k.id, k.storageClass, k.change])).toEqual([
    ['Q0-01', null, 'unchanged'], ['Q0-09', 'ext4', 'regression'], ['Q0-09', 'standard', 'unchanged'],
  ])
  expect(d.counts).toMatchObject({ regression: 1, unchanged: 2, fixed: 0 })
  expect(describeChange(d.changes[1]!)).toBe('Q0-09 [ext4]: passed → failed: expected 3 rows')
})

test('a run sorts into every category at once, ordered by claim ID (Q0-9 before Q0-10)', () => {
  const a = report([entry('Q0-10', 'passed'), entry('Q0-9', 'failed'), entry('Q1-01', 'passed'), entry('Q1-02', 'skipped'), entry('Q1-03', 'broken'), entry('Q1-04', 'passed'), entry('SC-01', 'partial')])
  const b = report([entry('Q0-10', 'broken'), entry('Q0-9', 'passed'), entry('Q1-01', 'skipped'), entry('Q1-02', 'passed'), entry('Q1-03', 'failed'), entry('SC-01', 'partial'), entry('SC-02', 'passed')])
  expect(compareRuns(a, b).changes.map((k) => `${k.id} ${k.change}`)).toEqual([
    'Q0-9 fixed', 'Q0-10 regression', 'Q1-01 lost visibility', 'Q1-02 gained visibility', 'Q1-03 still failing', 'Q1-04 missing', 'SC-01 unchanged', 'SC-02 added',
  ])
})

test('a newly failed claim that B waives is still a regression, and says it is waived', () => {
  const d = compareRuns(report([entry('Q2-01', 'passed')]), report([entry('Q2-01', 'failed', { waived: 'known on this CSI driver', reason: 'expected Bound' })]))
  expect(d.counts.regression).toBe(1)
  expect(describeChange(d.changes[0]!)).toBe('Q2-01: passed → failed: waived in B (known on this CSI driver): expected Bound')
})

const pair = (id: string, beforeMs: number, afterMs: number) => ({ id, storageClass: null, beforeMs, afterMs })

test('noise is the median absolute relative change; a shift is beyond max(3 × noise, 50 %) and 5 s', () => {
  // Ten claims jitter by ±10 %: noise 10 %, threshold 50 % (3 × 10 % is less).
  const quiet = Array.from({ length: 10 }, (_, i) => pair(`Q1-0${i}`, 20_000, i % 2 ? 22_000 : 18_000))
  const t = timingShifts([...quiet, pair('Q2-01', 20_000, 45_000), pair('Q2-02', 2_000, 6_000), pair('Q2-03', 60_000, 20_000)])
  expect(t.noise).toBeCloseTo(0.1)
  expect(t.threshold).toBe(0.5)
  expect(t.comparable).toBe(13)
  // Q2-02 tripled, but by 4 s: jitter. Q2-01 +125 %, Q2-03 −67 %, both by more than 5 s.
  expect(t.shifts.map((s) => [s.id, Math.round(100 * s.relative)])).toEqual([['Q2-01', 125], ['Q2-03', -67]])
})

test('in noisy runs the bar rises to three times the noise', () => {
  // Noise 40 %: threshold 120 %; +100 % (by 20 s) is within it, +150 % is not.
  const noisy = Array.from({ length: 9 }, (_, i) => pair(`Q1-0${i}`, 10_000, i % 2 ? 14_000 : 6_000))
  const t = timingShifts([...noisy, pair('Q3-01', 20_000, 40_000), pair('Q3-02', 20_000, 50_000)])
  expect(t.noise).toBeCloseTo(0.4)
  expect(t.threshold).toBeCloseTo(1.2)
  expect(t.shifts.map((s) => s.id)).toEqual(['Q3-02'])
})

test('only claims that passed in both runs are timed: a failure that sat out a timeout is not a shift', () => {
  const a = report([entry('Q1-01', 'passed', { durationMs: 10_000 }), entry('Q1-02', 'passed', { durationMs: 10_000 }), entry('Q1-03', 'partial', { durationMs: 10_000 })])
  const b = report([entry('Q1-01', 'passed', { durationMs: 10_500 }), entry('Q1-02', 'failed', { durationMs: 300_000 }), entry('Q1-03', 'partial', { durationMs: 90_000 })])
  const t = compareRuns(a, b).timing
  expect(t.comparable).toBe(1)
  expect(t.shifts).toEqual([])
})

test('with fewer than five claims passed in both the noise is not measured, and the bar is 50 % and 5 s', () => {
  // A median of these two would be the shift itself, and hide it.
  const t = timingShifts([pair('Q1-01', 10_000, 10_500), pair('Q1-02', 10_000, 40_000)])
  expect(t).toMatchObject({ noise: null, comparable: 2, threshold: 0.5 })
  expect(t.shifts.map((s) => s.id)).toEqual(['Q1-02'])
  expect(timingShifts([])).toEqual({ noise: null, comparable: 0, threshold: 0.5, shifts: [] })
})

const usage = (initial: number, min: number, max: number, cores = 2) =>
  ({ peakLoad: 3, cores, machineCpuSeconds: 100, suiteCpuSeconds: 10, concurrency: { initial, min, max, changes: [] } })

test('says when the timeout scale, the claims in flight or the cores differ, so timings are not like with like', () => {
  const a = report([], { timeoutScale: 1, usage: usage(3, 1, 4) })
  expect(unlikeRuns(a.run, a.run)).toEqual([])
  expect(unlikeRuns(a.run, report([], { timeoutScale: 2.5, usage: usage(4, 4, 4, 8) }).run)).toEqual([
    'timeout scale 1 in A, 2.5 in B',
    '3 claims in flight at first, 1–4 in A, 4 claims in flight in B',
    '2 cores in A, 8 in B',
  ])
  expect(unlikeRuns(a.run, report([]).run)).toEqual(['timeout scale 1 in A, not recorded in B', '3 claims in flight at first, 1–4 in A, claims in flight not recorded in B'])
})

test('warns when cluster versions, storage classes or suite versions differ', () => {
  const a = report([], { storageClasses: ['ext4', 'standard'] })
  expect(warningsOf(a, a)).toEqual([])
  const b = report([], { cluster: { server: 'https://10.0.0.1:6443', version: 'v1.37.0', nodes: 3 }, storageClasses: ['standard', 'gp3'] })
  ;(b.run as { suiteVersion?: string }).suiteVersion = '0.2.0'
  expect(warningsOf(a, b)).toEqual([
    'cluster versions differ: v1.36.3 in A, v1.37.0 in B',
    'storage classes differ: only in A ext4; only in B gp3',
    'suite versions differ: not recorded in A, 0.2.0 in B',
  ])
})

test('a report without its list of classes is taken to have the classes its claims ran on', () => {
  const a = report([entry('Q0-09', 'passed', { storageClass: 'ext4' })])
  const b = report([entry('Q0-09', 'passed', { storageClass: 'ext4' })], { storageClasses: ['ext4'] })
  expect(warningsOf(a, b)).toEqual([])
})
