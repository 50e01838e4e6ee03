// The command as CI runs it: node scripts/history/run.ts DIR…, its exit code, its console and its files.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { entry, report } from '../diff/testdata/build.ts'
import { command, printed, slow } from '../diff/testdata/command.ts'
import type { History } from './build.ts'

const testdata = fileURLToPath(new URL('./testdata', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'history-run-'))
const history = command(new URL('./run.ts', import.meta.url), testdata)

test('a folder of nightly runs: what was read, each cluster\'s line and its latest run\'s breaks; index.html and history.json in --out', slow, () => {
  const out = join(dir, 'out')
  expect(history('nightly', '--out', out)).toEqual(printed(
    'read 3 runs from nightly',
    'kind-stateful-conformance · Kubernetes v1.36 · 1 node: 3 runs (latest r3 2026-12-05T02:22:48.000Z); 9 rows, 3 changed outcome, 2 failing now, 1 broke in the latest run',
    '  ✗ Q0-10 failed in r3, after it held in r2: suite 0.1.0 (git 1a2b3c4) → 0.1.0 (git 5d6e7f8)',
    `wrote index.html and history.json (3 runs of 1 cluster) in ${out}`,
  ))
  const h = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as History
  expect(h).toMatchObject({ format: 'stateful-conformance/history@1', runs: [{ name: 'r1', label: 'nightly/12345601/reports-kubernetes-1.36' }, { name: 'r2' }, { name: 'r3' }] })
  expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<table class="history">')
})

test('several paths are read in turn; a run given twice counts once, with a warning', slow, () => {
  const one = 'nightly/12345601/reports-kubernetes-1.36'
  const r = history(one, `${one}/claims.json`, 'nightly/12345602', `--out=${join(dir, 'twice')}`)
  expect(r.code).toBe(0)
  expect(r.out).toContain(`read 1 run from ${one}\nread 1 run from ${one}/claims.json\nread 1 run from nightly/12345602\n`)
  expect(r.out).toContain(`warning: ${one} is ${one} again (started 2026-12-03T02:23:11.000Z on kind-stateful-conformance): counted once\n`)
  expect(r.out).toContain('wrote index.html and history.json (2 runs of 1 cluster)')
})

test('one run still writes the page, saying there is no history yet', slow, () => {
  const file = join(dir, 'single.json')
  writeFileSync(file, JSON.stringify(report([entry('Q0-01', 'passed')])))
  const r = history(file, '--out', join(dir, 'single'))
  expect(r.code).toBe(0)
  expect(r.out).toContain('note: fewer than two runs: the page has no history yet (no flake rate, no first bad run)')
  expect(readFileSync(join(dir, 'single', 'index.html'), 'utf8')).toContain('id="few-runs"')
})

test('bad input exits 2 with one line naming the path, and writes nothing', slow, () => {
  const r = history('nightly', join(dir, 'no-such-run'), '--out', join(dir, 'never'))
  expect(r).toMatchObject({ code: 2, out: 'read 3 runs from nightly\n', err: `history: ${join(dir, 'no-such-run')}: no such file or folder\n` })
  expect(existsSync(join(dir, 'never'))).toBe(false)
  expect(history().err).toMatch(/^history: no runs given; usage: npm run history -- DIR… \[--out DIR\]/)
  expect(history('nightly', '--since=yesterday')).toMatchObject({ code: 2, err: expect.stringMatching(/^history: unknown option --since=yesterday;/) })
  expect(history('nightly', '--out')).toMatchObject({ code: 2, err: expect.stringMatching(/^history: --out needs a folder;/) })
})
