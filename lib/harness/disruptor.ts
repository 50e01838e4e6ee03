// The DR claims' disruptions, one interface with two kinds of implementation:
// the embedded cluster's own (cluster/disrupt, reached dynamically: a run
// against another cluster never loads it), and the user's commands for their
// own cluster (SC_DISRUPT_*, lib/options/disrupt.ts), which win where both are
// there. A drain needs neither: it is API calls (lib/resources/evictions.ts).
// A claim whose disruption is not available is skipped, naming the power and
// how to provide it (requirePower).
import { spawn } from 'node:child_process'
import type { TestContext } from 'vitest'
import { progress } from '../k8s/progress.ts'
import { disruptVariables, parseDisruptCommands, type DisruptCommands } from '../options/disrupt.ts'
import { skipClaim } from './claim-entry.ts'

export type Power = 'nodeStop' | 'nodeStart' | 'controlPlaneRestart'

export interface Disruptor {
  // Whose disruptions these are, for the claim's notes: "the embedded cluster", "SC_DISRUPT_NODE_STOP".
  source(power: Power): string
  nodeStop?(node: string): Promise<void>
  nodeStart?(node: string): Promise<void>
  controlPlaneRestart?(): Promise<void>
}

const powerWords: Record<Power, string> = {
  nodeStop: 'stopping a node',
  nodeStart: 'starting a stopped node',
  controlPlaneRestart: 'restarting the control plane',
}

export function disruptorFor(embedded: boolean, commands: DisruptCommands = parseDisruptCommands(process.env)): Disruptor {
  const mine = embedded ? embeddedDisruptions(commands.timeoutMs) : {}
  const command = (power: Power) => (args: string[]) => runDisruptCommand(disruptVariables[power], commands[power]!, args, commands.timeoutMs)
  const nodeStop = commands.nodeStop ? (node: string) => command('nodeStop')([node]) : mine.nodeStop
  const nodeStart = commands.nodeStart ? (node: string) => command('nodeStart')([node]) : mine.nodeStart
  const controlPlaneRestart = commands.controlPlaneRestart ? () => command('controlPlaneRestart')([]) : mine.controlPlaneRestart
  return {
    source: (power) => (commands[power] ? disruptVariables[power] : 'the embedded cluster'),
    ...(nodeStop ? { nodeStop } : {}),
    ...(nodeStart ? { nodeStart } : {}),
    ...(controlPlaneRestart ? { controlPlaneRestart } : {}),
  }
}

function embeddedDisruptions(timeoutMs: number): Pick<Disruptor, 'nodeStop' | 'nodeStart' | 'controlPlaneRestart'> {
  const load = () => import('../../cluster/disrupt/disrupt.ts')
  return {
    nodeStop: async (node) => (await load()).stopKubelet(node),
    nodeStart: async (node) => (await load()).startKubelet(node),
    controlPlaneRestart: async () => (await load()).restartControlPlane(timeoutMs),
  }
}

// Skips the claim unless the disruptor has every power it needs, naming the missing ones.
export function requirePowers(task: TestContext['task'], disruptor: Disruptor, powers: Power[]): void {
  const missing = powers.filter((p) => !disruptor[p])
  if (!missing.length) return
  skipClaim(task, `needs ${missing.map((p) => powerWords[p]).join(' and ')}, which this cluster does not offer: ` +
    `set ${missing.map((p) => disruptVariables[p]).join(' and ')} to your own command (docs/disruption.md), or run on the embedded cluster`)
}

// Runs a user's disruption command: `sh -c <command> sc-disrupt <args…>`, the
// first argument also in SC_DISRUPT_NODE. Resolves when it exits 0; throws with
// its exit code (or the timeout) and the last lines it printed otherwise.
export function runDisruptCommand(variable: string, command: string, args: string[], timeoutMs: number): Promise<void> {
  progress(`${variable}: ${command}${args.length ? ` (${args.join(' ')})` : ''}`)
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command, 'sc-disrupt', ...args], {
      env: { ...process.env, ...(args[0] ? { SC_DISRUPT_NODE: args[0] } : {}) },
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
