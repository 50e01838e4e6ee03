import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { BadInput, loadClaims } from './load.ts'
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
