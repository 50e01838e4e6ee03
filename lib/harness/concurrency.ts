// How many claims run at once: a limit that follows what the cluster shows.
// Pure: the gate (gate-server.ts) feeds it what it measures and applies what
// it decides. It backs off (×0.7) when pods take long to start, the API server
// answers slowly or the machine that also runs the cluster is overloaded, and
// grows (+1) while all three are well and claims are queued, as TCP's AIMD does.

export interface PaceSignals {
  // Pods of the claims that ended lately: creation to Ready, in ms.
  podStartMs: number[]
  // The gate's own API requests lately, in ms.
  apiMs: number[]
  // The 1-minute load average per core of this machine, where it runs the cluster too.
  loadPerCore?: number
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
  loadPerCore: { good: 2.5, slow: 5 },
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
    ].filter(Boolean).join(', ') || 'nothing measured yet'
    const slow = (pod !== undefined && pod > marks.podStart.slow * scale) ||
      (api !== undefined && api > marks.api.slow * scale) ||
      (s.loadPerCore !== undefined && s.loadPerCore > marks.loadPerCore.slow)
    if (slow) return { state: 'slow', why: seen }
    const good = (pod === undefined || pod < marks.podStart.good * scale) &&
      (api === undefined || api < marks.api.good * scale) &&
      (s.loadPerCore === undefined || s.loadPerCore < marks.loadPerCore.good)
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
  // Two claims per core on one node, fewer as more nodes share the same cores.
  const perCore = opts.embeddedNodes > 1 ? 1.5 : 2
  const limit = Math.max(1, Math.min(opts.max, Math.round(opts.cores * perCore)))
  return { limit, why: `the embedded cluster on this machine: ${opts.cores} cores, ${opts.embeddedNodes} node${opts.embeddedNodes === 1 ? '' : 's'}` }
}
