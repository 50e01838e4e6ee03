import { describe, expect, test } from 'vitest'
import type { ClaimEntry } from '../../lib/report/claims.ts'
import { expectFragments } from '../../lib/report/testdata/fragments.ts'
import { catalogueCoverage, claimIdsOf, classify, expectationOf, type FaultExpectation, faultMatrix, type MatrixCell, matrixInput, mergeResults, parseRef, refMatches, rejudge, sameExpectation, withinBound, type FaultResult } from './matrix.ts'
import { detectionScore, propertyScore } from './scores.ts'

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

// A report of one coredns-down run with these cells, scored over Q0-08 and `other`: no mutant has run, and of
// the two claims the detection score counts Q0-08 alone.
const corednsReport = (cells: FaultResult['cells'], fault: Partial<FaultResult>, other: string) => ({
  generatedAt: '2026-11-30T04:00:00Z',
  cluster: 'embedded faults',
  faults: [{ ...result('coredns-down', cells), ...fault }],
  property: propertyScore(['Q0-08', other], []),
  detection: { counted: ['Q0-08'], total: 2, ratio: 0.5, faultsRun: 1, notReRun: [], reclassifiedCells: 0, missing: [{ id: other, reason: 'no component fault run so far made it fail with a message naming the component' }] },
})

test('the page shows every fault\'s column, each cell\'s mark, the score and the claims no fault broke', async () => {
  const { renderSensitivityHtml } = await import('./pages.ts')
  const cells: FaultResult['cells'] = [{ id: 'Q0-08', storageClass: null, status: 'failed', cell: 'expected failure' }, { id: 'Q0-10', storageClass: null, status: 'failed', cell: 'unexpected failure', reason: 'x <y>' }]
  expectFragments(renderSensitivityHtml(corednsReport(cells, { deviations: ['Q0-10 failed'], baselineMs: 10 }, 'Q0-10')), [
    '<th title="">coredns-down</th>',
    '✗!',
    'x &lt;y&gt;',
    'Property score: 0 of 2 claims (0 %; 0 of the 2 Q claims, 0 %), 0 mutants run',
    'Detection score: 1 of 2 claims (50 %; 1 of the 2 Q claims, 50 %), 1 component fault run',
    '<li><b>Q0-08, Q0-10</b>: no semantic mutant has been run (0 mutants run)</li>',
    '<li><b>Q0-10</b>: no component fault run so far made it fail with a message naming the component</li>',
  ])
})

test('the Markdown table has a row per fault: failed and held counts, time against the bound, deviations', async () => {
  const { renderSensitivityMarkdown } = await import('./pages.ts')
  const cells: FaultResult['cells'] = [{ id: 'Q0-08', storageClass: null, status: 'failed', cell: 'expected failure' }, { id: 'Q0-09', storageClass: null, status: 'passed', cell: 'passed' }, { id: 'Q0-10', storageClass: null, status: 'partial', cell: 'partial' }]
  expectFragments(renderSensitivityMarkdown(corednsReport(cells, { verdictMs: 30_000, baselineMs: 10_000 }, 'Q0-09')), [
    '| coredns-down | component | 1 | 1 | 1 | 30.0 s | 20.0 s ✗ | as the catalogue says |',
    '**Property score: 0 of 2 claims (0 %; 0 of the 2 Q claims, 0 %), 0 mutants run**',
    '**Detection score: 1 of 2 claims (50 %; 1 of the 2 Q claims, 50 %), 1 component fault run**',
    '| claim | coredns-down |',
    '| Q0-10 | ◐ |',
    'Not counted by the property score: **Q0-08, Q0-09** (no semantic mutant has been run (0 mutants run)).',
    'Not counted by the detection score: **Q0-09** (no component fault run so far made it fail with a message naming the component)',
  ])
})

// A stored fault run, as run.ts stores it: the claims.json entries judged by the catalogue entry, which is kept with them.
const stored = (expectation: FaultExpectation, entries: ClaimEntry[]): FaultResult =>
  ({ ...result(expectation.name, []), kind: expectation.kind ?? 'component', expectation: expectationOf(expectation), ...faultMatrix(expectationOf(expectation), entries.map(matrixInput)) })

test('a cell keeps the step that threw and the whole messages of its claims.json entry', () => {
  const e: ClaimEntry = { ...entry('Q0-08', 'broken', null, 'timed out waiting for web-0.web'), failedStep: { keyword: 'Given', title: 'g' }, messages: ['timed out waiting for web-0.web\nis the cluster DNS (CoreDNS) running?'] }
  expect(faultMatrix(coredns, [matrixInput(e)]).cells[0]).toMatchObject({ step: 'Given', messages: ['timed out waiting for web-0.web\nis the cluster DNS (CoreDNS) running?'] })
})

test('under a semantic mutant, a claim it must make fail that broke in its Given or When step is a deviation', () => {
  const mutant: FaultExpectation = { name: 'sts-ascending-rollout', kind: 'mutant', mustBreak: ['Q0-10', 'Q3-09'] }
  const m = faultMatrix(mutant, [
    { id: 'Q0-10', storageClass: null, status: 'failed', step: 'Then', reason: 'expected [podinfo-1, podinfo-0], seen [podinfo-0, podinfo-1]' },
    { id: 'Q3-09', storageClass: null, status: 'broken', step: 'Given', reason: 'gave up waiting for pod web-2 to be Ready' },
  ])
  expect(m.cells.map((c) => c.cell)).toEqual(['expected failure', 'expected failure'])
  expect(m.deviations).toEqual(['Q3-09 broken in its Given step under sts-ascending-rollout, which must make it failed in a Then or And step: gave up waiting for pod web-2 to be Ready'])
  // The same broken claim under a component fault is what the catalogue says.
  expect(faultMatrix({ ...mutant, kind: 'component' }, [{ id: 'Q3-09', storageClass: null, status: 'broken', step: 'Given' }]).deviations).toEqual([])
})

test('under a semantic mutant, a claim it breaks before looking (alsoBreaks, not mustFail) may be broken; one of mustFail may not', () => {
  const mutant = expectationOf({ name: 'pv-never-released', kind: 'mutant', mustBreak: ['Q2-05', 'Q1-16'], mustFail: { 'Q2-05': 'the volume stays Bound' } })
  expect(mutant.mustLook).toEqual(['Q2-05'])
  const broken = (id: string) => ({ id, storageClass: null, status: 'broken' as const, step: 'Given' as const, reason: 'timed out waiting for volume to be Released' })
  expect(faultMatrix(mutant, [{ id: 'Q2-05', storageClass: null, status: 'failed', step: 'Then' }, broken('Q1-16')]).deviations).toEqual([])
  expect(faultMatrix(mutant, [broken('Q2-05'), broken('Q1-16')]).deviations).toEqual(['Q2-05 broken in its Given step under pv-never-released, which must make it failed in a Then or And step: timed out waiting for volume to be Released'])
})

describe('a stored run judged again by the catalogue as it is now (--report)', () => {
  const asRun: FaultExpectation = { name: 'wiped-volumes', component: 'standard\'s volumes', names: [], mustBreak: ['Q1-04 [standard]'], mayBreak: ['Q1-10 [standard]', 'SC-02 [standard]'] }
  const run = stored(asRun, [entry('Q1-04', 'failed', 'standard', 'lost'), entry('Q1-10', 'passed', 'standard'), entry('SC-02', 'passed', 'standard')])

  test('with the entry it ran with: nothing is marked reclassified', () => {
    const again = rejudge(run, asRun)
    expect(again.reclassifiedAgainst).toBeUndefined()
    expect(again.cells.filter((c) => c.reclassified)).toEqual([])
    expect(again.cells).toEqual(run.cells)
  })

  test('with an entry edited since: each cell classed otherwise is marked with what the run made it, and the result with the entry', () => {
    const edited: FaultExpectation = { ...asRun, mustBreak: ['Q1-04 [standard]', 'Q1-10 [standard]'], mayBreak: ['SC-02 [standard]'] }
    const again = rejudge(run, edited)
    expect(again.reclassifiedAgainst).toMatchObject({ mustBreak: ['Q1-04 [standard]', 'Q1-10 [standard]'] })
    expect(again.expectation).toEqual(run.expectation)
    expect(again.cells.map((c) => [c.id, c.cell, c.reclassified?.ranAs])).toEqual([
      ['Q1-04', 'expected failure', undefined], ['Q1-10', 'missed', 'passed'], ['SC-02', 'passed', undefined],
    ])
    expect(again.deviations).toEqual(['Q1-10 [standard] passed under wiped-volumes, which must break it'])
  })

  test('judged again and again, a cell keeps the class the run gave it; back to the run\'s entry, the marks go', () => {
    const edited: FaultExpectation = { ...asRun, mustBreak: [...asRun.mustBreak, 'Q1-10 [standard]'] }
    const twice = rejudge(rejudge(run, edited), { ...edited, mayBreak: [] })
    expect(twice.cells.find((c) => c.id === 'Q1-10')?.reclassified).toEqual({ ranAs: 'passed' })
    const back = rejudge(twice, asRun)
    expect(back.reclassifiedAgainst).toBeUndefined()
    expect(back.cells.filter((c) => c.reclassified)).toEqual([])
  })

  test('a run stored without its entry is marked judged against one it did not store, even where no cell changes', () => {
    const { expectation: _dropped, ...old } = run
    expect(rejudge(old, asRun).reclassifiedAgainst).toEqual(expectationOf(asRun))
  })

  test('a changed kind or wording is an edited entry too', () => {
    expect(rejudge(run, { ...asRun, names: ['No such file'] }).reclassifiedAgainst).toBeDefined()
    expect(rejudge(run, { ...asRun, kind: 'mutant' }).kind).toBe('mutant')
    expect(rejudge(run, { ...asRun, mustBreak: [...asRun.mustBreak].reverse() }).reclassifiedAgainst).toBeUndefined()
  })
})

test('the pages mark a reclassified cell and the fault judged against an edited entry', async () => {
  const { renderSensitivityHtml, renderSensitivityMarkdown } = await import('./pages.ts')
  const asRun: FaultExpectation = { name: 'coredns-down', component: 'CoreDNS', mustBreak: [] }
  const again = rejudge(stored(asRun, [entry('Q0-08', 'passed')]), { ...asRun, mustBreak: ['Q0-08'] })
  const cells: MatrixCell[] = again.cells
  expect(cells[0]).toMatchObject({ cell: 'missed', reclassified: { ranAs: 'passed' } })
  const report = { generatedAt: 'now', cluster: 'c', faults: [again], property: propertyScore(['Q0-08'], [again]), detection: detectionScore(['Q0-08'], [again]) }
  expectFragments(renderSensitivityHtml(report), [
    '✓!↺</td>',
    'reclassified from the stored run, which was judged passed; not re-run',
    'judged from the stored run against a catalogue entry edited since: not re-run',
  ])
  expectFragments(renderSensitivityMarkdown(report), [
    '| Q0-08 | ✓!↺ |',
    'judged from the stored run against a catalogue entry edited since: not re-run',
    '**Detection score: 0 of 1 claims (0 %; 0 of the 1 Q claims, 0 %), 1 component fault run; 1 cell reclassified from stored runs against a catalogue edited since, not re-run**',
  ])
})

test('a mutant entry stored before mustLook existed is the same expectation as one looking at exactly what it must break; one looking at fewer is an edit', () => {
  const stored: FaultExpectation = { name: 'sts-partition-ignored', kind: 'mutant', mustBreak: ['Q3-09'] }
  expect(sameExpectation(stored, expectationOf({ ...stored, mustFail: { 'Q3-09': 'the partition is not honoured' } }))).toBe(true)
  const withAlsoBreaks = expectationOf({ ...stored, mustBreak: ['Q3-09', 'Q1-16'], mustFail: { 'Q3-09': 'x' } })
  expect(sameExpectation({ ...stored, mustBreak: ['Q3-09', 'Q1-16'] }, withAlsoBreaks)).toBe(false)
})
