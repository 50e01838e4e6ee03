import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { TestModule } from 'vitest/node'
import ClaimsReporter from './reporter.ts'

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
})
