// What the pod timeline keeps of each pod, and what it reads off a pod object (timeline.ts).
import type { V1Pod } from '@kubernetes/client-node'

export interface PodState {
  phase?: string
  ready: boolean
  terminating: boolean
  restarts: number
  deleted: boolean
  last: V1Pod
}

export const revisionOf = (p: V1Pod) => p.metadata?.labels?.['controller-revision-hash'] ?? p.metadata?.labels?.['pod-template-hash']
export const isStopped = (phase?: string) => phase === 'Succeeded' || phase === 'Failed'
export const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
export const restartsOf = (p: V1Pod) => (p.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0)
// When the pod's Ready condition last changed, as the API keeps it (to the second).
export function readySince(p: V1Pod): number | undefined {
  const at = p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime as Date | string | undefined
  const ms = at === undefined ? Number.NaN : new Date(at).getTime()
  return Number.isNaN(ms) ? undefined : ms
}
