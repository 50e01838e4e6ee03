// What `npm run bench` measures and how one result compares with the last
// one saved: parsing vitest's JSON report, the figures, and the comparison.
// Pure: run.ts does the running and the reading of files.
import { relative } from 'node:path'
import type { RunUsage } from '../../lib/report/claims.ts'
import { type ClaimComparison, escapeRegExp, type UpstreamSpec } from './upstream-table.ts'

// The part of vitest's JSON reporter output the bench reads.
export interface VitestJson {
  testResults: {
    name: string
    startTime: number
    endTime: number
    assertionResults: { ancestorTitles: string[]; title: string; status: string; duration?: number | null }[]
  }[]
}

export interface FileWall {
  file: string
  wallMs: number
  tests: number
  failed: number
}

export interface TestTime {
  file: string
  // Describe titles and the test's own, as vitest's -t matches them.
  path: string[]
  durationMs: number
  status: string
}

// A file's wall is vitest's: from its first test's start to its last test's
// end (hooks and fixtures included, the file's import excluded). Claims run
// concurrently within a file, so summing claims.json durations would not do.
export function fileWalls(report: VitestJson, root: string): FileWall[] {
  return report.testResults
    .map((r) => ({
      file: relative(root, r.name),
      wallMs: Math.max(0, Math.round(r.endTime - r.startTime)),
      tests: r.assertionResults.length,
      failed: r.assertionResults.filter((a) => a.status === 'failed').length,
    }))
    .sort((a, b) => b.wallMs - a.wallMs)
}

export function testTimes(report: VitestJson, root: string): TestTime[] {
  return report.testResults.flatMap((r) => r.assertionResults.map((a) => ({
    file: relative(root, r.name),
    path: [...a.ancestorTitles, a.title],
    durationMs: Math.round(a.duration ?? 0),
    status: a.status,
  })))
}

// The n longest scenarios that passed (a failed one may have stopped early or
// sat out a timeout); of any status when none passed. Under concurrency the
// longest in the run need not be the longest alone: the bench re-runs a few.
export function longestTests(tests: TestTime[], n: number): TestTime[] {
  const byDuration = (a: TestTime, b: TestTime) => b.durationMs - a.durationMs
  const passed = tests.filter((t) => t.status === 'passed')
  return [...(passed.length ? passed : tests)].sort(byDuration).slice(0, n)
}

// vitest -t matches a regular expression against "describe > test".
export function testNamePattern(path: string[]): string {
  return `^${path.map(escapeRegExp).join(' > ')}$`
}

export interface LongestScenario {
  file: string
  name: string
  inRunMs: number
  // The test's own duration when run alone; null when the re-run did not run exactly it.
  aloneMs: number | null
  // That vitest run's wall (global setup and teardown included).
  aloneWallMs: number | null
  exitCode: number | null
}

export interface ClusterFigures {
  // CPU seconds the cluster's processes used during the spec run; null where not measured.
  cpuSeconds: number | null
  cpuNote?: string
  // RSS of the cluster's processes (components, shims, pods) after the run, in MiB.
  memoryMiB: number | null
  // `cluster:up` on this run, when the bench brought the cluster up.
  upMs: number | null
  upNote?: string
}

export interface UpstreamFigures {
  // e2e.test's own wall (the build and the image assembly not included).
  wallMs: number
  exitCode: number
  cpuSeconds: number | null
  specs: UpstreamSpec[]
  leftOut: { name: string; why: string }[]
  perClaim: ClaimComparison[]
}

export interface BenchResult {
  measuredAt: string
  // The run's own figures (claims.json run.usage): peak load, CPU seconds, claims in flight.
  machine: { cores: number; loadBefore: number[]; loadAfter: number[]; usage?: RunUsage }
  cluster: { embedded: boolean; server?: string }
  exitCode: number
  wallMs: number
  files: FileWall[]
  // Of the scenarios longest in the run, re-run alone one by one, the one longest alone.
  longest: LongestScenario | null
  rerunAlone?: LongestScenario[]
  // wall / longest scenario alone: the target is ≤ 2 on the one-node cluster.
  ratio: number | null
  // Where the cluster shares this machine: the shortest wall its busy CPU seconds allowed.
  cpuFloor?: CpuFloor | null
  clusterFigures: ClusterFigures
  upstream?: UpstreamFigures
}

export interface CpuFloor {
  // This machine's busy CPU seconds over the specs' wall (/proc/stat before and after).
  busyCpuSeconds: number
  ms: number
  // The lowest wall / longest alone those seconds allowed; null without a longest scenario alone.
  ratio: number | null
}

// The machine's busy CPU seconds over the specs' wall, divided by its cores, is
// the shortest wall the run's work allowed when the cluster runs on this machine
// too: no order or number of claims in flight goes below it. Where the cluster
// runs elsewhere its CPU is not this machine's, and there is no such floor here.
export function cpuFloor(o: { busyCpuSeconds: number | null; cores: number; embedded: boolean; longestAloneMs: number | null | undefined }): CpuFloor | null {
  if (!o.embedded || o.busyCpuSeconds === null || o.busyCpuSeconds <= 0 || o.cores < 1) return null
  const busyCpuSeconds = Math.round(o.busyCpuSeconds * 10) / 10
  const ms = Math.round((busyCpuSeconds / o.cores) * 1000)
  return { busyCpuSeconds, ms, ratio: o.longestAloneMs ? Math.round((ms / o.longestAloneMs) * 100) / 100 : null }
}

// Slower by more than this share, and for times by more than a few seconds, is a regression.
const tolerance = { share: 0.1, ms: 3000 }

// ms: a time (shown in seconds); cpu: CPU seconds; x: a ratio; MiB: memory.
export type Unit = 'ms' | 'cpu' | 'x' | 'MiB'

export interface Change {
  what: string
  before: number
  after: number
  unit: Unit
  regression: boolean
}

function change(what: string, before: number | null | undefined, after: number | null | undefined, unit: Unit): Change | null {
  if (before == null || after == null) return null
  const worse = after - before
  const regression = worse > before * tolerance.share && (unit !== 'ms' || worse > tolerance.ms)
  return { what, before, after, unit, regression }
}

// Each figure present in both results; files by name (a file that is new or
// gone is left out: its wall has nothing to compare with).
export function compareBench(before: BenchResult, after: BenchResult): Change[] {
  const changes: (Change | null)[] = [
    change('specs wall', before.wallMs, after.wallMs, 'ms'),
    change('longest scenario alone', before.longest?.aloneMs, after.longest?.aloneMs, 'ms'),
    change('wall / longest', before.ratio, after.ratio, 'x'),
    change('cluster CPU', before.clusterFigures.cpuSeconds, after.clusterFigures.cpuSeconds, 'cpu'),
    change('cluster memory', before.clusterFigures.memoryMiB, after.clusterFigures.memoryMiB, 'MiB'),
    change('cluster:up', before.clusterFigures.upMs, after.clusterFigures.upMs, 'ms'),
    change('upstream e2e.test wall', before.upstream?.wallMs, after.upstream?.wallMs, 'ms'),
    ...after.files.map((f) => change(`  ${f.file}`, before.files.find((b) => b.file === f.file)?.wallMs, f.wallMs, 'ms')),
  ]
  return changes.filter((c): c is Change => c !== null)
}

export function formatValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'ms': return `${(v / 1000).toFixed(1)}s`
    case 'cpu': return `${v.toFixed(1)} CPU-s`
    case 'x': return `${v.toFixed(2)}×`
    case 'MiB': return `${Math.round(v)} MiB`
  }
}

export function describeChanges(changes: Change[], baselineAt: string): string[] {
  if (!changes.length) return [`nothing to compare with the result of ${baselineAt}`]
  const width = Math.max(...changes.map((c) => c.what.length))
  return [
    `compared with the last saved result (${baselineAt}):`,
    ...changes.map((c) => {
      const pct = c.before ? `${c.after >= c.before ? '+' : ''}${Math.round(((c.after - c.before) / c.before) * 100)}%` : ''
      return `  ${c.what.padEnd(width)}  ${formatValue(c.before, c.unit).padStart(11)} → ${formatValue(c.after, c.unit).padStart(11)}  ${pct.padStart(5)}${c.regression ? '  REGRESSION' : ''}`
    }),
  ]
}
