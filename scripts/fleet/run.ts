// npm run fleet -- --contexts=a,b [--embedded=dev,prod] [--out DIR] [spec files, -t NAME …]
// (or SC_CONTEXTS=a,b npm run fleet): every selected claim on each cluster at once, one vitest per
// cluster (children.ts) with SC_REPORTS_DIR=<out>/<label>, so each has its own preflight, probe, gate,
// clean-up and reports; then one report of them all: <out>/index.html, fleet.json and fleet.md (merge.ts,
// pages.ts), each cell linking to the claim in that cluster's report. A cluster whose setup refused
// it is a column saying why; the others go on. Ctrl-C is forwarded to every run, which removes what
// it made; the fleet waits while they report, then exits 130.
// Exits 1 if a cluster did not report or a claim failed or broke (a waived one aside), 2 on bad input.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { formatDuration } from '../../lib/report/matrix.ts'
import { clearPreviousRun } from '../../lib/report/previous.ts'
import { BadInput, loadClaims } from '../diff/load.ts'
import { childEnv, describeTarget, type FleetArgs, parseFleetArgs } from './args.ts'
import { quietAfterExitMs, type RunningChild, startChild, vitestCommand } from './children.ts'
import { buildFleet, clusterColumn, type ClusterResult, describeCluster, describeFleet, fleetExitCode } from './merge.ts'
import { startedItsCleanUp } from './output.ts'
import { renderFleetHtml, renderFleetMarkdown } from './pages.ts'

const repoRoot = resolve(import.meta.dirname, '..', '..')
// npm runs a script in the package's folder; paths on its command line are the caller's.
const callerDir = process.env.INIT_CWD ?? process.cwd()
const progressEveryMs = 60_000

const since = (t: number) => formatDuration(Date.now() - t)
const shown = (path: string) => {
  const r = relative(callerDir, path)
  return r.startsWith('..') ? path : r || '.'
}

// Ctrl-C (or SIGTERM): forwarded to every run still going, once; again, and the fleet stops waiting.
// A closed terminal (SIGHUP) is a Ctrl-C: a run's global setup cleans up on SIGINT and SIGTERM only.
function forwardSignals(children: RunningChild[]): { interrupted: () => boolean } {
  let interrupted = false
  const onSignal = (received: NodeJS.Signals) => {
    const signal = received === 'SIGHUP' ? 'SIGINT' : received
    const key = received === 'SIGINT' ? 'Ctrl-C' : received
    if (interrupted) {
      console.error(`\nfleet: ${key} again: exiting now; each run's clean-up goes on in the background. What one leaves: ${children.map((c) => c.clean).join('; ')}`)
      process.exit(130)
    }
    interrupted = true
    const running = children.filter((c) => !c.exited())
    console.error(`\nfleet: ${key}: passing ${signal} to ${running.length} run${running.length === 1 ? '' : 's'} (${running.map((c) => c.target.label).join(', ') || 'none'}); `
      + `each removes what it made, in the background. Waiting while they report (until one prints nothing for ${quietAfterExitMs.interrupted / 1000} s); ${key} again stops waiting`)
    for (const c of running) c.interrupt(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  // Nor may the terminal's going away end the fleet before its runs have cleaned up.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined)
  return { interrupted: () => interrupted }
}

// "fleet: running 2 (a 4 min 10 s, last line 3.0 s ago; …); done 1"
function progressLine(children: RunningChild[]): string {
  const running = children.filter((c) => !c.exited())
  const list = running.map((c) => `${c.target.label} ${since(c.startedAt)}, last line ${since(c.lastOutputAt())} ago`).join('; ')
  return `fleet: running ${running.length}${list ? ` (${list})` : ''}; done ${children.length - running.length}`
}

// Its claims.json if the run wrote one (the folder was emptied of the last run's before it started).
function resultOf(c: RunningChild, end: ClusterResult['end'], dir: string): ClusterResult {
  if (!existsSync(join(dir, 'claims.json'))) return { target: c.target, end }
  try {
    return { target: c.target, end, report: loadClaims(dir) }
  } catch (err) {
    if (err instanceof BadInput) return { target: c.target, end, reportProblem: err.message }
    throw err
  }
}

async function main(args: FleetArgs): Promise<number> {
  const out = args.out ? resolve(callerDir, args.out) : resolve(repoRoot, process.env.SC_REPORTS_DIR || 'reports', 'fleet')
  const dirOf = (label: string) => join(out, label)
  mkdirSync(out, { recursive: true })
  for (const name of ['index.html', 'fleet.json', 'fleet.md']) rmSync(join(out, name), { force: true })
  // A run that fails its preflight writes no claims.json: one left from the last run must not stand in for it.
  for (const t of args.targets) await clearPreviousRun(dirOf(t.label))

  // Before the first child starts: a Ctrl-C from then on reaches every run.
  const children: RunningChild[] = []
  const signals = forwardSignals(children)
  const startedAt = new Date().toISOString()
  console.log(`fleet: ${args.targets.length} cluster${args.targets.length === 1 ? '' : 's'} at once: ${args.targets.map((t) => `${t.label} (${describeTarget(t)})`).join(', ')}`
    + `${args.vitestArgs.length ? `; vitest ${args.vitestArgs.join(' ')}` : ''}; reports in ${shown(out)}`)
  const labelWidth = Math.max(...args.targets.map((t) => t.label.length))
  for (const target of args.targets) {
    children.push(startChild({ target, env: childEnv(target, process.env, dirOf(target.label)), args: vitestCommand(args.vitestArgs), cwd: repoRoot, labelWidth }))
    if (signals.interrupted()) children.at(-1)!.interrupt('SIGINT')
  }
  const progress = setInterval(() => console.log(progressLine(children)), progressEveryMs)
  const results = await Promise.all(children.map(async (c) => {
    const r = resultOf(c, await c.ended, dirOf(c.target.label))
    console.log(`fleet: done after ${since(c.startedAt)}: ${describeCluster(clusterColumn(r))}`)
    if (r.end.interrupted && !startedItsCleanUp(r.end.tail)) {
      console.error(`fleet: ${c.target.label} was stopped before its setup was done, so it started no clean-up: \`${c.clean}\` removes what its setup made`)
    }
    return r
  }))
  clearInterval(progress)

  const fleet = buildFleet(results, { startedAt, finishedAt: new Date().toISOString() })
  writeFileSync(join(out, 'fleet.json'), JSON.stringify(fleet, null, 2) + '\n')
  writeFileSync(join(out, 'fleet.md'), renderFleetMarkdown(fleet))
  writeFileSync(join(out, 'index.html'), renderFleetHtml(fleet))
  console.log(`\nfleet: ${describeFleet(fleet)}`)
  for (const c of fleet.clusters) console.log(`  ${describeCluster(c, labelWidth)}`)
  console.log(`fleet: ${shown(join(out, 'index.html'))}, fleet.md, fleet.json; each cluster's own reports in ${shown(out)}/<cluster>/`)
  return signals.interrupted() ? 130 : fleetExitCode(fleet)
}

try {
  process.exitCode = await main(parseFleetArgs(process.argv.slice(2), process.env))
} catch (e) {
  // Not 1: that says a cluster failed, and a fleet that could not start says nothing of the clusters.
  console.error(e instanceof BadInput ? `fleet: ${e.message}` : e)
  process.exitCode = 2
}
