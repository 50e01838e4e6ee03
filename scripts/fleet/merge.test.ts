import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { entry, report } from '../diff/testdata/build.ts'
import { buildFleet, type ChildEnd, type ClusterResult, describeFleet, fleetExitCode } from './merge.ts'

const times = { startedAt: '2026-12-05T18:00:00.000Z', finishedAt: '2026-12-05T18:40:00.000Z' }
const ended = (o: Partial<ChildEnd> = {}): ChildEnd => ({ exitCode: 0, signal: null, interrupted: false, tail: [], durationMs: 600_000, ...o })
const ran = (label: string, r: ClaimsReport, end: Partial<ChildEnd> = {}): ClusterResult => ({ target: { label, context: label }, end: ended(end), report: r })

const dev = report([
  entry('Q0-01', 'passed'),
  entry('Q0-12', 'passed', { storageClass: 'standard' }),
  entry('Q0-12', 'partial', { storageClass: 'fast', reason: 'not checked on this cluster: expansion' }),
  entry('SC-02', 'skipped', { storageClass: 'fast', reason: 'no Block' }),
], { storageClasses: ['fast', 'standard'] })
const prod = report([
  entry('Q0-01', 'failed', { reason: 'expected 1 pod, saw 2', failedStep: { keyword: 'Then', title: 'one pod' } }),
  entry('Q0-10', 'broken', { reason: 'gave up waiting' }),
  entry('Q0-12', 'failed', { storageClass: 'gp3', waived: 'gp3 rounds sizes up' }),
], { storageClasses: ['gp3'] })

test('the rows are every claim of any cluster in claims.md\'s order; each cluster\'s cells are by class, or one for a class-independent claim', () => {
  const f = buildFleet([ran('dev', dev), ran('prod', prod, { exitCode: 1 })], times)
  expect(f.groups.map((g) => [g.group, g.rows.map((r) => r.id)])).toEqual([['Q0', ['Q0-01', 'Q0-10', 'Q0-12']], ['SC', ['SC-02']]])
  const [q01, q10, q12] = f.groups[0]!.rows
  expect(q01!.byCluster).toEqual({
    dev: { '': { status: 'passed', href: 'dev/index.html#Q0-01' } },
    prod: { '': { status: 'failed', href: 'prod/index.html#Q0-01', reason: 'in Then "one pod": expected 1 pod, saw 2' } },
  })
  expect(q10!.byCluster).toEqual({ prod: { '': { status: 'broken', href: 'prod/index.html#Q0-10', reason: 'outside its steps (a fixture, code between steps, or the clean-up): gave up waiting' } } })
  expect(q12!.byCluster.dev).toEqual({
    standard: { status: 'passed', href: 'dev/index.html#Q0-12-standard' },
    fast: { status: 'partial', href: 'dev/index.html#Q0-12-fast', reason: 'not checked on this cluster: expansion' },
  })
  expect(q12!.byCluster.prod!.gp3).toMatchObject({ status: 'failed', waived: 'gp3 rounds sizes up' })
  expect(f.clusters.map((c) => [c.label, c.state, c.classes, c.ok, c.report])).toEqual([
    ['dev', 'reported', ['fast', 'standard'], true, 'dev/index.html'],
    ['prod', 'reported', ['gp3'], false, 'prod/index.html'],
  ])
  expect(f.clusters[1]!.totals).toEqual({ passed: 0, partial: 0, failed: 2, broken: 1, skipped: 0, waived: 1 })
  // A waived failure does not fail the fleet; the others do, by cluster.
  expect(f.failing).toEqual([
    { cluster: 'prod', id: 'Q0-01', storageClass: null, status: 'failed' },
    { cluster: 'prod', id: 'Q0-10', storageClass: null, status: 'broken' },
  ])
  expect(fleetExitCode(f)).toBe(1)
  expect(describeFleet(f)).toBe('2 clusters: 2 reported; 2 claims failed or broken (prod: Q0-01, Q0-10)')
})

test('a cluster whose setup refused it (exit 2, no claims.json) is a column saying why, and fails the fleet without stopping the others', () => {
  const refused: ClusterResult = {
    target: { label: 'embedded-prod', embedded: 'prod' },
    end: ended({ exitCode: 2, durationMs: 4_000, tail: [{ stream: 'err', text: 'stateful-conformance: the embedded cluster did not come up: etcd exited' }] }),
  }
  const f = buildFleet([ran('dev', dev), refused], times)
  expect(f.clusters[1]).toEqual({
    label: 'embedded-prod', target: 'the embedded cluster\'s instance prod', state: 'preflight failed', reason: 'the embedded cluster did not come up: etcd exited',
    exitCode: 2, durationMs: 4_000, classes: [], ok: false,
  })
  expect(f.groups.flatMap((g) => g.rows.map((r) => Object.keys(r.byCluster)))).toEqual([['dev'], ['dev'], ['dev']])
  expect(f.failing).toEqual([])
  expect(fleetExitCode(f)).toBe(1)
  expect(describeFleet(f)).toBe('2 clusters: 1 reported, 1 preflight failed; 0 claims failed or broken')
  expect(fleetExitCode(buildFleet([ran('dev', dev)], times))).toBe(0)
})

test('no report otherwise: interrupted, another exit, an unreadable claims.json; a report with an exit no failure explains says so', () => {
  const none = (end: Partial<ChildEnd>, reportProblem?: string): ClusterResult => ({ target: { label: 'x', context: 'x' }, end: ended(end), ...(reportProblem ? { reportProblem } : {}) })
  const tail = [{ stream: 'err' as const, text: 'Error: worker exited unexpectedly' }]
  const states = buildFleet([
    none({ exitCode: 130, interrupted: true, tail: [{ stream: 'err', text: 'stateful-conformance: SIGINT: removing what run abc made, in the background' }] }),
    none({ exitCode: 1, tail }),
    none({ exitCode: null, signal: 'SIGKILL', tail }),
    none({ exitCode: 1 }, 'x/claims.json: not JSON (Unexpected end of JSON input)'),
    ran('y', dev, { exitCode: 1, tail: [{ stream: 'err', text: 'stateful-conformance: namespaces still terminating after 180s: sc-q0-1 (npm run clean removes them)' }] }),
  ], times).clusters.map((c) => [c.state, c.reason, c.ok])
  expect(states).toEqual([
    ['interrupted', 'stopped before its report was written (its last words: SIGINT: removing what run abc made, in the background)', false],
    ['ended without a report', 'vitest exited 1 before writing claims.json: Error: worker exited unexpectedly', false],
    ['ended without a report', 'vitest was ended by SIGKILL before writing claims.json: Error: worker exited unexpectedly', false],
    ['ended without a report', 'x/claims.json: not JSON (Unexpected end of JSON input)', false],
    ['reported', 'its run exited 1 although no claim failed: namespaces still terminating after 180s: sc-q0-1 (npm run clean removes them)', false],
  ])
})

test('two real runs of the cloud shape: every claim × class of each is a cell, linked to an anchor of its own report', () => {
  const cloud = JSON.parse(readFileSync(new URL('../../lib/report/testdata/cloud2-claims.json', import.meta.url), 'utf8')) as ClaimsReport
  const f = buildFleet([ran('a', cloud), ran('b', cloud)], times)
  const cells = f.groups.flatMap((g) => g.rows.flatMap((r) => Object.values(r.byCluster.a ?? {})))
  expect(cells).toHaveLength(cloud.claims.length)
  expect(f.groups.flatMap((g) => g.rows)).toHaveLength(new Set(cloud.claims.map((e) => e.id)).size)
  expect(new Set(cells.map((c) => c.href)).size).toBe(cloud.claims.length)
  expect(f.clusters[0]!.totals).toMatchObject({ passed: 118, partial: 1, skipped: 16 })
  expect(fleetExitCode(f)).toBe(0)
})
