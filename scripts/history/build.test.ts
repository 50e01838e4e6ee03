import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import type { ClaimEntry, ClaimsReport, ClaimStatus } from '../../lib/report/claims.ts'
import { entry, report } from '../diff/testdata/build.ts'
import { buildHistory, type Cell, describeChanged, flakeOf, type StoredRun, seriesOf } from './build.ts'

const kind = { server: 'https://127.0.0.1:41235', version: 'v1.36.3', nodes: 1, context: 'kind-stateful-conformance' }
const stored = (label: string, startedAt: string, claims: ClaimEntry[], run: Partial<ClaimsReport['run']> = {}): StoredRun =>
  ({ label, runId: null, report: report(claims, { startedAt, cluster: kind, ...run }) })
const cells = (...statuses: (ClaimStatus | null)[]): (Cell | null)[] => statuses.map((s) => (s ? { status: s } : null))
const night = (n: number) => `2026-12-0${n}T02:23:00.000Z`

test('runs are named r1, r2, … in the order they started, whatever order they were given in', () => {
  const h = buildHistory([stored('c', night(3), []), stored('a', night(1), []), stored('b', night(2), [])])
  expect(h.runs.map((r) => [r.name, r.label])).toEqual([['r1', 'a'], ['r2', 'b'], ['r3', 'c']])
})

test('a cluster is its context (or server), its Kubernetes minor and its node count: a patch release stays in the series; DR runs are apart', () => {
  // Four started at once (then in label order), the patched one a night later.
  const h = buildHistory([
    stored('136', night(1), [entry('Q0-01', 'passed')]),
    stored('136-patched', night(2), [entry('Q0-01', 'passed')], { cluster: { ...kind, version: 'v1.36.4' } }),
    stored('137', night(1), [entry('Q0-01', 'passed')], { cluster: { ...kind, version: 'v1.37.0' } }),
    stored('137-three-nodes', night(1), [entry('Q0-01', 'passed')], { cluster: { ...kind, version: 'v1.37.0', nodes: 3 } }),
    stored('no-context', night(1), [entry('Q0-01', 'passed')], { cluster: { server: 'https://10.0.0.1:6443', version: 'v1.30.2-eks-1234', nodes: 2 } }),
  ])
  expect(h.series.map((s) => [s.key, s.runs])).toEqual([
    ['https://10.0.0.1:6443 · Kubernetes v1.30 · 2 nodes', ['r4']],
    ['kind-stateful-conformance · Kubernetes v1.36 · 1 node', ['r1', 'r5']],
    ['kind-stateful-conformance · Kubernetes v1.37 · 1 node', ['r2']],
    ['kind-stateful-conformance · Kubernetes v1.37 · 3 nodes', ['r3']],
  ])
  expect(seriesOf(report([], { cluster: { ...kind, version: 'unknown' } }))).toBe('kind-stateful-conformance · Kubernetes unknown · 1 node')
  // The DR claims run alone on the same cluster: a series of their own.
  expect(seriesOf(report([entry('DR-01', 'passed'), entry('DR-02', 'skipped')], { cluster: kind }))).toBe('kind-stateful-conformance · Kubernetes v1.36 · 1 node · DR claims')
  expect(seriesOf(report([entry('DR-01', 'passed'), entry('Q0-01', 'passed')], { cluster: kind }))).toBe('kind-stateful-conformance · Kubernetes v1.36 · 1 node')
})

test('the flake rate counts held (passed, partial) against not held (failed, broken) between consecutive runs; skipped and not run are left out', () => {
  expect(flakeOf(cells('passed', 'failed', 'passed', 'broken', 'passed'))).toEqual({ changes: 4, pairs: 4, rate: 1 })
  expect(flakeOf(cells('passed', 'skipped', null, 'passed', 'skipped'))).toEqual({ changes: 0, pairs: 1, rate: 0 })
  // partial → passed and failed → broken are no change of outcome.
  expect(flakeOf(cells('partial', 'passed', 'partial'))).toEqual({ changes: 0, pairs: 2, rate: 0 })
  expect(flakeOf(cells('failed', 'broken', 'failed'))).toEqual({ changes: 0, pairs: 2, rate: 0 })
  // A claim that broke once for good: one change among its pairs.
  expect(flakeOf(cells('passed', 'passed', 'passed', 'failed', 'failed'))).toEqual({ changes: 1, pairs: 4, rate: 0.25 })
  expect(flakeOf(cells('skipped', 'skipped', 'failed'))).toEqual({ changes: 0, pairs: 0, rate: null })
  expect(flakeOf(cells())).toEqual({ changes: 0, pairs: 0, rate: null })
})

test('a break is a failed or broken run right after the run of its cluster that held the claim, skipped runs passed over, naming what changed', () => {
  const h = buildHistory([
    stored('n1', night(1), [entry('Q0-01', 'passed'), entry('Q0-02', 'failed'), entry('Q0-03', 'partial')], { suiteVersion: '0.1.0 (git 1a2b3c4)' }),
    stored('n2', night(2), [entry('Q0-01', 'skipped'), entry('Q0-02', 'broken'), entry('Q0-03', 'broken')], { suiteVersion: '0.1.0 (git 1a2b3c4)' }),
    stored('n3', night(3), [entry('Q0-01', 'failed'), entry('Q0-02', 'passed'), entry('Q0-03', 'passed')],
      { suiteVersion: '0.1.0 (git 5d6e7f8)', cluster: { ...kind, version: 'v1.36.4' } }),
    stored('n4', night(4), [entry('Q0-02', 'failed')], { cluster: { ...kind, version: 'v1.36.4' } }),
  ])
  const rows = Object.fromEntries(h.series[0]!.rows.map((r) => [r.id, r]))
  // Q0-01 passed, was skipped, then failed: the break is against the run that passed, two versions changed since.
  expect(rows['Q0-01']!.breaks).toEqual([{ run: 'r3', after: 'r1', status: 'failed', changed: {
    suiteVersion: { from: '0.1.0 (git 1a2b3c4)', to: '0.1.0 (git 5d6e7f8)' }, clusterVersion: { from: 'v1.36.3', to: 'v1.36.4' } } }])
  expect(rows['Q0-01']!.failingNow).toBe(true)
  // Q0-02 failed in its first two runs (no break: it had not held), held in r3, failed in r4, whose suite version is not recorded.
  expect(rows['Q0-02']!.breaks).toEqual([{ run: 'r4', after: 'r3', status: 'failed', changed: { suiteVersion: { from: '0.1.0 (git 5d6e7f8)', to: null } } }])
  // Q0-03: a partial run holds; it broke in r2 with nothing changed, and held again since.
  expect(rows['Q0-03']!).toMatchObject({ breaks: [{ run: 'r2', after: 'r1', status: 'broken', changed: {} }], failingNow: false })
  expect(rows['Q0-03']!.cells.at(-1)).toBeNull()
  expect(describeChanged(rows['Q0-01']!.breaks[0]!.changed)).toBe('suite 0.1.0 (git 1a2b3c4) → 0.1.0 (git 5d6e7f8), Kubernetes v1.36.3 → v1.36.4')
  expect(describeChanged(rows['Q0-02']!.breaks[0]!.changed)).toBe('suite 0.1.0 (git 5d6e7f8) → not recorded')
  expect(describeChanged({})).toBe('suite and Kubernetes versions unchanged')
})

test('a claim failing in every run it had is failing now, with no break: it never held', () => {
  const h = buildHistory([stored('n1', night(1), [entry('Q0-01', 'broken')]), stored('n2', night(2), [entry('Q0-01', 'failed')])])
  expect(h.series[0]!.rows[0]).toMatchObject({ breaks: [], failingNow: true, flake: { changes: 0, pairs: 1, rate: 0 } })
})

test('a cell keeps the step and the reason of a verdict that is not plainly passed, cut at 300 characters', () => {
  const h = buildHistory([stored('n1', night(1), [
    entry('Q0-01', 'failed', { reason: 'expected 1, saw 2', failedStep: { keyword: 'Then', title: 'one pod' } }),
    entry('Q0-02', 'skipped', { reason: 'one schedulable node' }),
    entry('Q0-03', 'passed', { reason: 'not shown' }),
    entry('Q0-04', 'broken', { reason: 'x'.repeat(400) }),
  ])])
  const [a, b, c, d] = h.series[0]!.rows.map((r) => r.cells[0])
  expect(a).toEqual({ status: 'failed', reason: 'in Then "one pod": expected 1, saw 2' })
  expect(b).toEqual({ status: 'skipped', reason: 'one schedulable node' })
  expect(c).toEqual({ status: 'passed' })
  expect(d!.reason).toHaveLength(301)
  expect(d!.reason).toMatch(/^outside its steps .*x…$/)
})

test('rows are claim by claim in ID order (Q0-9 before Q0-10), a claim not per class first, each class after', () => {
  const h = buildHistory([stored('n1', night(1), [entry('Q0-10', 'passed'), entry('Q0-9', 'passed', { storageClass: 'b' }), entry('Q0-9', 'passed', { storageClass: 'a' }), entry('Q0-9', 'passed')])])
  expect(h.series[0]!.rows.map((r) => [r.id, r.storageClass])).toEqual([['Q0-9', null], ['Q0-9', 'a'], ['Q0-9', 'b'], ['Q0-10', null]])
})

test('a run stored twice (the same run record) counts once, with a warning naming both; another run started at the same time counts', () => {
  const h = buildHistory([stored('artifacts/1/reports', night(1), []), stored('reports', night(1), []), stored('other', night(2), []),
    stored('another class', night(1), [], { storageClasses: ['gp3'] })])
  expect(h.runs.map((r) => r.label)).toEqual(['another class', 'artifacts/1/reports', 'other'])
  expect(h.warnings).toEqual(['reports is artifacts/1/reports again (started 2026-12-01T02:23:00.000Z on kind-stateful-conformance): counted once'])
})

test('the three stored nightly runs of testdata: three breaks, the Kubernetes patch release and the new commit named', () => {
  const nights = [1, 2, 3].map((n) => {
    const label = `nightly/1234560${n}/reports-kubernetes-1.36`
    return { label, runId: null, report: JSON.parse(readFileSync(new URL(`./testdata/${label}/claims.json`, import.meta.url), 'utf8')) as ClaimsReport }
  })
  const h = buildHistory(nights)
  expect(h.series).toHaveLength(1)
  const broken = h.series[0]!.rows.filter((r) => r.breaks.length).map((r) => `${r.id} ${r.storageClass ?? ''} ${r.breaks.map((b) => `${b.run} ${describeChanged(b.changed)}`)}`)
  expect(broken).toEqual([
    'Q0-04  r2 Kubernetes v1.36.3 → v1.36.4',
    'Q0-10  r3 suite 0.1.0 (git 1a2b3c4) → 0.1.0 (git 5d6e7f8)',
    'Q0-12 standard r2 Kubernetes v1.36.3 → v1.36.4',
  ])
  expect(h.series[0]!.rows.find((r) => r.id === 'Q1-05' && r.storageClass === 'standard')!.flake.rate).toBeNull()
})
