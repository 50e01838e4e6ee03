import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { readFileSync } from 'node:fs'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { buildDatasheet } from '../../lib/report/datasheet.ts'
import { BadInput, loadClaims, loadInput } from './load.ts'
import { entry, report } from './testdata/build.ts'

const dir = mkdtempSync(join(tmpdir(), 'diff-load-'))
const write = (name: string, content: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

test('a report folder is read through its claims.json, a claims.json as it is', () => {
  mkdirSync(join(dir, 'reports'))
  writeFileSync(join(dir, 'reports', 'claims.json'), JSON.stringify(report([entry('Q0-01', 'passed')])))
  expect(loadClaims(join(dir, 'reports')).claims.map((e) => e.id)).toEqual(['Q0-01'])
  expect(loadClaims(join(dir, 'reports', 'claims.json')).claims.map((e) => e.id)).toEqual(['Q0-01'])
})

test('bad input is one line naming the path and what is wrong with it', () => {
  mkdirSync(join(dir, 'empty'))
  const cases: [string, RegExp][] = [
    [join(dir, 'nowhere'), /nowhere: no such file or folder$/],
    [join(dir, 'empty'), /empty: a folder without claims.json/],
    [write('truncated.json', '{"run": {'), /truncated.json: not JSON \(/],
    [write('junit.json', { testsuites: [] }), /junit.json: not a claims report \(expected "run" with "cluster", and a "claims" list\)$/],
    [write('odd-entry.json', { ...report([entry('Q0-01', 'passed')]), claims: [entry('Q0-01', 'passed'), { id: 'Q0-02', status: 'green', storageClass: null, durationMs: 1 }] }),
      /odd-entry.json: claim 2 is not a claim entry/],
    [write('twice.json', report([entry('Q0-09', 'passed', { storageClass: 'ext4' }), entry('Q0-09', 'failed', { storageClass: 'ext4' })])),
      /twice.json: lists Q0-09 \[ext4\] more than once$/],
  ]
  for (const [path, message] of cases) {
    const thrown = (() => { try { loadClaims(path) } catch (e) { return e } })()
    expect(thrown, path).toBeInstanceOf(BadInput)
    expect((thrown as Error).message).toMatch(message)
    expect((thrown as Error).message).not.toContain('\n')
  }
})

test('a datasheet is told from a run by its format; one without its parts is bad input, named', () => {
  const cloud2 = JSON.parse(readFileSync(new URL('../../lib/report/testdata/cloud2-claims.json', import.meta.url), 'utf8')) as ClaimsReport
  const sheet = buildDatasheet(cloud2, 'standard')
  expect(loadInput(write('standard.json', sheet))).toEqual({ kind: 'datasheet', sheet })
  expect(loadInput(write('run.json', report([entry('Q0-01', 'passed')])))).toMatchObject({ kind: 'run', report: { claims: [{ id: 'Q0-01' }] } })
  const cases: [string, RegExp][] = [
    [write('no-timings.json', { ...sheet, timings: undefined }), /no-timings.json: a datasheet without its storageClass, run, claims, capabilities, totals or timings$/],
    [write('odd-claim.json', { ...sheet, claims: [{ id: 'SC-01', status: 'green', durationMs: 1 }] }), /odd-claim.json: claim 1 is not a claim entry/],
  ]
  for (const [path, message] of cases) expect(() => loadInput(path)).toThrow(message)
  expect(() => loadInput(write('x.json', { ...sheet, claims: 'none' }))).toThrow(BadInput)
})
