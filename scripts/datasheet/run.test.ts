// The command as a user runs it: node scripts/datasheet/run.ts RUN, its exit code, its console and its files.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { command, printed, slow } from '../diff/testdata/command.ts'

// claims.json of a real cloud-shape CI run (embedded cluster, three classes, capabilities, SC-06 and SC-10 figures).
const cloud2 = fileURLToPath(new URL('../../lib/report/testdata/cloud2-claims.json', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'datasheet-run-'))
const datasheet = command(new URL('./run.ts', import.meta.url), dir)

test('a report folder: one JSON and one HTML per class in its datasheets/, a line per class printed', slow, () => {
  mkdirSync(join(dir, 'reports'))
  copyFileSync(cloud2, join(dir, 'reports', 'claims.json'))
  expect(datasheet('reports')).toEqual(printed(
    'ext4: 31 passed, 0 partial, 0 failed, 0 broken, 4 skipped; bound p50 2.3 s (4 samples); fio 32,460 read IOPS, p99 4358.1 µs',
    'shared-immediate: 28 passed, 1 partial, 0 failed, 0 broken, 6 skipped; bound p50 8.3 s (5 samples); fio 45,056 read IOPS, p99 741.4 µs',
    'standard: 29 passed, 0 partial, 0 failed, 0 broken, 6 skipped; bound p50 13.9 s (4 samples); fio 44,853 read IOPS, p99 1187.8 µs',
    'wrote 3 datasheets (JSON and HTML) in reports/datasheets',
  ))
  expect(readdirSync(join(dir, 'reports', 'datasheets')).sort()).toEqual(['ext4.html', 'ext4.json', 'shared-immediate.html', 'shared-immediate.json', 'standard.html', 'standard.json'])
  expect(JSON.parse(readFileSync(join(dir, 'reports', 'datasheets', 'ext4.json'), 'utf8'))).toMatchObject({ storageClass: 'ext4', class: { provisioner: 'stateful-conformance.io/ext4' } })
})

test('a claims.json with --out and --class: only that class, where asked', slow, () => {
  const r = datasheet(cloud2, '--out', 'sheets', '--class=standard')
  expect(r.code).toBe(0)
  expect(r.out).toContain('wrote 1 datasheet (JSON and HTML) in sheets')
  expect(readdirSync(join(dir, 'sheets')).sort()).toEqual(['standard.html', 'standard.json'])
})

test('bad input exits 2 with one line naming it, and writes nothing', slow, () => {
  expect(datasheet(join(dir, 'no-such-run'))).toMatchObject({ code: 2, err: `datasheet: ${join(dir, 'no-such-run')}: no such file or folder\n` })
  expect(datasheet(cloud2, '--class', 'gp3', '--out', 'never')).toMatchObject({ code: 2, err: `datasheet: ${cloud2}: the run has no class gp3 (it has ext4, shared-immediate, standard)\n` })
  expect(existsSync(join(dir, 'never'))).toBe(false)
  expect(datasheet().err).toMatch(/^datasheet: expected one run, got 0; usage: npm run datasheet -- RUN/)
  expect(datasheet(cloud2, '--since=yesterday')).toMatchObject({ code: 2, err: expect.stringMatching(/^datasheet: unknown option --since=yesterday;/) })
})
