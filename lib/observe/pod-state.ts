// What the pod timeline keeps of each pod, and what it reads off a pod object (timeline.ts).
import type { V1Pod } from '@kubernetes/client-node'
import { conditionChangedAt } from '../resources/pods.ts'

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
// When the pod's Ready condition last changed.
export const readySince = (p: V1Pod): number | undefined => conditionChangedAt(p.status?.conditions?.find((c) => c.type === 'Ready'))
