// A claim's slot at the run's gate (gate-server.ts): asked for before the
// claim makes its namespace, given back after its clean-up with the start
// times of its pods, which tell the gate how the cluster copes.
import { randomBytes } from 'node:crypto'
import type { V1Pod } from '@kubernetes/client-node'

export interface Slot {
  // How long the claim waited for its slot.
  waitedMs: number
  release(pods: V1Pod[]): Promise<void>
}

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<{ granted?: boolean }> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), signal })
  if (!res.ok) throw new Error(`the run's gate at ${url} answered ${res.status}`)
  return res.json() as Promise<{ granted?: boolean }>
}

// No gate (a run without global setup's gate): every claim goes at once.
export async function acquireSlot(gateUrl: string | null, signal: AbortSignal): Promise<Slot> {
  if (!gateUrl) return { waitedMs: 0, release: async () => {} }
  const id = randomBytes(6).toString('hex')
  const t0 = performance.now()
  // The gate holds each ask for a while and answers "not yet"; the place in its queue is kept by id.
  for (;;) {
    if (signal.aborted) {
      await post(`${gateUrl}/release`, { id }).catch(() => undefined)
      throw new Error('the run was cancelled while the claim waited for a slot')
    }
    const { granted } = await post(`${gateUrl}/acquire`, { id }, signal).catch((err: Error) => {
      if (signal.aborted) return { granted: false }
      throw err
    })
    if (granted) break
  }
  const waitedMs = performance.now() - t0
  return {
    waitedMs,
    release: async (pods) => {
      await post(`${gateUrl}/release`, { id, podStartMs: podStartTimes(pods) }).catch(() => undefined)
    },
  }
}

// Creation to Ready of the pods that started once and are ready: what starting a pod costs the cluster now.
export function podStartTimes(pods: V1Pod[]): number[] {
  const times: number[] = []
  for (const p of pods) {
    const created = p.metadata?.creationTimestamp
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime
    const restarted = (p.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0)
    if (!created || !ready || restarted) continue
    const ms = new Date(ready).getTime() - new Date(created).getTime()
    if (Number.isFinite(ms) && ms >= 0) times.push(ms)
  }
  return times
}
