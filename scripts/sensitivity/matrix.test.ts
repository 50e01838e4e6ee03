import { expect, test } from 'vitest'
import type { ClaimEntry } from '../../lib/report/claims.ts'
import { catalogueCoverage, claimIdsOf, classify, faultMatrix, mergeResults, mutationScore, parseRef, refMatches, withinBound, type FaultResult } from './matrix.ts'

const entry = (id: string, status: ClaimEntry['status'], storageClass: string | null = null, reason?: string): ClaimEntry =>
  ({ id, title: id, status, storageClass, durationMs: 1, ...(reason ? { reason } : {}) })

const coredns = { name: 'coredns-down', mustBreak: ['Q0-08', 'Q1-09 [standard]'], mayBreak: ['Q3-04'] }

test('a reference names a claim on every class, or on one', () => {
  expect(parseRef('Q1-08')).toEqual({ id: 'Q1-08' })
  expect(parseRef('SC-09 [standard]')).toEqual({ id: 'SC-09', storageClass: 'standard' })
  expect(() => parseRef('Q1-8')).toThrow(/not a claim reference/)
  expect(refMatches('Q1-09 [standard]', { id: 'Q1-09', storageClass: 'ext4' })).toBe(false)
  expect(refMatches('Q1-09', { id: 'Q1-09', storageClass: 'ext4' })).toBe(true)
})

test('each entry lands in the cell its expectation and its status say', () => {
  expect(classify(coredns, entry('Q0-08', 'failed'))).toBe('expected failure')
  expect(classify(coredns, entry('Q0-08', 'passed'))).toBe('missed')
  expect(classify(coredns, entry('Q0-08', 'partial'))).toBe('missed')
  expect(classify(coredns, entry('Q0-08', 'broken'))).toBe('expected failure')
  expect(classify(coredns, entry('Q3-04', 'failed', 'standard'))).toBe('failed')
  expect(classify(coredns, entry('Q3-04', 'passed', 'standard'))).toBe('passed')
  expect(classify(coredns, entry('Q0-10', 'failed'))).toBe('unexpected failure')
  expect(classify(coredns, entry('Q1-09', 'failed', 'ext4'))).toBe('unexpected failure')
  expect(classify(coredns, entry('Q0-08', 'skipped'))).toBe('skipped')
})

test('under a fault that must leave a claim alone (a restart), partial is its own cell, never counted as passed', () => {
  const restart = { name: 'apiserver-restart', mustBreak: [] }
  const m = faultMatrix(restart, [entry('Q0-10', 'partial', null, 'not checked on this cluster: pod watch has a gap'), entry('Q0-11', 'passed')])
  expect(m.cells.map((c) => `${c.id} ${c.cell}`)).toEqual(['Q0-10 partial', 'Q0-11 passed'])
  expect(m.deviations).toEqual([])
  expect(faultMatrix(coredns, [entry('Q0-08', 'partial')]).deviations).toEqual(['Q0-08 partial under coredns-down, which must break it'])
})

test('the matrix names every deviation from the catalogue and the claims its files did not run', () => {
  const m = faultMatrix(coredns, [entry('Q0-08', 'passed'), entry('Q0-10', 'failed', null, 'pod podinfo-0 never Ready\nstack')])
  expect(m.deviations).toEqual([
    'Q0-08 passed under coredns-down, which must break it',
    'Q0-10 failed, which coredns-down should leave alone: pod podinfo-0 never Ready',
  ])
  expect(m.notRun).toEqual(['Q1-09 [standard]'])
  expect(faultMatrix(coredns, [entry('Q0-08', 'failed'), entry('Q1-09', 'failed', 'standard')]).deviations).toEqual([])
})

test('a claim the fault must break is a deviation when skipped, or when its file ran and it has no verdict', () => {
  const m = faultMatrix(coredns, [entry('Q0-08', 'skipped', null, 'needs 2 nodes')], ['Q0-08', 'Q1-09'])
  expect(m.deviations).toEqual([
    'Q0-08 skipped under coredns-down, which must break it: needs 2 nodes',
    'Q1-09 [standard]: its spec file ran under coredns-down, which must break it, and it has no verdict at all',
  ])
  expect(m.notRun).toEqual([])
})

const result = (name: string, cells: FaultResult['cells']): FaultResult =>
  ({ name, component: '', breaks: '', specs: [], startedAt: '', verdictMs: 1, exitCode: 1, healthyAfter: true, cells, notRun: [], deviations: [] })

test('the mutation score counts a claim once, whichever fault broke it and on whichever class', () => {
  const runs = [
    result('a', [{ id: 'Q0-08', storageClass: null, status: 'failed', cell: 'expected failure' }, { id: 'Q0-10', storageClass: null, status: 'failed', cell: 'unexpected failure' }]),
    result('b', [{ id: 'Q0-08', storageClass: null, status: 'failed', cell: 'expected failure' }, { id: 'SC-02', storageClass: 'standard', status: 'failed', cell: 'failed' }]),
  ]
  const s = mutationScore(['Q0-08', 'Q0-10', 'SC-02', 'SC-04'], runs, { 'SC-04': 'no class offers expansion' })
  expect(s.broken).toEqual(['Q0-08', 'SC-02'])
  expect(s.ratio).toBe(0.5)
  expect(s.unbroken).toEqual([{ id: 'Q0-10', reason: 'no fault run so far broke it' }, { id: 'SC-04', reason: 'no class offers expansion' }])
})

test('catalogue coverage: the claims some fault promises to break', () => {
  expect(catalogueCoverage(['Q0-08', 'Q1-09', 'Q0-10'], [coredns])).toEqual({ covered: ['Q0-08', 'Q1-09'], ratio: 2 / 3 })
})

test('claim IDs are read from the tables of claims.md', () => {
  expect(claimIdsOf('| ID | claim |\n|---|---|\n| Q0-01 | A Deployment … |\n| SC-12 | RWX … |\nQ9-99 in prose\n')).toEqual(['Q0-01', 'SC-12'])
})

test('a stored result read again against a tuned catalogue loses the deviation the tuning explained', () => {
  const stored = faultMatrix(coredns, [entry('Q0-08', 'passed')])
  expect(stored.deviations).toHaveLength(1)
  expect(faultMatrix({ name: 'coredns-down', mustBreak: [] }, stored.cells).deviations).toEqual([])
})

test('a later run replaces the results of the faults it ran and keeps the others', () => {
  const merged = mergeResults([result('a', []), result('b', [])], [{ ...result('b', []), verdictMs: 7 }])
  expect(merged.map((r) => [r.name, r.verdictMs])).toEqual([['a', 1], ['b', 7]])
})

test('the time to verdict is bounded by twice the healthy run, when one was measured', () => {
  expect(withinBound({ verdictMs: 200, baselineMs: 100 })).toBe(true)
  expect(withinBound({ verdictMs: 201, baselineMs: 100 })).toBe(false)
  expect(withinBound({ verdictMs: 201 })).toBeUndefined()
})

test('the page shows every fault\'s column, each cell\'s mark, the score and the claims no fault broke', async () => {
  const { renderSensitivityHtml } = await import('./pages.ts')
  const html = renderSensitivityHtml({
    generatedAt: '2026-11-30T04:00:00Z',
    cluster: 'embedded faults',
    faults: [{ ...result('coredns-down', [{ id: 'Q0-08', storageClass: null, status: 'failed', cell: 'expected failure' }, { id: 'Q0-10', storageClass: null, status: 'failed', cell: 'unexpected failure', reason: 'x <y>' }]), deviations: ['Q0-10 failed'], baselineMs: 10 }],
    score: { broken: ['Q0-08'], total: 2, ratio: 0.5, unbroken: [{ id: 'Q0-10', reason: 'no fault run so far broke it' }] },
  })
  expect(html).toContain('<th title="">coredns-down</th>')
  expect(html).toContain('✗!')
  expect(html).toContain('x &lt;y&gt;')
  expect(html).toContain('Mutation score: 1 of 2 claims (50 %)')
  expect(html).toContain('<li><b>Q0-10</b>: no fault run so far broke it</li>')
})

test('the Markdown table has a row per fault: failed and held counts, time against the bound, deviations', async () => {
  const { renderSensitivityMarkdown } = await import('./pages.ts')
  const md = renderSensitivityMarkdown({
    generatedAt: '2026-11-30T04:00:00Z',
    cluster: 'embedded faults',
    faults: [{ ...result('coredns-down', [{ id: 'Q0-08', storageClass: null, status: 'failed', cell: 'expected failure' }, { id: 'Q0-09', storageClass: null, status: 'passed', cell: 'passed' }, { id: 'Q0-10', storageClass: null, status: 'partial', cell: 'partial' }]), verdictMs: 30_000, baselineMs: 10_000 }],
    score: { broken: ['Q0-08'], total: 2, ratio: 0.5, unbroken: [{ id: 'Q0-09', reason: 'no fault run so far broke it' }] },
  })
  expect(md).toContain('| coredns-down | 1 | 1 | 1 | 30.0 s | 20.0 s ✗ | as the catalogue says |')
  expect(md).toContain('**1 of 2 claims (50 %)**')
  expect(md).toContain('**Q0-09** (no fault run so far broke it)')
})
