// One pod lifecycle event as a recording keeps it, and how a check names one.
// stopped: the pod reached phase Succeeded or Failed (its containers have exited), deleted or not.
export type PodEventKind = 'present' | 'created' | 'running' | 'ready' | 'unready' | 'restarted' | 'terminating' | 'stopped' | 'deleted'

export interface PodEvent {
  seq: number
  at: number // when the watch delivered it (ms since epoch)
  pod: string
  uid: string
  kind: PodEventKind
  revision?: string
  incarnation: 'old' | 'new' // old: the pod existed when recording began
}

export interface EventRef {
  pod: string
  kind: PodEventKind
  incarnation?: 'old' | 'new'
}

export const refLabel = (r: EventRef) => `${r.pod} ${r.kind}${r.incarnation ? ` (${r.incarnation})` : ''}`

// A rolling replacement pod by pod, in the order given: each pod's old incarnation terminating, then its new one Ready.
export const replacedInTurn = (...pods: string[]): EventRef[] =>
  pods.flatMap((pod) => [{ pod, kind: 'terminating', incarnation: 'old' }, { pod, kind: 'ready', incarnation: 'new' }])

// The first event matching ref, gaps or not: for pictures and waits, which prove nothing.
export const findEvent = (events: readonly PodEvent[], ref: EventRef): PodEvent | undefined =>
  events.find((e) => e.pod === ref.pod && e.kind === ref.kind && (!ref.incarnation || e.incarnation === ref.incarnation))
