// npm run history -- DIR… [--out DIR]
// Each DIR is a stored run (its reports folder or its claims.json) or a folder of many (a nightly's
// downloaded artifacts: every claims.json in it or below it). Lays them out over time per cluster
// (build.ts): each claim × storage class's verdict run by run, its flake rate and its first bad run;
// writes index.html and history.json into DIR (default reports/history/) and prints what it read and
// the breaks of each cluster's latest run. A report, not a gate: exits 0, or 2 on bad input.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildHistory, describeChanged, type History, type StoredRun } from './build.ts'
import { BadInput, loadRuns } from './load.ts'
import { callerDir, exitWith, pathsAndOut, shown } from '../diff/load.ts'
import { renderHistoryHtml } from './page.ts'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const usage = 'usage: npm run history -- DIR… [--out DIR]  (DIR: a report folder, a claims.json, or a folder of runs)'

function parseArgs(argv: string[]): { paths: string[]; out: string } {
  const { paths, out } = pathsAndOut(argv, usage)
  if (!paths.length) throw new BadInput(`no runs given; ${usage}`)
  return { paths, out: out ? resolve(callerDir, out) : resolve(repoRoot, process.env.SC_REPORTS_DIR || 'reports', 'history') }
}

// Per cluster: its runs, and the breaks of its latest run (the news of a nightly).
function summary(h: History): string[] {
  const runs = new Map(h.runs.map((r) => [r.name, r]))
  return h.series.flatMap((s) => {
    const latest = s.runs.at(-1)
    const news = s.rows.flatMap((row) => row.breaks.filter((b) => b.run === latest).map((b) =>
      `  ✗ ${row.id}${row.storageClass ? ` [${row.storageClass}]` : ''} ${b.status} in ${b.run}, after it held in ${b.after}: ${describeChanged(b.changed)}`))
    const flaky = s.rows.filter((r) => r.flake.changes).length
    const failing = s.rows.filter((r) => r.failingNow).length
    const last = latest ? runs.get(latest) : undefined
    return [`${s.key}: ${s.runs.length} run${s.runs.length === 1 ? '' : 's'} (latest ${latest} ${last?.startedAt ?? ''}); ${s.rows.length} rows, ${flaky} changed outcome, ${failing} failing now, ${news.length} broke in the latest run`, ...news]
  })
}

function main(argv: string[]): number {
  const args = parseArgs(argv)
  const stored: StoredRun[] = []
  for (const path of args.paths) {
    const { runs, passedOver } = loadRuns(resolve(callerDir, path), shown)
    const skipped = passedOver.length ? ` (passed over ${passedOver.join(', ')}: npm run sensitivity's runs, on clusters broken on purpose)` : ''
    console.log(`read ${runs.length} run${runs.length === 1 ? '' : 's'} from ${path}${skipped}`)
    stored.push(...runs)
  }
  const history = buildHistory(stored)
  for (const w of history.warnings) console.log(`warning: ${w}`)
  if (history.runs.length < 2) console.log('note: fewer than two runs: the page has no history yet (no flake rate, no first bad run)')
  for (const line of summary(history)) console.log(line)
  mkdirSync(args.out, { recursive: true })
  writeFileSync(join(args.out, 'history.json'), JSON.stringify(history, null, 2) + '\n')
  writeFileSync(join(args.out, 'index.html'), renderHistoryHtml(history))
  console.log(`wrote index.html and history.json (${history.runs.length} runs of ${history.series.length} cluster${history.series.length === 1 ? '' : 's'}) in ${shown(args.out)}`)
  return 0
}

exitWith('history', () => main(process.argv.slice(2)))
