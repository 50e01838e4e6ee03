// Runs a command in a container, as `kubectl exec` does, with a deadline.
import * as k8s from '@kubernetes/client-node'
import { Writable } from 'node:stream'
import type { Kube } from './kube.ts'
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

export async function execIn(kube: Kube, namespace: string, pod: string, command: string[], container?: string): Promise<ExecResult> {
  const name = container ?? (await kube.core.readNamespacedPod({ namespace, name: pod })).spec?.containers[0]?.name ?? ''
  const out = collector()
  const err = collector()
  const limit = timeout('exec')
  return new Promise<ExecResult>((resolve, reject) => {
    let ws: { close: () => void } | undefined
    const deadline = setTimeout(() => {
      ws?.close()
      reject(new Error(`exec in ${namespace}/${pod}: \`${command.join(' ')}\` did not finish within ${limit / 1000}s (exec); stdout so far: ${out.text().slice(-500)}`))
    }, limit)
    new k8s.Exec(kube.kc).exec(namespace, pod, name, command, out.stream, err.stream, null, false, (status) => {
      clearTimeout(deadline)
      const code = status.status === 'Success' ? 0 : Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? 1)
      // The status frame is the last one: the output has arrived before it.
      resolve({ stdout: out.text(), stderr: err.text(), exitCode: Number.isFinite(code) ? code : 1 })
    }).then((socket) => { ws = socket }, (e: Error) => {
      clearTimeout(deadline)
      reject(new Error(`exec in ${namespace}/${pod}: ${e.message}`))
    })
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
