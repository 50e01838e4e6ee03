import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { runRecord, runRecords } from './run-record.ts'

let reports: string
beforeEach(async () => { reports = await mkdtemp(join(tmpdir(), 'sc-run-record-')) })
afterEach(async () => { await rm(reports, { recursive: true, force: true }) })

test('a run records the namespaces its workers make at the same time, each once, in a file of its own', async () => {
  const run = runRecord(reports, 'mf3k2-a1b2')
  expect(await run.recorded()).toEqual([])
  const names = Array.from({ length: 50 }, (_, i) => `sc-test-${i}-00000${i % 10}`)
  await Promise.all(names.map((n) => run.recordNamespace(n)))
  await run.recordNamespace(names[0]!)
  expect((await run.recorded()).sort()).toEqual([...names].sort())
  expect(run.file).toBe(join(reports, '.runs', 'mf3k2-a1b2.namespaces'))
  expect(await runRecord(reports, 'other-run').recorded()).toEqual([])
})

test('clean finds every run\'s record; a forgotten one is gone', async () => {
  expect(await runRecords(reports)).toEqual([])
  await runRecord(reports, 'run-a').recordNamespace('sc-a-000000')
  await runRecord(reports, 'run-b').recordNamespace('sc-b-000000')
  expect((await runRecords(reports)).map((r) => r.id).sort()).toEqual(['run-a', 'run-b'])
  await runRecord(reports, 'run-a').forget()
  expect((await runRecords(reports)).map((r) => r.id)).toEqual(['run-b'])
})

test('a run id names a file and goes into a label selector: nothing else is one', () => {
  expect(() => runRecord(reports, '../etc')).toThrow(/not a run id/)
  expect(() => runRecord(reports, 'a,b=c')).toThrow(/not a run id/)
})
