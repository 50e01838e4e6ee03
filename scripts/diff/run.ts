// npm run diff -- A B [--out DIR]
// A and B are two runs: each a report folder (reports/, reports/kind-shape/) or a claims.json.
// Sorts every claim × storage class into regressions, fixes, visibility lost or gained, claims
// missing or added, and timing shifts beyond the runs' own noise (compare.ts); writes diff.md and
// diff.html into DIR (default reports/diff/) and prints the counts and the regressions.
// Or A and B are two datasheets of one class (reports/datasheets/<class>.json): the same for the
// class's claims, and its capabilities lost, gained or changed and its measured figures shifted
// (datasheet-compare.ts); a lost capability is a regression too.
// Exits 1 on any regression (CI can gate an upgrade on it), 2 on bad input, 0 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { changes, compareRuns, describeChange, type RunDiff } from './compare.ts'
import { compareDatasheets, describeCapabilityChange, describeFigureShift } from './datasheet-compare.ts'
import { renderDatasheetDiffHtml, renderDatasheetDiffMarkdown } from './datasheet-pages.ts'
import { BadInput, callerDir, exitWith, type Input, loadInput, pathsAndOut, shown } from './load.ts'
import { describeNoise, renderDiffHtml, renderDiffMarkdown } from './pages.ts'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const usage = 'usage: npm run diff -- A B [--out DIR]  (A, B: a report folder or a claims.json; or two datasheets of one class)'

function parseArgs(argv: string[]): { a: string; b: string; out: string } {
  const { paths, out } = pathsAndOut(argv, usage)
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

// Two runs, or two datasheets of one class: the pages written, the lines printed, the regressions counted.
function diffOf(args: { a: string; b: string }, x: Input, y: Input): { md: string; html: string; lines: string[]; regressions: number } {
  if (x.kind === 'run' && y.kind === 'run') {
    const a = { label: args.a, report: x.report }
    const b = { label: args.b, report: y.report }
    const diff = compareRuns(a.report, b.report)
    return { md: renderDiffMarkdown({ a, b, diff }), html: renderDiffHtml({ a, b, diff }), lines: summary(diff), regressions: diff.counts.regression }
  }
  if (x.kind === 'datasheet' && y.kind === 'datasheet') {
    if (x.sheet.storageClass !== y.sheet.storageClass) {
      throw new BadInput(`${args.a} is the datasheet of class ${x.sheet.storageClass}, ${args.b} of class ${y.sheet.storageClass}: only two datasheets of one class compare`)
    }
    const a = { label: args.a, sheet: x.sheet }
    const b = { label: args.b, sheet: y.sheet }
    const diff = compareDatasheets(a.sheet, b.sheet)
    const lines = [
      `storage class ${diff.storageClass}`,
      ...summary(diff.run),
      `capabilities: ${diff.capabilities.length} changed; measured figures: ${diff.shifts.length} shifted`,
      ...diff.capabilities.map((c) => `  ${c.change === 'lost' ? '✗' : '·'} ${describeCapabilityChange(c)}`),
      ...diff.shifts.map((f) => `  ${f.worse ? '▼' : '▲'} ${describeFigureShift(f)}`),
    ]
    return { md: renderDatasheetDiffMarkdown({ a, b, diff }), html: renderDatasheetDiffHtml({ a, b, diff }), lines, regressions: diff.regressions }
  }
  const what = (i: Input) => (i.kind === 'run' ? 'a run' : 'a datasheet')
  throw new BadInput(`${args.a} is ${what(x)}, ${args.b} ${what(y)}: compare two runs or two datasheets`)
}

function main(argv: string[]): number {
  const args = parseArgs(argv)
  const d = diffOf(args, loadInput(resolve(callerDir, args.a)), loadInput(resolve(callerDir, args.b)))
  mkdirSync(args.out, { recursive: true })
  writeFileSync(join(args.out, 'diff.md'), d.md)
  writeFileSync(join(args.out, 'diff.html'), d.html)
  console.log(`diff ${args.a} → ${args.b}`)
  for (const line of d.lines) console.log(line)
  console.log(`wrote diff.md and diff.html in ${shown(args.out)}`)
  return d.regressions ? 1 : 0
}

exitWith('diff', () => main(process.argv.slice(2)))
