// npm run sensitivity's command line (run.ts): which faults, which spec files, and what to do.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../cluster/base/config.ts'
import { faults } from './catalogue.ts'
import { kindOf } from './fault-claims.ts'

export interface Args { list: boolean; report: boolean; faults?: string[]; specs?: string[]; baseline: boolean; enforceBound: boolean }

// 001c, 001c-closing-questions, specs/001c-closing-questions.spec.ts: the same file.
const specPath = (s: string) => {
  const named = readdirSync(join(repoRoot, 'specs')).filter((f) => f.endsWith('.spec.ts')).filter((f) => f.startsWith(s.replace(/^specs\//, '').replace(/\.spec\.ts$/, '')))
  if (named.length !== 1) throw new Error(`--spec=${s}: ${named.length ? `names ${named.join(', ')}` : 'no such spec file'}`)
  return `specs/${named[0]}`
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { list: false, report: false, baseline: false, enforceBound: false }
  for (const a of argv) {
    const [flag, value] = a.split('=', 2)
    if (flag === '--list') args.list = true
    else if (flag === '--report') args.report = true
    else if (flag === '--baseline') args.baseline = true
    else if (flag === '--enforce-bound') args.enforceBound = args.baseline = true
    else if (flag === '--fault' && value) args.faults = [...(args.faults ?? []), ...value.split(',')]
    else if (flag === '--spec' && value) args.specs = [...(args.specs ?? []), ...value.split(',').map(specPath)]
    else throw new Error(`unknown option ${a}: accepted --list, --report, --fault=NAME[,NAME], --spec=FILE[,FILE], --baseline, --enforce-bound`)
  }
  const unknown = (args.faults ?? []).filter((n) => !faults.some((f) => f.name === n))
  if (unknown.length) throw new Error(`no such fault: ${unknown.join(', ')} (npm run sensitivity -- --list)`)
  return args
}

// --list: each fault, what it must break and the files it runs.
export function list(): void {
  for (const f of faults) {
    console.log(`${f.name.padEnd(30)} ${kindOf(f) === 'mutant' ? 'mutant of ' : ''}${f.component}${f.needs?.ext4Class ? '  (cloud shape: needs the ext4 class)' : ''}${f.needs?.nodes ? `  (needs ${f.needs.nodes} nodes)` : ''}${f.at === 'before' ? '' : `  (${f.at / 1000} s into the run)`}`)
    console.log(`${''.padEnd(30)} must break: ${f.slow ? 'nothing: healthy but slow, no claim may fail' : f.mustBreak.join(', ') || 'nothing (no claim may fail)'}`)
    if (f.mustFail) console.log(`${''.padEnd(30)} must fail in a Then or And step: ${Object.keys(f.mustFail).join(', ')}`)
    console.log(`${''.padEnd(30)} runs: ${f.specs.map((s) => s.replace(/^specs\/|\.spec\.ts$/g, '')).join(', ')}`)
  }
}
