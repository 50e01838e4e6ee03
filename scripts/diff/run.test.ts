// The command as CI runs it: node scripts/diff/run.ts A B, its exit code, its console and its pages.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { buildDatasheet } from '../../lib/report/datasheet.ts'
import { entry, report } from './testdata/build.ts'
import { commandWith, slow } from './testdata/command.ts'

// claims.json of a real cloud-shape run (embedded cluster, three classes), without steps, timelines and capabilities.
const cloud1 = fileURLToPath(new URL('./testdata/cloud1-claims.json', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'diff-run-'))
const runTs = new URL('./run.ts', import.meta.url)
const diff = (...args: string[]) => commandWith(runTs, dir, {}, ...args)
const diffWith = (env: Record<string, string>, ...args: string[]) => commandWith(runTs, dir, env, ...args)

const write = (name: string, r: ClaimsReport) => {
  writeFileSync(join(dir, name), JSON.stringify(r))
  return join(dir, name)
}

test('a regression exits 1 and prints the counts and each regression line; the pages are written to --out', slow, () => {
  const a = write('a.json', report([entry('Q0-01', 'passed'), entry('Q0-02', 'passed'), entry('Q0-03', 'failed')]))
  const b = write('b.json', report([entry('Q0-01', 'broken', { reason: 'gave up waiting for pod q0/web-0 to be Ready' }), entry('Q0-02', 'passed'), entry('Q0-03', 'passed')]))
  const r = diff(a, b, '--out', 'out')
  expect(r.err).toBe('')
  expect(r.code).toBe(1)
  expect(r.out).toContain('regression 1, still failing 0, fixed 1, lost visibility 0, gained visibility 0, missing 0, added 0, unchanged 1; timing shifts 0')
  expect(r.out).toContain('  ✗ Q0-01: passed → broken: gave up waiting for pod q0/web-0 to be Ready')
  expect(r.out).toContain(`wrote diff.md and diff.html in out`)
  expect(readFileSync(join(dir, 'out', 'diff.md'), 'utf8')).toContain('- Q0-01: passed → broken')
  expect(readFileSync(join(dir, 'out', 'diff.html'), 'utf8')).toContain('<td>Q0-01</td>')
})

test('still failing, lost visibility and warnings exit 0: only a regression fails the diff', slow, () => {
  const a = write('c.json', report([entry('Q0-01', 'failed'), entry('Q0-02', 'passed')], { storageClasses: ['standard'] }))
  const b = write('d.json', report([entry('Q0-01', 'broken'), entry('Q0-02', 'skipped')], { storageClasses: ['gp3'], cluster: { server: 'x', version: 'v1.37.0', nodes: 3 } }))
  const r = diff(a, b, `--out=${join(dir, 'out2')}`)
  expect(r.code).toBe(0)
  expect(r.out).toContain('warning: cluster versions differ: v1.36.3 in A, v1.37.0 in B')
  expect(r.out).toContain('warning: storage classes differ: only in A standard; only in B gp3')
  expect(r.out).toContain('regression 0, still failing 1, fixed 0, lost visibility 1,')
})

test('bad input exits 2 with one line naming the path, and writes nothing', slow, () => {
  const r = diff(join(dir, 'no-such-run'), cloud1, '--out', 'never')
  expect(r.code).toBe(2)
  expect(r.err).toBe(`diff: ${join(dir, 'no-such-run')}: no such file or folder\n`)
  expect(existsSync(join(dir, 'never'))).toBe(false)
  expect(diff(cloud1).err).toMatch(/^diff: expected two runs, got 1; usage: npm run diff -- A B \[--out DIR\]/)
  expect(diff(cloud1, cloud1, '--since=yesterday')).toMatchObject({ code: 2, err: expect.stringMatching(/^diff: unknown option --since=yesterday;/) })
})

test('a run against itself: nothing changed, no timing shift, exit 0; without --out the pages go to the reports folder\'s diff/', slow, () => {
  const r = diffWith({ SC_REPORTS_DIR: join(dir, 'reports') }, cloud1, cloud1)
  expect(existsSync(join(dir, 'reports', 'diff', 'diff.html'))).toBe(true)
  expect(r.code).toBe(0)
  expect(r.out).toContain('regression 0, still failing 0, fixed 0, lost visibility 0, gained visibility 0, missing 0, added 0, unchanged 135; timing shifts 0')
  expect(r.out).not.toContain('warning')
})

test('a real run with two claims turned failed: exactly those two are regressions, and the exit is 1', slow, () => {
  const copy = JSON.parse(readFileSync(cloud1, 'utf8')) as ClaimsReport
  const turned = copy.claims.filter((e) => (e.id === 'Q0-05' && e.storageClass === null) || (e.id === 'Q1-04' && e.storageClass === 'ext4'))
  expect(turned.map((e) => e.status)).toEqual(['passed', 'passed'])
  for (const e of turned) Object.assign(e, { status: 'failed', reason: `expected ${e.id} to hold` })
  mkdirSync(join(dir, 'cloud1-after'))
  writeFileSync(join(dir, 'cloud1-after', 'claims.json'), JSON.stringify(copy))
  const r = diff(cloud1, 'cloud1-after', '--out', 'cloud1')
  expect(r.code).toBe(1)
  expect(r.out.split('\n').filter((l) => l.startsWith('  ✗ '))).toEqual([
    '  ✗ Q0-05: passed → failed: expected Q0-05 to hold',
    '  ✗ Q1-04 [ext4]: passed → failed: expected Q1-04 to hold',
  ])
  expect(r.out).toContain('regression 2, still failing 0, fixed 0, lost visibility 0, gained visibility 0, missing 0, added 0, unchanged 133')
})

// Datasheets of the real cloud-shape run in lib/report/testdata (three classes, capabilities, SC-06 and SC-10 figures).
const cloud2 = fileURLToPath(new URL('../../lib/report/testdata/cloud2-claims.json', import.meta.url))
const sheetOf = (name: string, storageClass: string, change: (r: ClaimsReport) => void = () => {}) => {
  const r = JSON.parse(readFileSync(cloud2, 'utf8')) as ClaimsReport
  change(r)
  writeFileSync(join(dir, name), JSON.stringify(buildDatasheet(r, storageClass)))
  return join(dir, name)
}

test('two datasheets of one class: a lost capability and a claim newly failed exit 1, each printed; the pages name the class', slow, () => {
  const a = sheetOf('ext4-a.json', 'ext4')
  const b = sheetOf('ext4-b.json', 'ext4', (r) => {
    r.run.capabilities!.ext4!.block = { result: 'refused', detail: 'ProvisioningFailed: volumeMode Block is not supported' }
    Object.assign(r.claims.find((e) => e.id === 'SC-02' && e.storageClass === 'ext4')!, { status: 'failed', reason: 'sha256 differs' })
  })
  const r = diff(a, b, '--out', 'sheets')
  expect(r.err).toBe('')
  expect(r.code).toBe(1)
  expect(r.out).toContain('storage class ext4\n')
  expect(r.out).toContain('regression 1, still failing 0, fixed 0, lost visibility 0, gained visibility 0, missing 0, added 0, unchanged 34; timing shifts 0')
  expect(r.out).toContain('  ✗ SC-02 [ext4]: passed → failed: sha256 differs')
  expect(r.out).toContain('capabilities: 1 changed; measured figures: 0 shifted\n  ✗ Block: lost: not declared / accepted → not declared / refused')
  expect(readFileSync(join(dir, 'sheets', 'diff.md'), 'utf8')).toMatch(/^# Datasheet diff: storage class ext4/)
  expect(readFileSync(join(dir, 'sheets', 'diff.html'), 'utf8')).toContain('<td>lost</td><td>Block</td>')
})

test('two datasheets of one class with only a capability lost exit 1; with nothing lost or failed, 0', slow, () => {
  const a = sheetOf('std-a.json', 'standard')
  const lost = sheetOf('std-lost.json', 'standard', (r) => { r.run.capabilities!.standard!.accessModes.ReadWriteOncePod = { result: 'refused', detail: 'not supported' } })
  expect(diff(a, lost, '--out', 'sheets2').code).toBe(1)
  expect(diff(a, a, '--out', 'sheets3')).toMatchObject({ code: 0, out: expect.stringContaining('capabilities: 0 changed; measured figures: 0 shifted') })
})

test('datasheets of two classes, or a datasheet and a run, are bad input: exit 2, nothing written', slow, () => {
  const ext4 = sheetOf('ext4.json', 'ext4')
  const standard = sheetOf('standard.json', 'standard')
  expect(diff(ext4, standard, '--out', 'never2')).toMatchObject({ code: 2, err: `diff: ${ext4} is the datasheet of class ext4, ${standard} of class standard: only two datasheets of one class compare\n` })
  expect(diff(cloud1, ext4, '--out', 'never2')).toMatchObject({ code: 2, err: `diff: ${cloud1} is a run, ${ext4} a datasheet: compare two runs or two datasheets\n` })
  expect(existsSync(join(dir, 'never2'))).toBe(false)
})
