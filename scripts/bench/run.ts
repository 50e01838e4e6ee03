// npm run bench [-- --upstream] [-- --restart-cluster] [-- <vitest filters>]
// How fast the suite is, in one run: the specs' wall time and each file's, the
// longest scenario re-run alone and the ratio of the two, the CPU the cluster's
// processes used, and on the embedded cluster its memory and `cluster:up` time.
// --upstream adds the peer: upstream's e2e.test on the same cluster, the claims
// its tests cover and the ratio per claim. Written to reports/bench.json and
// compared with the last saved result (.bench/last.json). Measurements only,
// never pass/fail thresholds.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { usesEmbeddedCluster } from '../../lib/harness/cluster-choice.ts'
import { machineBusySeconds } from '../../lib/harness/gate-server.ts'
import { parseOptions } from '../../lib/options/options.ts'
import {
  type BenchResult, type ClusterFigures, compareBench, cpuFloor, describeChanges, fileWalls, formatValue, type LongestScenario, longestTests, testNamePattern, testTimes, type UpstreamFigures, type VitestJson,
} from './figures.ts'
import { type ClaimsReport, describeUsage } from '../../lib/report/claims.ts'
import { compareClaims } from './upstream-table.ts'
import { type ClusterSample, clusterCpu, clusterMemory, sampleCluster } from './cluster-processes.ts'
import { prepareUpstream, runUpstream } from './upstream-run.ts'

const root = resolve(import.meta.dirname, '..', '..')
const options = parseOptions(process.env)
const reports = resolve(root, options.reportsDir)
const baselineFile = join(root, '.bench', 'last.json')
const node = process.execPath
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')

const args = process.argv.slice(2)
const flags = { upstream: args.includes('--upstream'), restartCluster: args.includes('--restart-cluster') }
const vitestArgs = args.filter((a) => a !== '--upstream' && a !== '--restart-cluster')
// How many of the scenarios longest in the run are re-run alone.
const rerunCount = 3

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; ms: number }> {
  const t0 = performance.now()
  return new Promise((done) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', env })
    child.on('error', () => done({ code: 1, ms: Math.round(performance.now() - t0) }))
    child.on('close', (code) => done({ code: code ?? 1, ms: Math.round(performance.now() - t0) }))
  })
}

const seconds = (ms: number) => formatValue(ms, 'ms')
const load = () => loadavg().map((l) => Math.round(l * 100) / 100)

// On the embedded cluster: bring it up (timed) unless it is; a running cluster
// is stopped first only when asked, since others may be using it.
async function clusterUp(): Promise<{ upMs: number | null; upNote?: string; startedHere: boolean }> {
  const cluster = await import('../../cluster/lifecycle.ts')
  const build = await import('../../cluster/binaries/build.ts')
  if (await cluster.isUp()) {
    if (!flags.restartCluster) {
      return { upMs: null, upNote: 'not measured: the cluster was already up (--restart-cluster stops and restarts it, on a machine of your own)', startedHere: false }
    }
    console.log('bench: --restart-cluster: stopping the embedded cluster to time a warm cluster:up')
    await run(node, ['cluster/cli.ts', 'down'])
  }
  // Remains without a cluster that answers are someone's cluster mid-start, a crashed one, or one
  // an older cluster/ started: `up` would take them down first, so the bench leaves that to a person.
  const config = await import('../../cluster/base/config.ts')
  if (!flags.restartCluster && (existsSync(config.paths.state) || existsSync(config.paths.run))) {
    throw new Error(`the embedded cluster is neither up nor down (${config.paths.state} or ${config.paths.run} is there): see npm run cluster:status; the bench does not stop a cluster it did not start`)
  }
  const cold = build.missingBuilds()
  const up = await run(node, ['cluster/cli.ts', 'up'])
  if (up.code !== 0) throw new Error(`cluster:up exited ${up.code}`)
  return { upMs: up.ms, ...(cold.length ? { upNote: `cold: it built ${cold.join(', ')} first` } : { upNote: 'warm: binaries cached' }), startedHere: true }
}

async function readJson<T>(file: string): Promise<T | null> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as T) : null
}

async function main(): Promise<void> {
  const embedded = usesEmbeddedCluster(options)
  const loadBefore = load()
  console.log(`bench: ${cpus().length} cores, load average ${loadBefore.join(' ')}; cluster: ${embedded ? 'the embedded one' : `context ${options.context ?? '(current)'}`}`)
  const up = embedded ? await clusterUp() : { upMs: null, upNote: 'not the embedded cluster', startedHere: false }
  const missing = flags.upstream ? await prepareUpstream(embedded) : {}

  // The specs, as `npm run test:specs` runs them, with vitest's JSON report for the walls.
  await mkdir(reports, { recursive: true })
  const vitestJson = join(reports, 'bench-vitest.json')
  const before: ClusterSample | null = embedded ? sampleCluster() : null
  const busyBefore = await machineBusySeconds()
  const specs = await run(node, [vitest, 'run', '--project', 'specs',
    '--reporter=default', '--reporter=./lib/report/reporter.ts', '--reporter=junit', `--outputFile.junit=${join(reports, 'junit.xml')}`,
    '--reporter=json', `--outputFile.json=${vitestJson}`, ...vitestArgs], { ...process.env, SC_KEEP_CLUSTER: '1' })
  const busyAfter = await machineBusySeconds()
  const cpu = before ? clusterCpu(before, sampleCluster()) : null
  const memory = embedded ? clusterMemory() : null
  const report = await readJson<VitestJson>(vitestJson)
  if (!report) throw new Error(`vitest wrote no JSON report (${vitestJson}); exit ${specs.code}`)
  const claimsReport = await readJson<ClaimsReport>(join(reports, 'claims.json'))
  const ours = claimsReport?.claims ?? []
  const files = fileWalls(report, root)
  // The scenarios longest in the run, each again alone (one after another, into a reports folder
  // of their own); under concurrency the longest in the run need not be the longest alone.
  const rerunAlone: LongestScenario[] = []
  for (const t of longestTests(testTimes(report, root), rerunCount)) {
    const dir = join(reports, 'bench-alone')
    const json = join(dir, 'vitest.json')
    console.log(`\nbench: a long scenario again, alone: ${t.path.join(' > ')}`)
    const r = await run(node, [vitest, 'run', '--project', 'specs', t.file, '-t', testNamePattern(t.path),
      '--reporter=default', '--reporter=json', `--outputFile.json=${json}`], { ...process.env, SC_REPORTS_DIR: dir, SC_KEEP_CLUSTER: '1' })
    const ran = testTimes((await readJson<VitestJson>(json)) ?? { testResults: [] }, root).filter((x) => x.status !== 'skipped')
    if (ran.length !== 1) console.log(`bench: the re-run ran ${ran.length} tests instead of 1: no alone figure`)
    rerunAlone.push({ file: t.file, name: t.path.join(' > '), inRunMs: t.durationMs, aloneMs: ran.length === 1 ? ran[0]!.durationMs : null, aloneWallMs: r.ms, exitCode: r.code })
  }
  const longest = [...rerunAlone].sort((a, b) => (b.aloneMs ?? -1) - (a.aloneMs ?? -1))[0] ?? null

  let upstream: UpstreamFigures | undefined
  if (flags.upstream) {
    const u = await runUpstream({ embedded, options, reports, missing })
    upstream = { ...u, perClaim: compareClaims(u.specs, ours) }
  }
  const clusterFigures: ClusterFigures = {
    cpuSeconds: cpu ? Math.round(cpu.seconds * 10) / 10 : null,
    cpuNote: cpu
      ? `components ${cpu.components.toFixed(1)}s, shims ${cpu.shims.toFixed(1)}s, pods ${cpu.pods?.toFixed(1) ?? '?'}s; anything else using the cluster meanwhile counts too${cpu.note ? `; ${cpu.note}` : ''}`
      : 'not measured: not the embedded cluster (its processes are not on this machine)',
    memoryMiB: memory ? Math.round(memory.totalMiB) : null,
    upMs: up.upMs,
    ...(up.upNote ? { upNote: up.upNote } : {}),
  }
  const result: BenchResult = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, loadBefore, loadAfter: load(), ...(claimsReport?.run.usage ? { usage: claimsReport.run.usage } : {}) },
    cluster: { embedded },
    exitCode: specs.code,
    wallMs: specs.ms,
    files,
    longest,
    rerunAlone,
    ratio: longest?.aloneMs ? Math.round((specs.ms / longest.aloneMs) * 100) / 100 : null,
    cpuFloor: cpuFloor({ busyCpuSeconds: busyBefore !== null && busyAfter !== null ? busyAfter - busyBefore : null, cores: cpus().length, embedded, longestAloneMs: longest?.aloneMs }),
    clusterFigures,
    ...(upstream ? { upstream } : {}),
  }
  print(result, memory)

  await writeFile(join(reports, 'bench.json'), JSON.stringify(result, null, 2) + '\n')
  console.log('')
  if (vitestArgs.length) {
    // A subset's figures compared with the whole suite's would show regressions that are not there.
    console.log(`written: ${join(reports, 'bench.json')}; a run of part of the suite (${vitestArgs.join(' ')}): not compared, and not kept as the baseline`)
  } else {
    const baseline = await readJson<BenchResult>(baselineFile)
    if (baseline) for (const line of describeChanges(compareBench(baseline, result), baseline.measuredAt)) console.log(line)
    else console.log(`no earlier result saved (${baselineFile}): this one becomes the baseline`)
    await mkdir(join(root, '.bench'), { recursive: true })
    await copyFile(join(reports, 'bench.json'), baselineFile)
    console.log(`written: ${join(reports, 'bench.json')} (and ${baselineFile}, the baseline of the next bench)`)
  }

  if (up.startedHere && !options.keepCluster) {
    console.log('bench: stopping the embedded cluster it started (SC_KEEP_CLUSTER=1 keeps it)')
    await run(node, ['cluster/cli.ts', 'down'])
  }
  process.exitCode = specs.code !== 0 || (upstream && upstream.exitCode !== 0) ? 1 : 0
}

function print(r: BenchResult, memory: ReturnType<typeof clusterMemory> | null): void {
  const c = r.clusterFigures
  console.log(`\n── bench ${r.measuredAt} · ${r.machine.cores} cores · load ${r.machine.loadBefore.join(' ')} → ${r.machine.loadAfter.join(' ')}`)
  if (r.machine.usage) console.log(`run                     ${describeUsage(r.machine.usage)}`)
  console.log(`specs wall              ${seconds(r.wallMs)} (exit ${r.exitCode})`)
  for (const l of r.rerunAlone ?? []) {
    console.log(`${l === r.longest ? 'longest scenario alone' : '  also re-run alone'}`.padEnd(24) + `${l.name} (${l.file})`)
    console.log(`                        ${seconds(l.inRunMs)} in the run, ${l.aloneMs !== null ? seconds(l.aloneMs) : '?'} alone (that vitest run: ${l.aloneWallMs !== null ? seconds(l.aloneWallMs) : '?'}, exit ${l.exitCode})`)
  }
  console.log(`wall / longest alone    ${r.ratio !== null ? formatValue(r.ratio, 'x') : '?'} (target ≤ 2× on the one-node cluster)`)
  const f = r.cpuFloor
  if (f) {
    console.log(`CPU floor               ${seconds(f.ms)}: ${f.busyCpuSeconds} busy CPU-s on this machine over the specs' wall ÷ ${r.machine.cores} cores, the shortest wall this run's work allowed here${f.ratio !== null ? `; wall / longest alone ≥ ${formatValue(f.ratio, 'x')} on this machine` : ''}`)
  }
  console.log(`cluster CPU             ${c.cpuSeconds !== null ? formatValue(c.cpuSeconds, 'cpu') : '—'} (${c.cpuNote})`)
  if (memory) {
    console.log(`cluster memory (RSS)    ${Math.round(memory.totalMiB)} MiB after the run: components ${Math.round(memory.componentsMiB)}, shims ${Math.round(memory.shimsMiB)}, pods ${memory.podsMiB !== null ? Math.round(memory.podsMiB) : '?'}`)
  }
  console.log(`cluster:up              ${c.upMs !== null ? seconds(c.upMs) : '—'}${c.upNote ? ` (${c.upNote})` : ''}`)
  console.log('per file:')
  for (const f of r.files) console.log(`  ${seconds(f.wallMs).padStart(7)}  ${f.file} (${f.tests} tests${f.failed ? `, ${f.failed} failed` : ''})`)
  const u = r.upstream
  if (!u) return
  console.log(`\nupstream e2e.test       ${seconds(u.wallMs)} (exit ${u.exitCode}), cluster CPU ${u.cpuSeconds !== null ? formatValue(u.cpuSeconds, 'cpu') : '—'}; ours: ${seconds(r.wallMs)}`)
  for (const s of u.specs) console.log(`  ${seconds(s.runTimeMs).padStart(7)}  ${s.state.padEnd(7)} ${s.name} → ${s.claims.length ? s.claims.join(', ') : 'no claim of ours'}`)
  for (const l of u.leftOut) console.log(`  left out: ${l.name} (${l.why})`)
  console.log('per covered claim (ours: the claim in the run above, its longest storage class; upstream: its covering tests that passed, added up; above 1 we are faster):')
  for (const p of u.perClaim) console.log(`  ${p.id}  ours ${seconds(p.oursMs).padStart(7)}  upstream ${seconds(p.upstreamMs).padStart(7)}  upstream ÷ ours ${p.ratio.toFixed(2).padStart(6)}`)
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`)
  process.exitCode = 1
})
