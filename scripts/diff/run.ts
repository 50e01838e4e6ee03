// npm run diff -- A B [--out DIR]
// A and B are two runs: each a report folder (reports/, reports/kind-shape/) or a claims.json.
// Sorts every claim × storage class into regressions, fixes, visibility lost or gained, claims
// missing or added, and timing shifts beyond the runs' own noise (compare.ts); writes diff.md and
// diff.html into DIR (default reports/diff/) and prints the counts and the regressions.
// Exits 1 on any regression (CI can gate an upgrade on it), 2 on bad input, 0 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { changes, compareRuns, describeChange, type RunDiff } from './compare.ts'
import { BadInput, loadClaims } from './load.ts'
import { describeNoise, renderDiffHtml, renderDiffMarkdown } from './pages.ts'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
// npm runs a script in the package's folder; paths on its command line are the caller's.
const callerDir = process.env.INIT_CWD ?? process.cwd()
const usage = 'usage: npm run diff -- A B [--out DIR]  (A, B: a report folder or a claims.json)'

function parseArgs(argv: string[]): { a: string; b: string; out: string } {
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
  if (paths.length !== 2) throw new BadInput(`expected two runs, got ${paths.length}; ${usage}`)
  return {
    a: paths[0]!,
    b: paths[1]!,
    out: out ? resolve(callerDir, out) : resolve(repoRoot, process.env.SC_REPORTS_DIR || 'reports', 'diff'),
  }
}

function summary(diff: RunDiff): string[] {
  const t = diff.timing
  return [
    ...diff.warnings.map((w) => `warning: ${w}`),
    `${changes.map((c) => `${c} ${diff.counts[c]}`).join(', ')}; timing shifts ${t.shifts.length}`,
    `timings: ${describeNoise(diff)}${t.unlike.length ? `; not like with like: ${t.unlike.join('; ')}` : ''}`,
    ...diff.changes.filter((k) => k.change === 'regression').map((k) => `  ✗ ${describeChange(k)}`),
  ]
}

function main(argv: string[]): number {
  const args = parseArgs(argv)
  const a = { label: args.a, report: loadClaims(resolve(callerDir, args.a)) }
  const b = { label: args.b, report: loadClaims(resolve(callerDir, args.b)) }
  const diff = compareRuns(a.report, b.report)
  mkdirSync(args.out, { recursive: true })
  writeFileSync(join(args.out, 'diff.md'), renderDiffMarkdown({ a, b, diff }))
  writeFileSync(join(args.out, 'diff.html'), renderDiffHtml({ a, b, diff }))
  console.log(`diff ${a.label} → ${b.label}`)
  for (const line of summary(diff)) console.log(line)
  const shown = relative(callerDir, args.out)
  console.log(`wrote diff.md and diff.html in ${shown.startsWith('..') ? args.out : shown || '.'}`)
  return diff.counts.regression ? 1 : 0
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (e) {
  // Not 1: that says "regression", and a diff that could not be made says nothing of the runs.
  console.error(e instanceof BadInput ? `diff: ${e.message}` : e)
  process.exitCode = 2
}
