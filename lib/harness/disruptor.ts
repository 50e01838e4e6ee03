// The DR claims' disruptions, one interface with two kinds of implementation:
// the embedded cluster's own (cluster/disrupt, reached dynamically: a run
// against another cluster never loads it), and the user's commands for their
// own cluster (SC_DISRUPT_*, lib/options/disrupt.ts), which win where both are
// there: a zone is stopped by the user's zone command, else by their node
// command run for each of its nodes, else by the embedded cluster. A drain needs
// neither: it is API calls (lib/resources/evictions.ts). The embedded cluster's
// upgrade is cluster:upgrade (cluster/lifecycle.ts), which moves a cluster started
// on the previous minor (cluster:up --version=1.35) to the pinned release.
// A claim whose disruption is not available is skipped, naming the power and
// how to provide it (requirePowers).
import { spawn } from 'node:child_process'
import { inject, type TestContext } from 'vitest'
import { progress } from '../k8s/claim-context.ts'
import { disruptArgumentVariables, disruptVariables, parseDisruptCommands, type DisruptCommands } from '../options/disrupt.ts'
import { skipClaim } from './claim-entry.ts'

export type Power = 'nodeStop' | 'nodeStart' | 'zoneStop' | 'zoneStart' | 'controlPlaneRestart' | 'upgrade'

export interface Disruptor {
  // Whose disruptions these are, for the claim's notes: "the embedded cluster", "SC_DISRUPT_NODE_STOP".
  source(power: Power): string
  nodeStop?(node: string): Promise<void>
  nodeStart?(node: string): Promise<void>
  // Every node of the zone, as when a zone is lost. `nodes`: the zone's nodes as the claim found them
  // through the API (control-plane nodes left out), for a disruptor that goes node by node.
  zoneStop?(zone: string, nodes: string[]): Promise<void>
  zoneStart?(zone: string, nodes: string[]): Promise<void>
  controlPlaneRestart?(): Promise<void>
  // The control plane, then each node drained (PodDisruptionBudgets honoured), upgraded and uncordoned.
  upgrade?(): Promise<void>
  // The release the upgrade moves to, where the disruptor knows it (the embedded cluster's pinned one);
  // undefined for a user's command, whose result the claim reads from the cluster afterwards.
  upgradeTarget(): Promise<string | undefined>
}

const powerWords: Record<Power, string> = {
  nodeStop: 'stopping a node',
  nodeStart: 'starting a stopped node',
  zoneStop: 'stopping every node of a zone',
  zoneStart: 'starting the nodes of a stopped zone',
  controlPlaneRestart: 'restarting the control plane',
  upgrade: 'upgrading the cluster by one minor version',
}

// A zone's power done node by node, with the node power's command, where no zone command is given.
const nodeByNode: Partial<Record<Power, 'nodeStop' | 'nodeStart'>> = { zoneStop: 'nodeStop', zoneStart: 'nodeStart' }

export function disruptorFor(embedded: boolean, commands: DisruptCommands = parseDisruptCommands(process.env)): Disruptor {
  const mine = embedded ? embeddedDisruptions(commands.timeoutMs) : {}
  const command = (power: Power) => (args: string[]) =>
    runDisruptCommand(disruptVariables[power], commands[power]!, args, commands.timeoutMs, disruptArgumentVariables[power])
  const nodeStop = commands.nodeStop ? (node: string) => command('nodeStop')([node]) : mine.nodeStop
  const nodeStart = commands.nodeStart ? (node: string) => command('nodeStart')([node]) : mine.nodeStart
  const eachNode = (power: 'nodeStop' | 'nodeStart') => {
    const run = command(power)
    return async (_zone: string, nodes: string[]) => {
      for (const node of nodes) await run([node])
    }
  }
  const zoneStop = commands.zoneStop ? (zone: string) => command('zoneStop')([zone]) : commands.nodeStop ? eachNode('nodeStop') : mine.zoneStop
  const zoneStart = commands.zoneStart ? (zone: string) => command('zoneStart')([zone]) : commands.nodeStart ? eachNode('nodeStart') : mine.zoneStart
  const controlPlaneRestart = commands.controlPlaneRestart ? () => command('controlPlaneRestart')([]) : mine.controlPlaneRestart
  const upgrade = commands.upgrade ? () => command('upgrade')([]) : mine.upgrade
  return {
    source: (power) => {
      if (commands[power]) return disruptVariables[power]
      const byNode = nodeByNode[power]
      return byNode && commands[byNode] ? `${disruptVariables[byNode]}, for each node of the zone` : 'the embedded cluster'
    },
    ...(nodeStop ? { nodeStop } : {}),
    ...(nodeStart ? { nodeStart } : {}),
    ...(zoneStop ? { zoneStop } : {}),
    ...(zoneStart ? { zoneStart } : {}),
    ...(controlPlaneRestart ? { controlPlaneRestart } : {}),
    ...(upgrade ? { upgrade } : {}),
    upgradeTarget: async () => (!commands.upgrade && embedded ? (await import('../../cluster/base/config.ts')).versions.kubernetes : undefined),
  }
}

function embeddedDisruptions(timeoutMs: number): Pick<Disruptor, 'nodeStop' | 'nodeStart' | 'zoneStop' | 'zoneStart' | 'controlPlaneRestart' | 'upgrade'> {
  const load = () => import('../../cluster/disrupt/disrupt.ts')
  return {
    nodeStop: async (node) => (await load()).stopKubelet(node),
    nodeStart: async (node) => (await load()).startKubelet(node),
    zoneStop: async (zone) => (await load()).stopZone(zone),
    zoneStart: async (zone) => (await load()).startZone(zone),
    controlPlaneRestart: async () => (await load()).restartControlPlane(timeoutMs),
    // Its own deadlines follow progress (each component, each drain): no overall timeout.
    upgrade: async () => { await (await import('../../cluster/upgrade.ts')).upgrade() },
  }
}

// Why a claim that needs these powers cannot run, naming each missing power and the variable that
// gives it; undefined when the disruptor has them all.
export function missingPowers(disruptor: Disruptor, powers: Power[]): string | undefined {
  const missing = powers.filter((p) => !disruptor[p])
  if (!missing.length) return undefined
  const byNode = missing.flatMap((p) => { const n = nodeByNode[p]; return n ? [disruptVariables[n]] : [] })
  return `needs ${missing.map((p) => powerWords[p]).join(' and ')}, which this cluster does not offer: ` +
    `set ${missing.map((p) => disruptVariables[p]).join(' and ')} to your own command` +
    `${byNode.length ? ` (or ${byNode.join(' and ')}, run for each node of the zone)` : ''} (docs/disruption.md), or run on the embedded cluster`
}

// Skips the claim unless the disruptor has every power it needs, naming the missing ones. A user of one
// namespace (SC_NAMESPACE) stops no node, zone or control plane: skipped before any power is used.
export function requirePowers(task: TestContext['task'], disruptor: Disruptor, powers: Power[]): void {
  const given = inject('givenNamespace')
  if (given) skipClaim(task, `${powers.map((p) => powerWords[p]).join(' and ')}: beyond a user of one namespace (SC_NAMESPACE=${given} runs what a user limited to that namespace may do)`)
  const why = missingPowers(disruptor, powers)
  if (why) skipClaim(task, why)
}

// Runs a user's disruption command: `sh -c <command> sc-disrupt <args…>`, the
// first argument also in `argumentVariable` (SC_DISRUPT_NODE, SC_DISRUPT_ZONE). Resolves
// when it exits 0; throws with its exit code (or the timeout) and the last lines it printed otherwise.
export function runDisruptCommand(variable: string, command: string, args: string[], timeoutMs: number, argumentVariable?: string): Promise<void> {
  progress(`${variable}: ${command}${args.length ? ` (${args.join(' ')})` : ''}`)
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command, 'sc-disrupt', ...args], {
      env: { ...process.env, ...(args[0] && argumentVariable ? { [argumentVariable]: args[0] } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: a timeout ends the command's children too.
      detached: true,
    })
    let output = ''
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4_000) }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try { process.kill(-child.pid!, 'SIGKILL') } catch { child.kill('SIGKILL') }
    }, timeoutMs)
    const tail = () => output.trimEnd().split('\n').slice(-10).join('\n')
    child.on('error', (err) => { clearTimeout(timer); reject(new Error(`${variable} (${command}) could not start: ${err.message}`)) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return resolve()
      const how = timedOut ? `did not finish within ${timeoutMs / 1000}s (SC_DISRUPT_TIMEOUT)` : `exited ${code ?? signal}`
      reject(new Error(`${variable} (${command}${args.length ? ` ${args.join(' ')}` : ''}) ${how}${tail() ? `; its last lines:\n${tail()}` : ''}`))
    })
  })
}
