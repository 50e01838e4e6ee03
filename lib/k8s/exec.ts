// Runs a command in a container, as `kubectl exec` does, with a deadline.
import * as k8s from '@kubernetes/client-node'
import { Writable } from 'node:stream'
import pRetry from 'p-retry'
import { isTransient, type Kube } from './kube.ts'
import { timeout } from './timeouts.ts'

export interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  return {
    stream: new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(Buffer.from(chunk)); cb() } }),
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

// Up to about 40 s of retries: long enough for a kubelet to restart.
export const notStartedRetries = { retries: 8, factor: 2, minTimeout: 500, maxTimeout: 8_000 }

export async function execIn(kube: Kube, namespace: string, pod: string, command: string[], container?: string): Promise<ExecResult> {
  const name = container ?? (await kube.core.readNamespacedPod({ namespace, name: pod })).spec?.containers[0]?.name ?? ''
  return pRetry(() => execOnce(kube, namespace, pod, name, command), {
    ...notStartedRetries,
    shouldRetry: ({ error }) => isExecNotStartedTransient(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && isExecNotStartedTransient(error)) console.warn(`exec in ${namespace}/${pod} did not start (#${attemptNumber}: ${error.message}); retrying`)
    },
  })
}

function execOnce(kube: Kube, namespace: string, pod: string, name: string, command: string[]): Promise<ExecResult> {
  const out = collector()
  const err = collector()
  const limit = timeout('exec')
  return new Promise<ExecResult>((resolve, reject) => {
    let ws: { close: () => void; on?: (event: 'close', fn: () => void) => void } | undefined
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      fn()
    }
    const deadline = setTimeout(() => settle(() => {
      ws?.close()
      reject(new Error(`exec in ${namespace}/${pod}: \`${command.join(' ')}\` did not finish within ${limit / 1000}s (exec); stdout so far: ${out.text().slice(-500)}`))
    }), limit)
    new k8s.Exec(kube.kc).exec(namespace, pod, name, command, out.stream, err.stream, null, false, (status) => settle(() => {
      const exit = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message
      if (status.status !== 'Success' && exit === undefined) {
        // Not the command's exit: the runtime could not run it at all (no such binary, no container…).
        reject(new Error(`exec in ${namespace}/${pod}: \`${command.join(' ')}\` could not run: ${status.message ?? status.reason ?? 'unknown reason'}`))
        return
      }
      // The status frame is the last one: the output has arrived before it.
      const code = status.status === 'Success' ? 0 : Number(exit)
      resolve({ stdout: out.text(), stderr: err.text(), exitCode: Number.isFinite(code) ? code : 1 })
    })).then((socket) => {
      if (settled) socket.close() // arrived after the deadline
      ws = socket
      // A connection that closes without a status frame has lost the command's outcome.
      socket.on?.('close', () => settle(() => reject(new Error(`exec in ${namespace}/${pod}: \`${command.join(' ')}\`: the connection closed without an exit status; stdout so far: ${out.text().slice(-500)}`))))
    }, (e: Error) => settle(() => reject(new ExecNotStarted(`exec in ${namespace}/${pod}: ${e.message}`, { cause: e }))))
  })
}

// Like execIn, but a non-zero exit is an error that carries the output.
export async function execOk(kube: Kube, namespace: string, pod: string, command: string[], container?: string): Promise<string> {
  const r = await execIn(kube, namespace, pod, command, container)
  if (r.exitCode !== 0) {
    throw new Error(`exec in ${namespace}/${pod}: \`${command.join(' ')}\` exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(-500)}`)
  }
  return r.stdout
}
