// npm run datasheet -- RUN [--out DIR] [--class NAME]…
// RUN is a finished run: its report folder (reports/, reports/kind-shape/) or its claims.json.
// Writes <class>.json and <class>.html per storage class of the run (lib/report/datasheet.ts)
// into DIR (default: datasheets/ beside the claims.json, where the run's reporter writes them)
// and prints one line per class. Exits 2 on bad input (the path named), 0 otherwise.
import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { buildDatasheet, classesOfRun, type Datasheet } from '../../lib/report/datasheet.ts'
import { writeDatasheets } from '../../lib/report/datasheet-files.ts'
import { BadInput, callerDir, exitWith, loadClaims, shown } from '../diff/load.ts'

const usage = 'usage: npm run datasheet -- RUN [--out DIR] [--class NAME]…  (RUN: a report folder or a claims.json)'

function parseArgs(argv: string[]): { run: string; out?: string; classes: string[] } {
  const paths: string[] = []
  const classes: string[] = []
  let out: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = (name: string) => {
      const v = arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : argv[++i]
      if (!v) throw new BadInput(`${name} needs a value; ${usage}`)
      return v
    }
    if (arg === '--out' || arg.startsWith('--out=')) out = value('--out')
    else if (arg === '--class' || arg.startsWith('--class=')) classes.push(value('--class'))
    else if (arg.startsWith('-')) throw new BadInput(`unknown option ${arg}; ${usage}`)
    else paths.push(arg)
  }
  if (paths.length !== 1) throw new BadInput(`expected one run, got ${paths.length}; ${usage}`)
  return { run: paths[0]!, classes, ...(out ? { out } : {}) }
}

// "ext4: 31 passed, 0 partial, 0 failed, 0 broken, 4 skipped; bound p50 2.3 s (4 samples); fio 32,460 read IOPS"
function describeDatasheet(d: Datasheet): string {
  const t = d.totals
  const p = d.timings.bind.percentiles
  const io = d.io?.figures
  return `${d.storageClass}: ${t.passed} passed, ${t.partial} partial, ${t.failed} failed, ${t.broken} broken, ${t.skipped} skipped`
    + `; bound p50 ${p ? `${(p.p50 / 1000).toFixed(1)} s (${p.n} sample${p.n === 1 ? '' : 's'})` : 'not recorded'}`
    + `; fio ${io ? `${io.randReadIops.toLocaleString('en-US')} read IOPS, p99 ${io.randReadLatencyUs.p99} µs` : 'not recorded'}`
}

function main(argv: string[]): number {
  const args = parseArgs(argv)
  const path = resolve(callerDir, args.run)
  const report = loadClaims(path)
  const known = classesOfRun(report)
  const unknown = args.classes.filter((c) => !known.includes(c))
  if (unknown.length) throw new BadInput(`${args.run}: the run has no class ${unknown.join(', ')} (it has ${known.join(', ') || 'none'})`)
  const classes = args.classes.length ? args.classes : known
  if (!classes.length) throw new BadInput(`${args.run}: the run names no storage class (no [sc] claim ran)`)
  const claimsDir = statSync(path).isDirectory() ? path : dirname(path)
  const out = args.out ? resolve(callerDir, args.out) : resolve(claimsDir, 'datasheets')
  writeDatasheets(report, out, classes)
  for (const c of classes) console.log(describeDatasheet(buildDatasheet(report, c)))
  console.log(`wrote ${classes.length} datasheet${classes.length === 1 ? '' : 's'} (JSON and HTML) in ${shown(out)}`)
  return 0
}

exitWith('datasheet', () => main(process.argv.slice(2)))
