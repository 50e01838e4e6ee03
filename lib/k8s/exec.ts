// Runs a command in a container, as `kubectl exec` does, with a deadline that
// follows its output: a command still printing is not cut off, a silent one is.
import * as k8s from '@kubernetes/client-node'
import { Writable } from 'node:stream'
import pRetry from 'p-retry'
import { claimSignal, onClaimStopped } from './claim-context.ts'
import { defaultContainer } from './containers.ts'
import { describeExpiry, type ProgressDeadline, progressDeadline } from './deadline.ts'
import { isTransient, type Kube, retryTransient } from './kube.ts'
import { timeout, timeoutScale } from './timeouts.ts'

export interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number
}

export interface ExecOptions {
  container?: string
  // How long the command may print nothing before it counts as stuck (default: the
  // scaled `exec` timeout). Better than a longer limit: a command that prints as it goes.
  idleMs?: number
  // The bound on the whole exec, output or not (default: 10 × idleMs).
  maxMs?: number
}

// The command as messages show it: a batch script with its arguments is cut short.
const shown = (command: string[]): string => {
  const text = command.join(' ')
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

// The last line of a chunk of output, to say what the last progress was.
export function lastLine(chunk: string): string | undefined {
  const line = chunk.split('\n').map((l) => l.trim()).filter(Boolean).at(-1)
  return line === undefined ? undefined : line.length > 200 ? `${line.slice(0, 200)}…` : line
}

function collector(onData: (chunk: string) => void): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(Buffer.from(chunk))
        onData(chunk.toString('utf8'))
        cb()
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  }
}

// The exec never reached the container: the API server could not open the
// stream to the kubelet (restarting, say: "error dialing backend", a 5xx on the
// upgrade) or was itself unreachable. The command did not run, so running it
// again is safe; a stream that broke after it started is not retried.
export class ExecNotStarted extends Error {
  override name = 'ExecNotStarted'
}
// The API server's and the WebSocket client's words for a stream it could not open for now.
export const streamNotOpenedForNow = (message: string) =>
  /error dialing backend|Unexpected server response: (5\d\d|429)|ECONNREFUSED|ECONNRESET|container not found|not running/i.test(message)
export const isExecNotStartedTransient = (err: unknown) =>
  err instanceof ExecNotStarted && (isTransient(err.cause) || streamNotOpenedForNow(err.message))

// Up to about 40 s of retries (scaled): long enough for a kubelet to restart.
export const notStartedRetries = (scale = timeoutScale()) =>
  ({ retries: 8, factor: 2, minTimeout: Math.round(500 * scale), maxTimeout: Math.round(8_000 * scale) })

// Unnamed: the pod's own container, never a mesh's proxy (containers.ts). Read once
// per pod name: a pod made again under its name keeps its template's containers,
// and an exec is too common a step to cost a read of the pod each time.
const defaultContainers = new Map<string, string>()
async function defaultContainerOf(kube: Kube, namespace: string, pod: string): Promise<string> {
  const key = `${namespace}/${pod}`
  let name = defaultContainers.get(key)
  if (name === undefined) {
    name = defaultContainer(await retryTransient(`get pod ${key}`, () => kube.core.readNamespacedPod({ namespace, name: pod }))) ?? ''
    defaultContainers.set(key, name)
  }
  return name
}

// `options` is the container's name, or the container and the limits.
export async function execIn(kube: Kube, namespace: string, pod: string, command: string[], options?: string | ExecOptions): Promise<ExecResult> {
  const o: ExecOptions = typeof options === 'string' ? { container: options } : (options ?? {})
  const name = o.container ?? await defaultContainerOf(kube, namespace, pod)
  const idleMs = o.idleMs ?? timeout('exec')
  const limits = { idleMs, maxMs: o.maxMs ?? 10 * idleMs }
  return pRetry(() => execOnce(kube, namespace, pod, name, command, limits), {
    ...notStartedRetries(),
    signal: claimSignal(),
    shouldRetry: ({ error }) => isExecNotStartedTransient(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && isExecNotStartedTransient(error)) console.warn(`exec in ${namespace}/${pod} did not start (#${attemptNumber}: ${error.message}); retrying`)
    },
  })
}

function execOnce(kube: Kube, namespace: string, pod: string, name: string, command: string[], limits: { idleMs: number; maxMs: number }): Promise<ExecResult> {
  // Any output is progress: it restarts the idle limit and is what the failure names.
  let deadline: ProgressDeadline | undefined
  const onData = (chunk: string) => deadline?.touch(lastLine(chunk))
  const out = collector(onData)
  const err = collector(onData)
  return new Promise<ExecResult>((resolve, reject) => {
    let ws: { close: () => void; on?: (event: 'close', fn: () => void) => void } | undefined
    let settled = false
    let unlisten: (() => void) | undefined
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      deadline?.stop()
      unlisten?.()
      fn()
    }
    // The claim stopped (its test timed out, the run was interrupted): the exec ends at once.
    unlisten = onClaimStopped((e) => settle(() => {
      ws?.close()
      reject(new Error(`exec in ${namespace}/${pod}: \`${shown(command)}\` stopped: ${e.message}`, { cause: e }))
    }))
    if (settled) return
    deadline = progressDeadline({
      idleMs: limits.idleMs, capMs: limits.maxMs,
      onExpire: (e) => settle(() => {
        ws?.close()
        reject(new Error(`exec in ${namespace}/${pod}: \`${shown(command)}\` did not finish: ${describeExpiry(e, 'output')} (exec); stdout so far: ${out.text().slice(-500)}`))
      }),
    })
    new k8s.Exec(kube.kc).exec(namespace, pod, name, command, out.stream, err.stream, null, false, (status) => settle(() => {
      const exit = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message
      if (status.status !== 'Success' && exit === undefined) {
        // Not the command's exit: the runtime could not run it at all (no such binary, no container…).
        reject(new Error(`exec in ${namespace}/${pod}: \`${shown(command)}\` could not run: ${status.message ?? status.reason ?? 'unknown reason'}`))
        return
      }
      // The status frame is the last one: the output has arrived before it.
      const code = status.status === 'Success' ? 0 : Number(exit)
      resolve({ stdout: out.text(), stderr: err.text(), exitCode: Number.isFinite(code) ? code : 1 })
    })).then((socket) => {
      if (settled) socket.close() // arrived after the deadline
      ws = socket
      // A connection that closes without a status frame has lost the command's outcome.
      socket.on?.('close', () => settle(() => reject(new Error(`exec in ${namespace}/${pod}: \`${shown(command)}\`: the connection closed without an exit status; stdout so far: ${out.text().slice(-500)}`))))
    }, (e: Error) => settle(() => reject(new ExecNotStarted(`exec in ${namespace}/${pod}: ${e.message}`, { cause: e }))))
  })
}

// Like execIn, but a non-zero exit is an error that carries the output.
export async function execOk(kube: Kube, namespace: string, pod: string, command: string[], options?: string | ExecOptions): Promise<string> {
  const r = await execIn(kube, namespace, pod, command, options)
  if (r.exitCode !== 0) {
    throw new Error(`exec in ${namespace}/${pod}: \`${shown(command)}\` exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(-500)}`)
  }
  return r.stdout
}
