// A run to compare: a report folder (reports/, reports/kind-shape/) or its claims.json; or a
// storage class's datasheet (reports/datasheets/<class>.json). Anything else is bad input,
// named by its path in one line.
import { readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { type Datasheet, isDatasheet } from '../../lib/report/datasheet.ts'
import { entriesByKey } from './compare.ts'

export class BadInput extends Error {}

// npm runs a script in the package's folder; paths on a report tool's command line are the caller's.
export const callerDir = process.env.INIT_CWD ?? process.cwd()

// A path as the caller would type it: relative to their folder, absolute when outside it.
export function shown(path: string): string {
  const r = relative(callerDir, path)
  return r.startsWith('..') ? path : r || '.'
}

// A report tool's (diff, datasheet, history) exit: main's code; on bad input one line `<tool>: <message>` and 2.
// Not 1: that says what the runs showed (a regression), and a tool that could not read them says nothing of them.
export function exitWith(tool: string, main: () => number): void {
  try {
    process.exitCode = main()
  } catch (e) {
    console.error(e instanceof BadInput ? `${tool}: ${e.message}` : e)
    process.exitCode = 2
  }
}

// A report tool's command line (diff, history): paths, and --out DIR or --out=DIR; any other option is refused.
export function pathsAndOut(argv: string[], usage: string): { paths: string[]; out: string | undefined } {
  const paths: string[] = []
  let out: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--out') {
      out = argv[++i]
      if (!out) throw new BadInput(`--out needs a folder; ${usage}`)
    } else if (arg.startsWith('--out=')) out = arg.slice('--out='.length)
    else if (arg.startsWith('-')) throw new BadInput(`unknown option ${arg}; ${usage}`)
    else paths.push(arg)
  }
  return { paths, out }
}

const statuses = new Set(['passed', 'partial', 'failed', 'broken', 'skipped'])

export type Input = { kind: 'run'; report: ClaimsReport } | { kind: 'datasheet'; sheet: Datasheet }

function readJson(path: string): { file: string; data: unknown } {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) throw new BadInput(`${path}: no such file or folder`)
  const file = stat.isDirectory() ? join(path, 'claims.json') : path
  if (stat.isDirectory() && !statSync(file, { throwIfNoEntry: false })?.isFile()) throw new BadInput(`${path}: a folder without claims.json (is it a run's reports folder?)`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new BadInput(`${file}: cannot be read (${(e as Error).message})`)
  }
  try {
    return { file, data: JSON.parse(text) }
  } catch (e) {
    throw new BadInput(`${file}: not JSON (${(e as Error).message.split('\n')[0]})`)
  }
}

// A run or a datasheet, told apart by the datasheet's format field.
export function loadInput(path: string): Input {
  const { file, data } = readJson(path)
  if (!isDatasheet(data)) return { kind: 'run', report: claimsReportOf(file, data) }
  const d = data as Partial<Datasheet>
  if (typeof d.storageClass !== 'string' || !Array.isArray(d.claims) || !Array.isArray(d.capabilities) || !d.timings || !d.run?.cluster || !d.totals) {
    throw new BadInput(`${file}: a datasheet without its storageClass, run, claims, capabilities, totals or timings`)
  }
  const bad = d.claims.findIndex((e) => typeof e?.id !== 'string' || !statuses.has(e.status) || typeof e.durationMs !== 'number')
  if (bad >= 0) throw new BadInput(`${file}: claim ${bad + 1} is not a claim entry (expected id, status and durationMs)`)
  return { kind: 'datasheet', sheet: data as Datasheet }
}

export function loadClaims(path: string): ClaimsReport {
  const { file, data } = readJson(path)
  return claimsReportOf(file, data)
}

function claimsReportOf(file: string, data: unknown): ClaimsReport {
  const report = data as Partial<ClaimsReport> | null
  if (!report || typeof report !== 'object' || !Array.isArray(report.claims) || typeof report.run?.cluster !== 'object' || !report.run.cluster) {
    throw new BadInput(`${file}: not a claims report (expected "run" with "cluster", and a "claims" list)`)
  }
  const bad = report.claims.findIndex((e) => typeof e?.id !== 'string' || !statuses.has(e.status) || typeof e.durationMs !== 'number'
    || (e.storageClass !== null && typeof e.storageClass !== 'string'))
  if (bad >= 0) throw new BadInput(`${file}: claim ${bad + 1} is not a claim entry (expected id, status, storageClass and durationMs)`)
  const { duplicates } = entriesByKey(report as ClaimsReport)
  if (duplicates.length) throw new BadInput(`${file}: lists ${duplicates.join(', ')} more than once`)
  return report as ClaimsReport
}
