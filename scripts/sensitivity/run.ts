// npm run sensitivity [-- --list] [-- --report] [-- --fault=NAME[,NAME…]] [-- --spec=FILE[,FILE…]] [-- --baseline] [-- --enforce-bound]
// Brings up the embedded cluster (the instance SC_CLUSTER_NAME names; taken down
// again at the end if this run brought it up), then per
// fault of the catalogue (catalogue.ts): injects it, runs the spec files it concerns, restores
// it and checks the cluster is healthy again; writes reports/sensitivity.json and
// reports/sensitivity.html. Exits 1 if any fault's matrix differs from the catalogue,
// the cluster did not come back healthy, or (--enforce-bound) a verdict took more than
// twice the healthy run (--baseline measures it; a healthy-but-slow fault is late on
// purpose, so its bound is shown, not enforced). --report redoes the matrix and
// the page from the stored results against the catalogue as it is now, with no cluster:
// each fault's run stores the catalogue entry it was judged by, and a cell that the
// catalogue as it is now classes otherwise is marked reclassified, not re-run.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { apiReadyz, clients, deploymentAvailable, fitnessCheck, nodesReady, poll } from '../../cluster/api/client.ts'
import { down, isUp, up } from '../../cluster/lifecycle.ts'
import { instance, paths, repoRoot } from '../../cluster/base/config.ts'
import { type Fault, type FaultContext, faults, noMutantYet, unbreakable } from './catalogue.ts'
import { type FaultKind, kindOf } from './fault-claims.ts'
import { type Args, list, parseArgs } from './args.ts'
import { describeShape, nodesOf, recordedShape } from '../../cluster/base/shape.ts'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { provisioningFailure } from '../../lib/storage/capabilities.ts'
import { formatDuration } from '../../lib/report/matrix.ts'
import { claimIdsOf, expectationOf, type FaultResult, faultMatrix, matrixInput, mergeResults, parseRef, rejudge, withinBound } from './matrix.ts'
import { describeScore, detectionScore, propertyScore, type SensitivityReport } from './scores.ts'
import { renderSensitivityHtml, renderSensitivityMarkdown } from './pages.ts'

// SC_REPORTS_DIR as the suite reads it: relative to the repository, or absolute.
const reportsDir = resolve(repoRoot, process.env.SC_REPORTS_DIR || 'reports')
const runDir = (name: string) => join(reportsDir, 'sensitivity', name)

// The suite, on the running instance as an existing cluster: with SC_CLUSTER=embedded, global setup
// would take a stopped component for a broken cluster and rebuild it, which would undo the fault.
// verdictMs: until the claims report was written (every claim decided); wallMs: until vitest
// ended, its run clean-up included (which on a broken cluster may wait for namespaces that never go).
// A fault on the DR claims runs them as npm run test:disruption does, alone (their own vitest config).
function runSuite(name: string, specs: string[], env: Record<string, string> = {}, suite: Fault['suite'] = 'specs'): Promise<{ exitCode: number | null; verdictMs: number; wallMs: number }> {
  const t0 = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['vitest', 'run', ...(suite === 'disruption' ? ['--config', 'vitest.disruption.config.ts'] : ['--project', 'specs']), ...specs], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SC_CLUSTER: 'current', KUBECONFIG: paths.kubeconfig, SC_REPORTS_DIR: runDir(name), ...env },
    })
    let log = ''
    const keep = (d: Buffer) => {
      log += d.toString()
      for (const line of d.toString().split('\n')) if (/^(claims|tests): /.test(stripVTControlCharacters(line))) console.log(`  ${line}`)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', reject)
    child.on('close', async (code) => {
      await mkdir(runDir(name), { recursive: true })
      await writeFile(join(runDir(name), 'vitest.log'), log)
      const end = Date.now()
      const claims = join(runDir(name), 'claims.json')
      const written = existsSync(claims) ? statSync(claims).mtimeMs : 0
      resolve({ exitCode: code, verdictMs: written > t0 ? Math.round(written - t0) : end - t0, wallMs: end - t0 })
    })
  })
}

function readClaims(name: string): ClaimsReport | undefined {
  const file = join(runDir(name), 'claims.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClaimsReport) : undefined
}

// Healthy again: API ready, nodes Ready, CoreDNS and the provisioner available, and a pod
// resolves a name and writes to a claim of the default class.
async function checkHealthy(ctx: FaultContext): Promise<void> {
  await poll({ what: 'kube-apiserver /readyz', timeoutMs: 60_000, check: apiReadyz })
  await poll({ what: 'every node Ready', timeoutMs: 120_000, check: () => nodesReady(ctx.c, ctx.nodes) })
  await poll({ what: 'CoreDNS', timeoutMs: 120_000, check: () => deploymentAvailable(ctx.c, 'kube-system', 'coredns') })
  await poll({ what: 'local-path-provisioner', timeoutMs: 120_000, check: () => deploymentAvailable(ctx.c, 'local-path-storage', 'local-path-provisioner') })
  await fitnessCheck(ctx.c, `sensitivity-check-${Date.now().toString(36)}`, ctx.shape.clusterDomain, 120_000)
}

// The claim IDs the spec files carry in their test names ('Q1-08 a claim in use …').
const claimIdsInSpecs = (files: string[]) => [...new Set(files.flatMap((f) =>
  [...readFileSync(join(repoRoot, f), 'utf8').matchAll(/['`]((?:Q\d|SC|DR)-\d\d) /g)].map((m) => m[1]!)))].sort()

function allClaimIds(): string[] {
  const md = process.env.SC_CLAIMS_MD ?? join(repoRoot, '..', 'shared', 'claims.md')
  if (existsSync(md)) return claimIdsOf(readFileSync(md, 'utf8'))
  // Without the catalogue beside the repository: the IDs the specs carry.
  return claimIdsInSpecs(readdirSync(join(repoRoot, 'specs')).filter((f) => f.endsWith('.spec.ts')).map((f) => `specs/${f}`))
}

async function runFault(f: Fault, ctx: FaultContext, specs: string[], baselineMs: number | undefined): Promise<FaultResult> {
  const startedAt = new Date().toISOString()
  // The catalogue entry goes with the result: --report later tells a reclassification from the run's own verdict.
  const base = { name: f.name, kind: kindOf(f), component: f.component, breaks: f.breaks, specs, startedAt, expectation: expectationOf(f), ...(baselineMs ? { baselineMs } : {}) }
  console.log(`\n▶ ${f.name}${f.slow ? ' (healthy but slow: must fail nothing)' : ''}: ${f.breaks}`)
  let suite = { exitCode: null as number | null, verdictMs: 0, wallMs: 0 }
  let error: string | undefined
  // Ctrl-C (or a CI timeout's SIGTERM) mid-fault: the fault is undone before the run ends.
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: restoring ${f.name} before stopping`)
    f.restore(ctx).catch((err: Error) => console.error(`restoring ${f.name}: ${err.message}`)).finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    if (f.at === 'before') {
      await f.inject(ctx)
      console.log(`  injected; running ${specs.join(' ')}`)
      suite = await runSuite(f.name, specs, f.env, f.suite)
    } else {
      const at = f.at
      let ended = false
      const running = runSuite(f.name, specs, f.env, f.suite).finally(() => { ended = true })
      const injected = new Promise<void>((resolve, reject) => setTimeout(() => {
        if (ended) return reject(new Error(`the run ended before ${at / 1000} s, so the fault never struck it`))
        console.log(`  ${at / 1000} s into the run: injecting`)
        f.inject(ctx).then(resolve, reject)
      }, at))
      ;[suite] = await Promise.all([running, injected])
    }
  } catch (err) {
    error = `injecting or running: ${(err as Error).message}`
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await f.restore(ctx).catch((err: Error) => { error = `${error ? `${error}; ` : ''}restoring: ${err.message}` })
  }
  let healthyAfter = true
  let healthNote: string | undefined
  await checkHealthy(ctx).catch((err: Error) => { healthyAfter = false; healthNote = err.message })
  const claims = readClaims(f.name)
  const matrix = faultMatrix(expectationOf(f), (claims?.claims ?? []).map(matrixInput), claimIdsInSpecs(specs))
  // Classes the run's capability probe saw unable to provision: their [sc] failures are the class's, not the claims'.
  const classesNotProvisioning = Object.values(claims?.run.capabilities ?? {}).filter((c) => provisioningFailure(c)).map((c) => c.storageClass)
  if (!claims) error = `${error ? `${error}; ` : ''}the run wrote no claims.json (see ${join(runDir(f.name), 'vitest.log')})`
  const result: FaultResult = { ...base, verdictMs: suite.verdictMs, wallMs: suite.wallMs, exitCode: suite.exitCode, healthyAfter, ...(healthNote ? { healthNote } : {}), ...matrix, ...(classesNotProvisioning.length ? { classesNotProvisioning } : {}), ...(error ? { error } : {}) }
  const counts = (cell: string) => matrix.cells.filter((c) => c.cell === cell).length
  console.log(`  verdict in ${formatDuration(suite.verdictMs)} (run ended after ${formatDuration(suite.wallMs)}): ${counts('expected failure')} expected failures, ${counts('failed')} allowed failures, ${counts('passed')} passed, ${counts('partial')} partial (not counted as passed), ${counts('skipped')} skipped, ${counts('unexpected failure')} unexpected failures, ${counts('missed')} missed`)
  for (const d of matrix.deviations) console.log(`  ✗ ${d}`)
  if (matrix.notRun.length) console.log(`  not run (spec files not selected): ${matrix.notRun.join(', ')}`)
  if (!healthyAfter) console.log(`  ✗ not healthy after restoring: ${healthNote}`)
  if (error) console.log(`  ✗ ${error}`)
  return result
}

// Why a claim is not counted by a score, where its cells do not say more: the catalogue's reason it
// cannot fail here, or the faults of the score's kind that should make it fail and have not run on it.
function reasonsNotCounted(results: FaultResult[], kind: FaultKind): Record<string, string> {
  const reasons: Record<string, string> = { ...unbreakable }
  const ofKind = faults.filter((f) => kindOf(f) === kind)
  for (const id of allClaimIds()) {
    if (reasons[id]) continue
    const should = ofKind.filter((f) => f.mustBreak.some((r) => parseRef(r).id === id)).map((f) => f.name)
    const ran = should.filter((n) => results.some((r) => r.name === n && r.cells.some((c) => c.id === id)))
    const yet = kind === 'mutant' && noMutantYet[id] ? `: ${noMutantYet[id]}` : ''
    reasons[id] = !should.length ? `no ${kind === 'mutant' ? 'semantic mutant' : 'component fault'} of the catalogue names it${yet}`
      : ran.length ? `${ran.join(', ')} ran on it and it did not count (${should.join(', ')} must make it fail)`
        : `not run yet under ${should.join(', ')}, which must make it fail`
  }
  return reasons
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.list) return list()
  if (args.report) return report()
  // A cluster this run brought up is taken down at its end; one already up is left as it was.
  const wasUp = await isUp()
  await up()
  try {
    await runFaults(args)
  } finally {
    if (!wasUp) {
      console.log('\nstopping the cluster this run started (npm run cluster:down)')
      await down()
    }
  }
}

async function runFaults(args: Args): Promise<void> {
  const shape = recordedShape()!
  const nodes = nodesOf(shape)
  const ctx: FaultContext = { c: clients(paths.kubeconfig), shape, nodes }
  const chosen = faults.filter((f) => !args.faults || args.faults.includes(f.name))
  const cluster = `embedded instance ${instance}: ${describeShape(shape)}`
  const results: FaultResult[] = []
  const baselines = new Map<string, number>()
  for (const f of chosen) {
    if (f.needs?.ext4Class && !shape.ext4Class) {
      console.log(`\n– ${f.name}: skipped, the cluster has no ext4 class (cluster:up -- --shape=cloud)`)
      continue
    }
    if (f.needs?.nodes && nodes.length < f.needs.nodes) {
      console.log(`\n– ${f.name}: skipped, the cluster has ${nodes.length} node${nodes.length === 1 ? '' : 's'} and the fault needs ${f.needs.nodes}`)
      continue
    }
    const specs = args.specs ? f.specs.filter((s) => args.specs!.includes(s)) : f.specs
    if (!specs.length) {
      console.log(`\n– ${f.name}: skipped, none of its spec files (${f.specs.join(', ')}) was selected`)
      continue
    }
    const key = `${specs.join(' ')} ${JSON.stringify(f.env ?? {})}`
    if (args.baseline && !baselines.has(key)) {
      console.log(`\n▶ healthy run of ${specs.join(' ')} (the bound on time to verdict is twice its wall time)`)
      const healthy = await runSuite(`healthy-${baselines.size}`, specs, f.env, f.suite)
      console.log(`  healthy run: verdict in ${formatDuration(healthy.verdictMs)} (run ended after ${formatDuration(healthy.wallMs)}), exit ${healthy.exitCode}`)
      baselines.set(key, healthy.verdictMs)
    }
    results.push(await runFault(f, ctx, specs, baselines.get(key)))
    // Written after every fault: an interrupted run keeps what it found.
    await writeReport(results, cluster, { quiet: true })
  }
  const { differing: failedRuns } = await writeReport(results, cluster)
  // The bound is measured with --baseline; --enforce-bound makes a verdict over it fail the run,
  // but for a healthy-but-slow fault, whose verdict is late by the delay it adds on purpose.
  const slow = results.filter((r) => withinBound(r) === false)
  const byDesign = (r: FaultResult) => faults.find((f) => f.name === r.name)?.slow === true
  for (const r of slow) console.log(`${r.name}: verdict in ${formatDuration(r.verdictMs)}, over the bound of ${formatDuration(2 * r.baselineMs!)} (twice the healthy run)${byDesign(r) ? '; a slow fault, so not enforced' : ''}`)
  const differing = results.filter((r) => failedRuns.includes(r.name) || (args.enforceBound && slow.includes(r) && !byDesign(r)))
  console.log(`faults this run: ${results.length}, as the catalogue says: ${results.length - differing.length}${differing.length ? `, differing: ${differing.map((r) => r.name).join(', ')}` : ''}`)
  if (differing.length) process.exitCode = 1
}

const previousFile = join(reportsDir, 'sensitivity.json')
const readPrevious = (): SensitivityReport | undefined =>
  existsSync(previousFile) ? (JSON.parse(readFileSync(previousFile, 'utf8')) as SensitivityReport) : undefined

// Merges this run's results into reports/sensitivity.json, every stored result judged again by the
// catalogue as it is now (a cell it classes otherwise is marked reclassified, not re-run), and
// writes the pages. Returns the faults that differ.
async function writeReport(results: FaultResult[], cluster: string, { quiet = false } = {}): Promise<{ differing: string[]; report: SensitivityReport }> {
  const merged = mergeResults(readPrevious()?.faults ?? [], results).map((r) => {
    const f = faults.find((x) => x.name === r.name)
    return f ? rejudge(r, f, claimIdsInSpecs(r.specs)) : r
  })
  const ids = allClaimIds()
  const report: SensitivityReport = {
    generatedAt: new Date().toISOString(), cluster, faults: merged,
    property: propertyScore(ids, merged, reasonsNotCounted(merged, 'mutant')),
    detection: detectionScore(ids, merged, reasonsNotCounted(merged, 'component')),
  }
  await mkdir(reportsDir, { recursive: true })
  await writeFile(previousFile, JSON.stringify(report, null, 2) + '\n')
  await writeFile(join(reportsDir, 'sensitivity.html'), renderSensitivityHtml(report))
  await writeFile(join(reportsDir, 'sensitivity.md'), renderSensitivityMarkdown(report))
  if (!quiet) printScores(report, 'the faults run so far')
  return { differing: merged.filter((r) => r.deviations.length || !r.healthyAfter || r.error).map((r) => r.name), report }
}

function printScores(report: SensitivityReport, from: string): void {
  console.log(`\nscores from ${from}:`)
  console.log(`  ${describeScore('property score', report.property, 'mutant')}`)
  console.log(`  ${describeScore('detection score', report.detection, 'component')}`)
  console.log(`  ${join(reportsDir, 'sensitivity.html')}`)
}

// --report: no cluster; the stored results again, against the catalogue as it is now (nothing re-run).
async function report(): Promise<void> {
  const previous = readPrevious()
  if (!previous) throw new Error(`--report: no ${previousFile} yet (npm run sensitivity runs the faults first)`)
  const { differing, report: now } = await writeReport([], previous.cluster, { quiet: true })
  for (const r of now.faults) {
    const reclassified = r.cells.filter((c) => c.reclassified).length
    console.log(`${r.name.padEnd(30)} ${formatDuration(r.verdictMs).padStart(10)}${r.baselineMs ? ` (bound ${formatDuration(2 * r.baselineMs)}${withinBound(r) ? '' : ', over'})` : ''}  ${r.deviations.length ? `${r.deviations.length} deviations` : 'as the catalogue says'}`
      + `${r.reclassifiedAgainst ? `; judged against a catalogue entry ${r.expectation ? 'edited since the run' : 'the run did not store'}, ${reclassified} cell${reclassified === 1 ? '' : 's'} reclassified, not re-run` : ''}`)
    for (const d of r.deviations) console.log(`  ✗ ${d}`)
  }
  printScores(now, 'the stored runs (--report re-runs nothing)')
  if (differing.length) process.exitCode = 1
}

main().catch((err: Error) => {
  console.error(`sensitivity: ${err.message}`)
  process.exitCode = 1
})
