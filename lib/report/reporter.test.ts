import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { TestModule } from 'vitest/node'
import type { ClaimsReport } from './claims.ts'
import ClaimsReporter, { writeDatasheetsSafely } from './reporter.ts'

const moduleOf = (project: string, tests: { name: string; state: string; meta?: object; errors?: string[] }[]) => ({
  project: { name: project },
  children: {
    allTests: () => tests.map((t) => ({
      name: t.name,
      fullName: t.name,
      project: { name: project },
      meta: () => t.meta ?? {},
      diagnostic: () => ({ duration: 5 }),
      result: () => ({ state: t.state, errors: t.errors?.map((message) => ({ message })) }),
      attempts: () => [{ errors: t.errors?.map((message) => ({ message })) }],
    })),
  },
}) as unknown as TestModule

test('a spec test that failed in a fixture (no claim ID set on it) is a claim by its name; a unit test named after a claim is not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-reporter-'))
  const log = console.log
  console.log = () => {}
  try {
    await new ClaimsReporter({ reportsDir: dir }).onTestRunEnd([
      moduleOf('specs', [
        { name: 'Q1-02 a claim binds [standard]', state: 'passed', meta: { claim: 'Q1-02', storageClass: 'standard' } },
        { name: 'Q1-04 a file survives [standard]', state: 'failed', meta: { storageClass: 'standard' }, errors: ['StorageClass standard did not provision'] },
      ]),
      moduleOf('unit', [{ name: 'SC-11 needs volumes shared across nodes', state: 'passed' }]),
    ])
  } finally {
    console.log = log
  }
  const claims = JSON.parse(await readFile(join(dir, 'claims.json'), 'utf8')).claims
  // It failed before any step: it never got to look at its property.
  expect(claims.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual(['Q1-02 passed', 'Q1-04 broken'])
  // And the class's datasheet beside them.
  const sheet = JSON.parse(await readFile(join(dir, 'datasheets', 'standard.json'), 'utf8'))
  expect(sheet.claims.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual(['Q1-02 passed', 'Q1-04 broken'])
  expect(existsSync(join(dir, 'datasheets', 'standard.html'))).toBe(true)
})

const report = (run: Partial<ClaimsReport['run']> = {}): ClaimsReport => ({
  run: { startedAt: '2026-12-05T18:00:00.000Z', finishedAt: '2026-12-05T18:30:00.000Z', cluster: { server: 'https://10.0.0.1:6443', version: 'v1.36.3', nodes: 3 }, ...run },
  claims: [],
  summary: { passed: 0, partial: 0, failed: 0, broken: 0, skipped: 0, waived: 0 },
})

test('a datasheet that cannot be written is printed, not thrown: the run\'s verdict does not depend on it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-reporter-'))
  const run = report({ storageClasses: ['standard', 'fast'] })
  const printed: string[] = []
  const error = console.error
  console.error = (line: string) => printed.push(line)
  try {
    expect(writeDatasheetsSafely(run, dir, () => { throw new Error('EACCES: permission denied, mkdir') })).toBe('')
  } finally {
    console.error = error
  }
  expect(printed).toEqual(['datasheets not written (the run\'s other reports are): EACCES: permission denied, mkdir'])
  expect(writeDatasheetsSafely(run, join(dir, 'ds'))).toBe(`, ${join(dir, 'ds', '*.html')} (2 datasheets)`)
  expect(existsSync(join(dir, 'ds', 'fast.html'))).toBe(true)
  expect(writeDatasheetsSafely(report(), join(dir, 'none'))).toBe('')
  expect(existsSync(join(dir, 'none'))).toBe(false)
})
