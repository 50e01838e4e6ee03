// How many claims run at once: a limit that follows what the cluster shows.
// Pure: the gate (gate-server.ts) feeds it what it measures and applies what
// it decides. It backs off (×0.7) when pods take long to start, the API server
// answers slowly or the machine that also runs the cluster is overloaded, and
// grows (+1) while all three are well, claims are queued and, where the cluster
// shares this machine, its CPU has room left, as TCP's AIMD does. A pod of the
// run that the scheduler leaves Pending for want of room (its requests fit no
// node) is a full cluster: it backs off too, and never grows while one waits,
// so that the claims in flight do not ask for more than the nodes hold.
//
// On a machine that runs the cluster, a busy CPU is the ceiling, not the load
// average: a claim mostly waits (for pods to start, probes, grace periods),
// so more claims in flight finish sooner until the CPU is busy all the time;
// past that they only queue for it. The load average counts every runnable
// thread, and the cluster's Go programs run many: it reads 10 to 15 per core
// on a busy 2-core machine whose claims all pass (docs/measurements.md), so
// it marks only an overload far beyond that.

export interface PaceSignals {
  // Pods of the claims that ended lately: creation to Ready, in ms.
  podStartMs: number[]
  // The gate's own API requests lately, in ms.
  apiMs: number[]
  // The 1-minute load average per core of this machine, where it runs the cluster too.
  loadPerCore?: number
  // The share of this machine's CPU time busy lately (0 to 1), where it runs the cluster too.
  cpuBusy?: number
  // The run's pods the scheduler leaves Pending for want of room now (Insufficient cpu, memory, pods).
  waitingForRoom?: number
}

export interface LimitSettings {
  initial: number
  min: number
  max: number
  // SC_CONCURRENCY=N: the limit stays N.
  fixed: boolean
  // The run's timeout scale: a cluster known to be slow is held to slower marks.
  scale: number
}

export interface LimitChange {
  from: number
  to: number
  why: string
}

// Marks of a healthy cluster and of one that is struggling (pod start and API
// marks stretch with the timeout scale; a load mark does not).
const marks = {
  podStart: { good: 20_000, slow: 60_000 },
  api: { good: 300, slow: 1_500 },
  loadPerCore: { slow: 16 },
  // Room for one more claim: the CPU idle a tenth of the time or more.
  cpuBusy: { room: 0.9 },
}
// A back-off takes a while to show in the load average and in new pods: no second one sooner.
export const backOffCooldownMs = 30_000
export const growEveryMs = 15_000

const median = (xs: number[]) => {
  if (!xs.length) return undefined
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}

export class ConcurrencyLimit {
  limit: number
  readonly settings: LimitSettings
  private lastBackOff = -Infinity
  private lastGrowth = -Infinity

  constructor(settings: LimitSettings) {
    this.settings = settings
    this.limit = Math.min(settings.max, Math.max(settings.min, settings.initial))
  }

  // What the signals say: 'slow' (with why), 'good', or 'fair' (neither).
  judge(s: PaceSignals): { state: 'slow' | 'fair' | 'good'; why: string } {
    const scale = this.settings.scale
    const pod = median(s.podStartMs)
    const api = median(s.apiMs)
    const seen = [
      pod !== undefined ? `pod start p50 ${(pod / 1000).toFixed(1)}s` : undefined,
      api !== undefined ? `API p50 ${Math.round(api)}ms` : undefined,
      s.loadPerCore !== undefined ? `load ${s.loadPerCore.toFixed(1)} per core` : undefined,
      s.cpuBusy !== undefined ? `CPU ${Math.round(s.cpuBusy * 100)}% busy` : undefined,
      s.waitingForRoom ? `${s.waitingForRoom} pod${s.waitingForRoom === 1 ? '' : 's'} of the run waiting for room on the nodes` : undefined,
    ].filter(Boolean).join(', ') || 'nothing measured yet'
    const slow = (s.waitingForRoom ?? 0) > 0 || (pod !== undefined && pod > marks.podStart.slow * scale) ||
      (api !== undefined && api > marks.api.slow * scale) ||
      (s.loadPerCore !== undefined && s.loadPerCore > marks.loadPerCore.slow)
    if (slow) return { state: 'slow', why: seen }
    const good = (pod === undefined || pod < marks.podStart.good * scale) &&
      (api === undefined || api < marks.api.good * scale) &&
      (s.cpuBusy === undefined || s.cpuBusy < marks.cpuBusy.room)
    return { state: good ? 'good' : 'fair', why: seen }
  }

  // Called every few seconds; `queued` claims wait for a slot.
  adjust(s: PaceSignals, now: number, queued: number): LimitChange | undefined {
    if (this.settings.fixed) return undefined
    const { state, why } = this.judge(s)
    const from = this.limit
    if (state === 'slow' && now - this.lastBackOff >= backOffCooldownMs && from > this.settings.min) {
      this.limit = Math.max(this.settings.min, Math.floor(from * 0.7))
      this.lastBackOff = now
      this.lastGrowth = now
      return { from, to: this.limit, why: `backing off: ${why}` }
    }
    if (state === 'good' && queued > 0 && from < this.settings.max &&
      now - this.lastGrowth >= growEveryMs && now - this.lastBackOff >= backOffCooldownMs) {
      this.limit = from + 1
      this.lastGrowth = now
      return { from, to: this.limit, why: `growing: ${why}` }
    }
    return undefined
  }
}

// Where the limit starts. The embedded cluster shares this machine: its cores
// and the shape's node count bound what it can take (each pod start costs the
// runtime, the kubelet and the API server CPU). A cluster elsewhere starts
// near the old fixed default and adapts.
export function initialConcurrency(opts: { cores: number; embeddedNodes?: number; max: number }): { limit: number; why: string } {
  if (opts.embeddedNodes === undefined) {
    const limit = Math.min(opts.max, 8)
    return { limit, why: 'a cluster elsewhere: starting at 8' }
  }
  // Two claims per core, then as many as keep the CPU busy.
  const limit = Math.max(1, Math.min(opts.max, opts.cores * 2))
  return { limit, why: `the embedded cluster on this machine: ${opts.cores} cores, ${opts.embeddedNodes} node${opts.embeddedNodes === 1 ? '' : 's'}` }
}
