// `kubectl port-forward` in-process: a local listener on port 0 whose every
// connection is tunnelled to the pod's port, and an undici client on it.
import * as k8s from '@kubernetes/client-node'
import { EventEmitter } from 'node:events'
import { createServer, type Socket } from 'node:net'
import pRetry from 'p-retry'
import { Client } from 'undici'
import { notStartedRetries, streamNotOpenedForNow } from './exec.ts'
import type { Kube } from './kube.ts'
import { timeout } from './timeouts.ts'

export interface HttpAnswer {
  status: number
  body: string
  json<T = unknown>(): T
}

export interface Forward {
  localPort: number
  // unansweredMs: for a request the server is meant to die on (no answer will come): given up
  // that long after its tunnel opened, rather than after the whole HTTP timeout (which still
  // bounds the tunnel's opening: a request not yet carried to the pod is not given up early).
  request(path: string, init?: { method?: string; body?: string; unansweredMs?: number }): Promise<HttpAnswer>
  close(): Promise<void>
}

class TunnelNotOpened extends Error {
  override name = 'TunnelNotOpened'
}

export async function portForward(kube: Kube, namespace: string, pod: string, port: number): Promise<Forward> {
  const pf = new k8s.PortForward(kube.kc)
  const sockets = new Set<Socket>()
  let tunnelError: string | undefined
  const tunnels = new EventEmitter()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    pf.portForward(namespace, pod, [port], socket, null, socket).then(() => tunnels.emit('open'), (err: Error) => {
      // The HTTP client only sees its connection close; keep the cause for its error.
      tunnelError = err.message
      socket.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const localPort = (server.address() as { port: number }).port
  const client = new Client(`http://127.0.0.1:${localPort}`, { pipelining: 0, keepAliveTimeout: 1 })
  return {
    localPort,
    async request(path, init = {}) {
      const where = `${init.method ?? 'GET'} ${path} on ${namespace}/${pod}:${port} (port-forward)`
      // A tunnel the API server could not open (the kubelet restarting) carried no request: tried again, as exec is.
      const res = await pRetry(() => {
        tunnelError = undefined
        const abort = new AbortController()
        let unanswered: NodeJS.Timeout | undefined
        const opened = () => {
          unanswered ??= setTimeout(() => abort.abort(new Error(`no answer ${init.unansweredMs! / 1000}s after the tunnel opened (none expected)`)), init.unansweredMs)
        }
        if (init.unansweredMs !== undefined) tunnels.once('open', opened)
        return client.request({
          path, method: (init.method ?? 'GET') as 'GET', body: init.body, signal: abort.signal,
          headersTimeout: timeout('http'), bodyTimeout: timeout('http'),
        }).catch((err: Error) => {
          throw tunnelError ? new TunnelNotOpened(`${where}: the tunnel failed: ${tunnelError}`) : new Error(`${where}: ${err.message}`)
        }).finally(() => {
          tunnels.off('open', opened)
          clearTimeout(unanswered)
        })
      }, {
        ...notStartedRetries(),
        shouldRetry: ({ error }) => error instanceof TunnelNotOpened && streamNotOpenedForNow(error.message),
        onFailedAttempt: ({ error, retriesLeft }) => { if (retriesLeft > 0 && error instanceof TunnelNotOpened) console.warn(`${error.message}; retrying`) },
      })
      const body = await res.body.text()
      return {
        status: res.statusCode,
        body,
        json<T>() {
          try { return JSON.parse(body) as T } catch { throw new Error(`${where}: answer is not JSON: ${body.slice(0, 300)}`) }
        },
      }
    },
    async close() {
      await client.close().catch(() => undefined)
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
