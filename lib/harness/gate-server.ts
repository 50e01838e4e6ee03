// The run's gate: claims in flight across every spec worker, as many as the
// cluster can take (concurrency.ts decides). It runs in global setup's process
// and serves the workers on loopback: a claim asks for a slot before it makes
// its namespace and gives it back, with its pods' start times, after its
// clean-up. It also measures the API server and this machine, and keeps the
// run's peak load and CPU seconds for the reports.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { readFile, writeFile } from 'node:fs/promises'
import type { RunUsage } from '../report/claims.ts'
import type { ConcurrencyLimit, PaceSignals } from './concurrency.ts'

export type { RunUsage }

interface Waiter {
  id: string
  granted: boolean
  respond?: (granted: boolean) => void
}

// A held /acquire answers "not yet" after this long, and the worker asks again:
// no HTTP client or server timeout comes near it.
const holdMs = 20_000
const tickMs = 5_000
// Signals older than this no longer describe the cluster.
const windowMs = 60_000
// The CPU's busy share is read over this long: a claim's pods start in bursts.
const cpuWindowMs = 15_000
// How long the room probe may take before its tick goes on without it.
const probeRoomMs = 10_000
const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), ms); timer.unref() })]).finally(() => clearTimeout(timer))
}

// This machine's CPU seconds since boot, busy and in all (every core), from /proc/stat.
async function machineCpu(): Promise<{ busy: number; total: number } | null> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => undefined)
  const cpu = text?.split('\n')[0]?.trim().split(/\s+/).slice(1, 9).map(Number)
  if (!cpu || cpu.length < 5 || cpu.some((n) => !Number.isFinite(n))) return null
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait (guest time is inside user).
  const total = cpu.reduce((a, b) => a + b, 0)
  return { busy: (total - cpu[3]! - cpu[4]!) / 100, total: total / 100 } // USER_HZ is 100 on Linux
}
export const machineBusySeconds = async () => (await machineCpu())?.busy ?? null

// The share of the CPU busy between the oldest and newest of these samples.
export function busyShare(samples: { busy: number; total: number }[]): number | undefined {
  const first = samples[0]
  const last = samples[samples.length - 1]
  if (!first || !last || last.total - first.total <= 0) return undefined
  return Math.min(1, Math.max(0, (last.busy - first.busy) / (last.total - first.total)))
}

export interface Gate {
  url: string
  limit: ConcurrencyLimit
  stop(): Promise<RunUsage>
}

export async function startGate(opts: {
  limit: ConcurrencyLimit
  // Listed with each tick: how long the API server takes to answer (the run's own namespaces).
  probeApi: () => Promise<unknown>
  // Read with each tick, from what probeApi answered (no second listing): how many of the run's pods wait for room on the nodes.
  probeRoom?: (answer: unknown) => Promise<number>
  // Whether this machine runs the cluster (its load average is then a signal).
  local: boolean
  usageFile: string
  log: (line: string) => void
}): Promise<Gate> {
  const { limit } = opts
  let inFlight = 0
  const queue: Waiter[] = []
  const byId = new Map<string, Waiter>()
  const podStarts: { at: number; ms: number }[] = []
  const apiTimes: { at: number; ms: number }[] = []
  const cpuSamples: { at: number; busy: number; total: number }[] = []
  const started = { cpu: process.cpuUsage(), machine: await machineBusySeconds() }
  const usage: RunUsage = {
    peakLoad: loadavg()[0]!, cores: cpus().length, machineCpuSeconds: null, suiteCpuSeconds: 0,
    concurrency: { initial: limit.limit, min: limit.limit, max: limit.limit, changes: [] },
  }

  const grant = () => {
    while (inFlight < limit.limit && queue.length) {
      const w = queue.shift()!
      w.granted = true
      inFlight++
      w.respond?.(true)
      w.respond = undefined
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      const msg = body ? JSON.parse(body) as { id: string; podStartMs?: number[] } : { id: '' }
      const reply = (code: number, value: unknown) => { res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(value)) }
      if (req.url === '/acquire') {
        let w = byId.get(msg.id)
        if (!w) {
          w = { id: msg.id, granted: false }
          byId.set(msg.id, w)
          queue.push(w)
          grant()
        }
        if (w.granted) return reply(200, { granted: true })
        const waiter = w
        const hold = setTimeout(() => { waiter.respond = undefined; reply(200, { granted: false }) }, holdMs)
        waiter.respond = (granted) => { clearTimeout(hold); reply(200, { granted }) }
        res.once('close', () => { clearTimeout(hold); waiter.respond = undefined })
        return
      }
      if (req.url === '/release') {
        const w = byId.get(msg.id)
        if (w) {
          byId.delete(msg.id)
          if (w.granted) inFlight--
          else queue.splice(queue.indexOf(w), 1)
        }
        const now = Date.now()
        for (const ms of msg.podStartMs ?? []) if (Number.isFinite(ms) && ms >= 0) podStarts.push({ at: now, ms })
        grant()
        return reply(200, { ok: true })
      }
      reply(404, { error: `no such path: ${req.url}` })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo

  let ticking = false
  const tick = async () => {
    if (ticking) return
    ticking = true
    try {
      const t0 = performance.now()
      const answer = await opts.probeApi().then((a) => ({ a }), () => undefined)
      const answered = answer !== undefined
      const now = Date.now()
      // An API server that did not answer is the slowest of all.
      apiTimes.push({ at: now, ms: answered ? performance.now() - t0 : 10_000 })
      for (const list of [podStarts, apiTimes]) while (list.length && now - list[0]!.at > windowMs) list.shift()
      const load = loadavg()[0]!
      usage.peakLoad = Math.max(usage.peakLoad, load)
      const cpu = opts.local ? await machineCpu() : null
      if (cpu) cpuSamples.push({ at: now, ...cpu })
      while (cpuSamples.length > 2 && now - cpuSamples[1]!.at >= cpuWindowMs) cpuSamples.shift()
      // Unanswered, it says nothing: the API times above already count a silent server.
      // A probe that hangs says nothing either, and holds no tick up for longer than probeRoomMs.
      const waitingForRoom = opts.probeRoom && answer ? await withTimeout(opts.probeRoom(answer.a), probeRoomMs).catch(() => undefined) : undefined
      const signals: PaceSignals = {
        podStartMs: podStarts.map((s) => s.ms),
        apiMs: apiTimes.map((s) => s.ms),
        loadPerCore: opts.local ? load / usage.cores : undefined,
        cpuBusy: opts.local ? busyShare(cpuSamples) : undefined,
        ...(waitingForRoom !== undefined ? { waitingForRoom } : {}),
      }
      const change = limit.adjust(signals, now, queue.length)
      if (change) {
        const line = `claims in flight ${change.from} → ${change.to} (${change.why})`
        usage.concurrency.changes.push(`${new Date(now).toISOString()} ${line}`)
        usage.concurrency.min = Math.min(usage.concurrency.min, change.to)
        usage.concurrency.max = Math.max(usage.concurrency.max, change.to)
        opts.log(line)
        grant()
      }
      await writeFile(opts.usageFile, JSON.stringify(await snapshot(), null, 2)).catch(() => undefined)
    } finally {
      ticking = false
    }
  }
  const snapshot = async (): Promise<RunUsage> => {
    const cpu = process.cpuUsage(started.cpu)
    const machine = await machineBusySeconds()
    return {
      ...usage,
      suiteCpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
      machineCpuSeconds: machine !== null && started.machine !== null ? Math.round((machine - started.machine) * 10) / 10 : null,
    }
  }
  const timer = setInterval(() => { void tick() }, tickMs)
  timer.unref()

  return {
    url: `http://127.0.0.1:${port}`,
    limit,
    async stop() {
      clearInterval(timer)
      for (const w of queue) w.respond?.(false)
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      const final = await snapshot()
      await writeFile(opts.usageFile, JSON.stringify(final, null, 2)).catch(() => undefined)
      return final
    },
  }
}
