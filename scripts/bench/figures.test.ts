import { expect, test } from 'vitest'
import { type BenchResult, compareBench, cpuFloor, describeChanges, fileWalls, longestTests, testNamePattern, testTimes, type VitestJson } from './figures.ts'

const report: VitestJson = {
  testResults: [
    {
      name: '/repo/specs/000-podinfo.spec.ts', startTime: 1000, endTime: 91000,
      assertionResults: [
        { ancestorTitles: ['Q0 podinfo'], title: 'Q0-10 rolling update', status: 'passed', duration: 85000 },
        { ancestorTitles: ['Q0 podinfo'], title: 'Q0-04 panic (restart)', status: 'failed', duration: 120000 },
      ],
    },
    {
      name: '/repo/specs/smoke.spec.ts', startTime: 2000, endTime: 12000,
      assertionResults: [{ ancestorTitles: [], title: 'pods run', status: 'passed', duration: null }],
    },
  ],
}

test('per-file walls from vitest\'s first test start to last test end, longest first', () => {
  expect(fileWalls(report, '/repo')).toEqual([
    { file: 'specs/000-podinfo.spec.ts', wallMs: 90000, tests: 2, failed: 1 },
    { file: 'specs/smoke.spec.ts', wallMs: 10000, tests: 1, failed: 0 },
  ])
})

test('the longest scenarios are the longest that passed; a failed one may have sat out a timeout', () => {
  const longest = longestTests(testTimes(report, '/repo'), 3)
  // The failed Q0-04 (120 s) is not among them.
  expect(longest.map((t) => t.path.at(-1))).toEqual(['Q0-10 rolling update', 'pods run'])
  expect(longest[0]).toEqual({ file: 'specs/000-podinfo.spec.ts', path: ['Q0 podinfo', 'Q0-10 rolling update'], durationMs: 85000, status: 'passed' })
  const t = (durationMs: number, status: string) => ({ file: 'f', path: [`t${durationMs}`], durationMs, status })
  expect(longestTests([t(1, 'passed'), t(9, 'passed'), t(5, 'passed'), t(7, 'passed')], 2).map((x) => x.durationMs)).toEqual([9, 7])
  expect(longestTests([t(5, 'failed')], 3).map((x) => x.durationMs)).toEqual([5])
  expect(longestTests([], 3)).toEqual([])
})

test('the -t pattern matches exactly "describe > test", regex characters escaped', () => {
  const pattern = new RegExp(testNamePattern(['Q0 podinfo', 'Q0-04 panic (restart) [standard]']))
  expect(pattern.test('Q0 podinfo > Q0-04 panic (restart) [standard]')).toBe(true)
  expect(pattern.test('Q0 podinfo > Q0-04 panic (restart) [standard] again')).toBe(false)
  expect(pattern.test('Q0 podinfo > Q0-04 panic restart s')).toBe(false)
})

const result = (wallMs: number, files: [string, number][], extra: Partial<BenchResult> = {}): BenchResult => ({
  measuredAt: '2026-11-30T03:00:00.000Z',
  machine: { cores: 2, loadBefore: [0, 0, 0], loadAfter: [0, 0, 0] },
  cluster: { embedded: true },
  exitCode: 0,
  wallMs,
  files: files.map(([file, ms]) => ({ file, wallMs: ms, tests: 1, failed: 0 })),
  longest: null,
  ratio: null,
  clusterFigures: { cpuSeconds: 100, memoryMiB: 900, upMs: null },
  ...extra,
})

test('a regression is slower by more than 10 % and, for times, by more than 3 s', () => {
  const changes = compareBench(
    result(300_000, [['specs/a.spec.ts', 20_000], ['specs/b.spec.ts', 100_000], ['specs/gone.spec.ts', 1]]),
    result(340_000, [['specs/a.spec.ts', 22_500], ['specs/b.spec.ts', 90_000], ['specs/new.spec.ts', 5]], { clusterFigures: { cpuSeconds: 115, memoryMiB: 950, upMs: null } }),
  )
  expect(changes.map((c) => [c.what.trim(), c.regression])).toEqual([
    ['specs wall', true],
    ['cluster CPU', true],
    ['cluster memory', false],
    // +12.5 % but only 2.5 s: noise on a 20 s file.
    ['specs/a.spec.ts', false],
    ['specs/b.spec.ts', false],
  ])
})

test('the comparison prints before → after with the change, and says when there is nothing to compare', () => {
  const lines = describeChanges(compareBench(result(300_000, []), result(340_000, [])), 'then')
  expect(lines[0]).toBe('compared with the last saved result (then):')
  expect(lines[1]).toMatch(/specs wall\s+300\.0s →\s+340\.0s\s+\+13%\s+REGRESSION/)
  expect(lines[2]).toMatch(/cluster CPU\s+100\.0 CPU-s →\s+100\.0 CPU-s\s+\+0%$/)
  expect(describeChanges([], 'then')).toEqual(['nothing to compare with the result of then'])
})

test('the CPU floor: the machine\'s busy CPU seconds over its cores, only where the cluster shares the machine', () => {
  const run = { busyCpuSeconds: 308.04, cores: 2, embedded: true, longestAloneMs: 24_800 }
  expect(cpuFloor(run)).toEqual({ busyCpuSeconds: 308, ms: 154_000, ratio: 6.21 })
  expect(cpuFloor({ ...run, longestAloneMs: null })).toEqual({ busyCpuSeconds: 308, ms: 154_000, ratio: null })
  // A cluster elsewhere: this machine's CPU is not the cluster's.
  expect(cpuFloor({ ...run, embedded: false })).toBeNull()
  expect(cpuFloor({ ...run, busyCpuSeconds: null })).toBeNull()
})
