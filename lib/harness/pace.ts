// SC_TIMEOUT_SCALE=auto: how fast this cluster is, measured once before the
// claims: a pod started (created to Ready), three exec round trips into it,
// and three API reads. Every named timeout is then stretched by how much
// slower than an ordinary cluster it is, never shrunk below the defaults.
import { startClusterClient } from '../apps/cluster-client.ts'
import { execIn } from '../k8s/exec.ts'
import type { Kube } from '../k8s/kube.ts'
import { createNamespace, deleteNamespace, type NamespaceRun } from '../k8s/namespaces.ts'

export interface Pace {
  podStartMs: number
  execMs: number
  apiMs: number
}

// What an ordinary cluster takes (a managed cloud's included: the named
// timeouts already allow for its storage); a cluster slower than these gets
// its timeouts stretched in proportion.
export const ordinaryPace: Pace = { podStartMs: 15_000, execMs: 1_500, apiMs: 500 }
export const maxAutoScale = 10

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!

// The scale, in halves, between 1 and maxAutoScale, and what decided it.
export function scaleFromPace(p: Pace): { scale: number; why: string } {
  const ratios = [
    { name: 'pod start', seen: p.podStartMs, ratio: p.podStartMs / ordinaryPace.podStartMs },
    { name: 'exec round trip', seen: p.execMs, ratio: p.execMs / ordinaryPace.execMs },
    { name: 'API read', seen: p.apiMs, ratio: p.apiMs / ordinaryPace.apiMs },
  ]
  const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a))
  const scale = Math.min(maxAutoScale, Math.max(1, Math.ceil(worst.ratio * 2) / 2))
  const seen = ratios.map((r) => `${r.name} ${r.seen >= 1000 ? `${(r.seen / 1000).toFixed(1)}s` : `${Math.round(r.seen)}ms`}`).join(', ')
  return { scale, why: scale === 1 ? `${seen}: no slower than an ordinary cluster` : `${seen}: ${worst.name} ${worst.ratio.toFixed(1)}× an ordinary cluster's` }
}

export async function measurePace(kube: Kube, run: NamespaceRun, busybox: string): Promise<Pace> {
  const ns = await createNamespace(kube, 'pace', run)
  try {
    const apiTimes: number[] = []
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now()
      await kube.core.readNamespace({ name: ns })
      apiTimes.push(performance.now() - t0)
    }
    const t0 = performance.now()
    await startClusterClient(kube, ns, busybox, 'pace')
    const podStartMs = performance.now() - t0
    const execTimes: number[] = []
    for (let i = 0; i < 3; i++) {
      const t1 = performance.now()
      await execIn(kube, ns, 'pace', ['true'], 'client')
      execTimes.push(performance.now() - t1)
    }
    return { podStartMs, execMs: median(execTimes), apiMs: median(apiTimes) }
  } finally {
    // Gone in the background; the run's teardown waits for its namespaces.
    await deleteNamespace(kube, ns).catch(() => undefined)
  }
}
