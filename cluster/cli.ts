// npm run cluster:up [-- --shape=kind|cloud --nodes=N --version=1.35 …] | cluster:down | cluster:status | cluster:upgrade
// node cluster/cli.ts disrupt node-stop|node-start NODE | zone-stop|zone-start ZONE | control-plane-restart
// The command line of the embedded cluster: it parses argv and prints; what it
// runs is lifecycle.ts (and build/build.ts for `build`).
import { readdirSync } from 'node:fs'
import { kubernetesRelease, kubernetesReleases, minorOf, paths } from './base/config.ts'
import { log } from './base/log.ts'
import { errorLine } from './base/sh.ts'
import { ShapeError } from './base/shape.ts'
import { buildAll, buildMutant } from './binaries/build.ts'
import { restartControlPlane, startKubelet, startZone, stopKubelet, stopZone } from './disrupt/disrupt.ts'
import { isControlPlaneMutant, mutantNamed, mutants } from './binaries/mutants.ts'
import { type ClusterStatus, down, isUp, type ProcStatus, status, up } from './lifecycle.ts'
import { upgrade } from './upgrade.ts'
import { recordedProcs } from './nodes/node.ts'

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`
const procLine = (p: ProcStatus) =>
  `${p.component.padEnd(24)} ${p.pid ? `pid ${String(p.pid).padEnd(8)} ${mib(p.rssBytes ?? 0).padEnd(8)}` : 'not running'.padEnd(21)}${p.version ? ` ${p.version}` : ''}`.trimEnd()

// What `npm run cluster:status` prints, a line each.
export function statusLines(s: ClusterStatus): string[] {
  const lines = [`embedded cluster ${s.instance} (Kubernetes ${s.kubernetes}${s.shape ? `, ${s.shape}` : ''})`]
  lines.push(`  api ${s.api.ready ? `ready at ${s.api.at}` : `not ready (${s.api.seen})`}`)
  for (const n of s.nodes) {
    const taint = n.taints.join(',')
    lines.push(`  node ${n.name.padEnd(24)} ${n.ip.padEnd(12)} zone ${n.zone.padEnd(7)} Ready=${n.ready.padEnd(7)} memory ${mib(n.processBytes)} processes + ${mib(n.podBytes)} pods${taint ? `  taint ${taint}` : ''}`)
    for (const p of n.procs) lines.push(`    ${procLine(p)}`)
  }
  for (const p of s.host) lines.push(`  host ${procLine(p)}`)
  if (s.memoryBytes !== undefined) lines.push(`  memory of the cluster: ${mib(s.memoryBytes)}`)
  if (s.kubeconfig) lines.push(`  KUBECONFIG=${s.kubeconfig}`)
  if (s.leftovers.length) lines.push(`  leftovers (npm run cluster:down removes them): ${s.leftovers.join(', ')}`)
  lines.push(`  binaries: ${s.missingBuilds.length ? `not built yet: ${s.missingBuilds.join(', ')}` : `cached in ${s.binaryCache}`}`)
  return lines
}

async function main(): Promise<void> {
  const [cmd, ...args] = process.argv.slice(2)
  switch (cmd) {
    case 'up': return up(args)
    case 'down': return down()
    case 'status': {
      const s = await status()
      for (const line of statusLines(s)) console.log(line)
      process.exitCode = s.healthy ? 0 : 3
      return
    }
    case 'upgrade': {
      // --mutant=NAME: the release moved to has one control-plane component rebuilt wrong (a DR-05 fault).
      const mutant = /^--mutant=(.+)$/.exec(args[0] ?? '')?.[1]
      if (args.length > (mutant ? 1 : 0)) return refuse('upgrade', `upgrade takes only --mutant=NAME (${args.join(' ')}): it moves the running cluster to the pinned release`)
      const m = mutant ? mutants.find((x) => x.name === mutant) : undefined
      if (mutant && !(m && isControlPlaneMutant(m))) {
        return refuse('upgrade', `--mutant=${mutant}: not a mutant of a control-plane component; those are ${mutants.filter(isControlPlaneMutant).map((x) => x.name).join(', ')}`)
      }
      await upgrade(m ? { mutant: m } : {})
      return
    }
    case 'build': {
      // --version=1.35: that release's binaries too. With names, the semantic mutants' binaries
      // (cluster/binaries/mutants.ts), which sensitivity builds on its own otherwise.
      const parsed = buildArgs(args)
      if ('refused' in parsed) return refuse('build', parsed.refused)
      const { release, mutants } = parsed
      if (!mutants.length) return buildAll(release)
      for (const name of mutants) console.log(await buildMutant(mutantNamed(name)))
      return
    }
    case 'disrupt': return disrupt(args)
    default:
      console.error(`usage: node cluster/cli.ts up [--shape=kind|cloud|strict --nodes=N --pod-security=… --cluster-domain=… --images=… --ext4-class=… --strict=on|off --dual-stack=on|off --version=1.35] | down | status | upgrade [--mutant=NAME] | build [--version=1.35] [MUTANT …] | ${disruptUsage}`)
      process.exitCode = 2
  }
}

// Bad input to a command that must not touch the cluster: one line and exit 2 (not the ShapeError
// path, which takes down a cluster that is not up).
function refuse(cmd: string, why: string): void {
  console.error(`cluster:${cmd}: ${why}`)
  process.exitCode = 2
}

// `build`'s arguments: the release to build beside the pinned one (--version=1.35), and mutants by name.
export function buildArgs(args: string[]): { release?: string; mutants: string[] } | { refused: string } {
  const versionArg = args.find((a) => a.startsWith('--version='))
  const mutants = args.filter((a) => a !== versionArg)
  if (!versionArg) return { mutants }
  const release = kubernetesRelease(versionArg.slice('--version='.length))
  if (!release) return { refused: `${versionArg}: no such release to build; accepted: ${kubernetesReleases.map((r) => minorOf(r.version)).join('|')}` }
  return { release: release.version, mutants }
}

// The embedded cluster's disruptions (cluster/disrupt), one per call, as the DR claims' user commands
// (SC_DISRUPT_NODE_STOP and the others, docs/disruption.md) take them: each returns once it has taken effect.
const disruptUsage = 'disrupt node-stop|node-start NODE | disrupt zone-stop|zone-start ZONE | disrupt control-plane-restart'
async function disrupt([what, target]: string[]): Promise<void> {
  // Bad input is one line and exit 2, and touches nothing: not the ShapeError path, which takes down a
  // cluster that is not up.
  const refuse = (why: string) => {
    console.error(`cluster:disrupt: ${why}; usage: node cluster/cli.ts ${disruptUsage}`)
    process.exitCode = 2
  }
  const node = what === 'node-stop' || what === 'node-start'
  if ((node || what === 'zone-stop' || what === 'zone-start') && !target) return refuse(`disrupt ${what} needs a ${node ? 'node name' : 'zone'}`)
  switch (what) {
    case 'node-stop': return stopKubelet(target!)
    case 'node-start': return startKubelet(target!)
    case 'zone-stop': return stopZone(target!)
    case 'zone-start': return startZone(target!)
    case 'control-plane-restart': return restartControlPlane(600_000)
    default: return refuse(`no disruption ${what ?? '(none given)'}`)
  }
}

if (import.meta.main) {
  main().catch(async (err: unknown) => {
    if (err instanceof ShapeError) {
      // Bad input: one line. Anything this run had started is gone again first.
      if (recordedProcs().some((p) => p.pid) && !(await isUp())) await down().catch(() => undefined)
      console.error(`cluster:${process.argv[2]}: ${err.message}`)
      process.exitCode = 2
      return
    }
    log(`FAILED: ${errorLine(err)}`)
    if (readdirSafe(paths.logs).length) log(`component logs: ${paths.logs}`)
    process.exitCode = 1
  })
}

function readdirSafe(dir: string): string[] {
  try { return readdirSync(dir) } catch { return [] }
}
