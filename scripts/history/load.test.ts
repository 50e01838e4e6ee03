import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { expect, test } from 'vitest'
import { entry, report } from '../diff/testdata/build.ts'
import { BadInput, claimsFilesOf, loadRuns } from './load.ts'

const dir = mkdtempSync(join(tmpdir(), 'history-load-'))
const shown = (p: string) => relative(dir, p)
const put = (path: string, content: unknown) => {
  mkdirSync(join(dir, path, '..'), { recursive: true })
  writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content))
  return join(dir, path)
}
const thrown = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error('did not throw')
}

test('a folder of runs (a nightly\'s artifacts) gives every claims.json in it or below it, in name order', () => {
  put('nightly/2/reports-multi-node/claims.json', report([entry('Q0-01', 'passed')]))
  put('nightly/2/reports-multi-node/disruption/claims.json', report([entry('DR-01', 'passed')]))
  put('nightly/1/reports-kubernetes-1.36/claims.json', report([entry('Q0-01', 'failed')]))
  put('nightly/1/reports-kubernetes-1.36/datasheets/standard.json', { format: 'not a run' })
  put('nightly/1/reports-kubernetes-1.36/Q0-01 a test/events.txt', 'diagnostics')
  expect(claimsFilesOf(join(dir, 'nightly')).files.map(shown)).toEqual([
    'nightly/1/reports-kubernetes-1.36/claims.json',
    'nightly/2/reports-multi-node/claims.json',
    'nightly/2/reports-multi-node/disruption/claims.json',
  ])
  expect(loadRuns(join(dir, 'nightly'), shown).runs.map((r) => [r.label, r.report.claims[0]!.id])).toEqual([
    ['nightly/1/reports-kubernetes-1.36', 'Q0-01'], ['nightly/2/reports-multi-node', 'Q0-01'], ['nightly/2/reports-multi-node/disruption', 'DR-01'],
  ])
})

test('a reports folder and a claims.json are one run; the run ID is read from .run.json beside it when it was kept', () => {
  const file = put('reports/claims.json', report([entry('Q0-01', 'passed')]))
  put('reports/.run.json', { startedAt: '2026-12-05T18:00:00.000Z', runId: 'mitx0k2a-3f9c' })
  put('renamed.json', report([entry('Q0-02', 'passed')]))
  expect(loadRuns(join(dir, 'reports'), shown).runs).toMatchObject([{ label: 'reports', runId: 'mitx0k2a-3f9c', report: { claims: [{ id: 'Q0-01' }] } }])
  expect(loadRuns(file, shown).runs).toMatchObject([{ label: 'reports', runId: 'mitx0k2a-3f9c' }])
  expect(loadRuns(join(dir, 'renamed.json'), shown).runs).toMatchObject([{ label: 'renamed.json', runId: null }])
})

test('npm run sensitivity\'s runs (clusters broken on purpose) are passed over inside a folder, and named; given by name, they are read', () => {
  put('local/reports/claims.json', report([entry('Q0-01', 'passed')]))
  put('local/reports/sensitivity/coredns-down/claims.json', report([entry('Q0-01', 'broken')]))
  put('local/reports/sensitivity-ci/no-statefulset-controller/claims.json', report([entry('Q0-01', 'broken')]))
  expect(loadRuns(join(dir, 'local'), shown)).toMatchObject({
    runs: [{ label: 'local/reports' }], passedOver: ['local/reports/sensitivity', 'local/reports/sensitivity-ci'],
  })
  expect(loadRuns(join(dir, 'local/reports/sensitivity'), shown)).toMatchObject({ runs: [{ label: 'local/reports/sensitivity/coredns-down' }], passedOver: [] })
  put('only-faults/sensitivity/coredns-down/claims.json', report([entry('Q0-01', 'broken')]))
  expect(() => loadRuns(join(dir, 'only-faults'), shown)).toThrow(/only-faults: no claims.json but in npm run sensitivity's folders \(.*only-faults\/sensitivity\), passed over: their clusters were broken on purpose; give one by name to read it$/)
})

test('bad input is one line naming the path: missing, no claims.json anywhere, unreadable, or a claims.json that is not a run', () => {
  mkdirSync(join(dir, 'empty/sub'), { recursive: true })
  put('bad/1/claims.json', report([entry('Q0-01', 'passed')]))
  put('bad/2/claims.json', '{"run": {')
  const cases: [string, RegExp][] = [
    [join(dir, 'nowhere'), /nowhere: no such file or folder$/],
    [join(dir, 'empty'), /empty: no claims.json in it or below it \(a run's reports folder, or a folder of them, was expected\)$/],
    [join(dir, 'bad'), /bad\/2\/claims.json: not JSON \(/],
    [put('junit.json', { testsuites: [] }), /junit.json: not a claims report/],
  ]
  for (const [path, message] of cases) {
    const e = thrown(() => loadRuns(path, shown))
    expect(e, path).toBeInstanceOf(BadInput)
    expect(e.message).toMatch(message)
    expect(e.message).not.toContain('\n')
  }
})

