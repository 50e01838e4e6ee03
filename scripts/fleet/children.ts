// One vitest per cluster (`vitest run --project specs`), each with its own global setup: preflight,
// probe, gate and clean-up. Its lines are printed with the cluster's label and its last ones kept.
// vitest is started with node itself, not through npx and a shell: a signal the fleet forwards then
// reaches it once, and nothing between them forwards it again. Each child has a process group of its
// own, so a terminal's Ctrl-C reaches the fleet alone, which forwards it to every child once.
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanCommand, type FleetTarget } from './args.ts'
import type { ChildEnd } from './merge.ts'
import { labelPrefix, lineSplitter, outputTail } from './output.ts'

const vitestBin = join(dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs')

// node's arguments for one cluster's run.
export const vitestCommand = (vitestArgs: string[]) => [vitestBin, 'run', '--project', 'specs', ...vitestArgs]

// How long the fleet waits for more lines from a child that has exited but whose output is still open:
// after Ctrl-C, the clean-up process its global setup started holds it, and says when it is done.
export const quietAfterExitMs = { finished: 10_000, interrupted: 90_000 }

type Echo = (stream: 'out' | 'err', line: string) => void
const toConsole: Echo = (stream, line) => (stream === 'out' ? process.stdout : process.stderr).write(`${line}\n`)

export interface RunningChild {
  target: FleetTarget
  startedAt: number
  lastOutputAt: () => number
  exited: () => boolean
  // Forward a signal (once); from then on the child has quietAfterExitMs.interrupted to go quiet.
  interrupt: (signal: NodeJS.Signals) => void
  ended: Promise<ChildEnd>
  // The command that removes what its run leaves (cleanCommand).
  clean: string
}

export interface ChildOptions {
  target: FleetTarget
  env: Record<string, string | undefined>
  // node's arguments: vitestCommand(…)
  args: string[]
  cwd: string
  labelWidth: number
  quiet?: typeof quietAfterExitMs
  echo?: Echo
}

export function startChild(o: ChildOptions): RunningChild {
  const startedAt = Date.now()
  const quietLimits = o.quiet ?? quietAfterExitMs
  const echo = o.echo ?? toConsole
  const child: ChildProcess = spawn(process.execPath, o.args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const prefix = labelPrefix(o.target.label, o.labelWidth)
  const tail = outputTail()
  let lastOutputAt = startedAt
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let interrupted = false
  const say = (line: string) => echo('err', `fleet: ${prefix}${line}`)
  const clean = cleanCommand(o.target, o.env.SC_REPORTS_DIR ?? 'reports')
  const splitters = (['out', 'err'] as const).map((stream) => {
    const split = lineSplitter((text) => {
      lastOutputAt = Date.now()
      tail.add({ stream, text })
      echo(stream, text ? `${prefix}${text}` : prefix.trimEnd())
    })
    ;(stream === 'out' ? child.stdout : child.stderr)?.on('data', split.push)
    return split
  })
  // Its exit restarts the clock: the lines it wrote just before may still be on their way.
  child.on('exit', (code, signal) => {
    exit = { code, signal }
    lastOutputAt = Date.now()
  })

  const ended = new Promise<ChildEnd>((resolve) => {
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearInterval(watch)
      for (const s of splitters) s.flush()
      // Given up on: what still holds its output (a clean-up) must not hold the fleet's exit.
      child.stdout?.destroy()
      child.stderr?.destroy()
      child.unref()
      resolve({ exitCode: exit?.code ?? null, signal: exit?.signal ?? null, interrupted, tail: tail.lines(), durationMs: Date.now() - startedAt })
    }
    child.on('close', finish)
    child.on('error', (err) => {
      tail.add({ stream: 'err', text: `could not start vitest: ${err.message}` })
      finish()
    })
    // A deadline that follows the output: only a child that has printed nothing for a while is given up on.
    const watch = setInterval(() => {
      const quiet = Date.now() - lastOutputAt
      const limit = interrupted ? quietLimits.interrupted : quietLimits.finished
      if (quiet < limit) return
      if (exit) {
        if (interrupted) say(`nothing printed for ${limit / 1000} s since its run stopped: not waiting for the rest (its clean-up goes on in the background; \`${clean}\` removes what it leaves)`)
        finish()
      } else if (interrupted) {
        say(`still running and silent ${limit / 1000} s after the signal: killing it (SIGKILL); \`${clean}\` removes what it leaves`)
        child.kill('SIGKILL')
        lastOutputAt = Date.now()
      }
    }, Math.min(1_000, quietLimits.finished / 4))
  })

  return {
    target: o.target,
    startedAt,
    lastOutputAt: () => lastOutputAt,
    exited: () => !!exit,
    interrupt(signal) {
      if (interrupted || exit) return
      interrupted = true
      lastOutputAt = Date.now()
      try {
        child.kill(signal)
      } catch {
        // Gone already: its 'exit' is on its way.
      }
    },
    ended,
    clean,
  }
}
