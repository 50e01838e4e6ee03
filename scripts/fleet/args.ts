// npm run fleet's command line: which clusters (kubeconfig contexts, embedded instances), where the
// reports go, and what passes through to each cluster's vitest; and the environment each child gets.
import { parseInstanceName } from '../../cluster/base/config.ts'
import { BadInput } from '../diff/load.ts'

// A cluster of the fleet. Its label names its column and its reports folder (<out>/<label>).
export type FleetTarget = { label: string; context: string } | { label: string; embedded: string }

export interface FleetArgs {
  targets: FleetTarget[]
  // As given (relative to the caller's folder); none: the reports folder's fleet/.
  out?: string
  // Spec files, -t NAME and any other vitest option, in their order.
  vitestArgs: string[]
}

export const usage = 'usage: npm run fleet -- --contexts=a,b [--embedded=dev,prod] [--out DIR] [spec files, -t NAME: passed to vitest]  (or SC_CONTEXTS=a,b npm run fleet)'

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean)

export function parseFleetArgs(argv: string[], env: Record<string, string | undefined>): FleetArgs {
  let contexts: string[] | undefined
  let embedded: string[] = []
  let out: string | undefined
  const vitestArgs: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      vitestArgs.push(...argv.slice(i + 1))
      break
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    if (flag !== '--contexts' && flag !== '--embedded' && flag !== '--out') {
      if (flag === '--project') throw new BadInput(`${arg}: the fleet runs the specs project on every cluster; ${usage}`)
      vitestArgs.push(arg)
      continue
    }
    const value = inline ?? argv[++i]
    if (!value || (inline === undefined && value.startsWith('-'))) throw new BadInput(`${flag} needs a value; ${usage}`)
    if (flag === '--contexts') contexts = list(value)
    else if (flag === '--embedded') embedded = list(value)
    else out = value
  }
  // The command line wins over the environment.
  contexts ??= list(env.SC_CONTEXTS ?? '')
  if (!contexts.length && !embedded.length) throw new BadInput(`no clusters named; ${usage}`)
  return { targets: targetsOf(contexts, embedded), ...(out ? { out } : {}), vitestArgs }
}

// A folder name a reader recognises: the context's own name where it can be one.
const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'cluster'

function targetsOf(contexts: string[], embedded: string[]): FleetTarget[] {
  const twice = [contexts, embedded].flatMap((names) => names.filter((n, i) => names.indexOf(n) !== i))
  if (twice.length) throw new BadInput(`named twice: ${[...new Set(twice)].join(', ')} (each cluster runs once)`)
  const instances = embedded.map((name) => {
    try {
      return parseInstanceName(name)
    } catch (err) {
      throw new BadInput(`--embedded: ${(err as Error).message.replace(/^SC_CLUSTER_NAME=/, '')}`)
    }
  })
  const labels = new Set<string>()
  // Two names that read alike as folders ("a/b", "a:b") get -2, -3 …
  const unique = (name: string) => {
    let label = name
    for (let n = 2; labels.has(label.toLowerCase()); n++) label = `${name}-${n}`
    labels.add(label.toLowerCase())
    return label
  }
  return [
    ...contexts.map((context) => ({ label: unique(safeName(context)), context })),
    ...instances.map((name) => ({ label: unique(`embedded-${name}`), embedded: name })),
  ]
}

export const describeTarget = (t: FleetTarget) => ('context' in t ? `context "${t.context}"` : `the embedded cluster's instance ${t.embedded}`)

// The child's environment: the caller's (every other SC_* option applies to each cluster), with the
// cluster and the reports folder its own. Naming a context confirms it, as SC_CONTEXT does.
export function childEnv(t: FleetTarget, env: Record<string, string | undefined>, reportsDir: string): Record<string, string | undefined> {
  const { SC_CONTEXT: _context, SC_CLUSTER: _cluster, SC_CLUSTER_NAME: _name, SC_REPORTS_DIR: _reports, ...rest } = env
  return 'context' in t
    ? { ...rest, SC_CLUSTER: 'current', SC_CONTEXT: t.context, SC_REPORTS_DIR: reportsDir }
    : { ...rest, SC_CLUSTER: 'embedded', SC_CLUSTER_NAME: t.embedded, SC_REPORTS_DIR: reportsDir }
}

const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

// The command that removes what a cluster's run left: npm run clean on its cluster, with the records its run kept.
export const cleanCommand = (t: FleetTarget, reportsDir: string) =>
  `${'context' in t ? `SC_CONTEXT=${shellWord(t.context)}` : `SC_CLUSTER=embedded SC_CLUSTER_NAME=${t.embedded}`} SC_REPORTS_DIR=${shellWord(reportsDir)} npm run clean`
