// Namespaces as the stall tests build them: objects of namespace q1, each with a uid, built by name.
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import type { NamespaceObjects } from './stall-signs.ts'

export const ns = 'q1'
export const none = (): NamespaceObjects => ({ statefulSets: [], deployments: [], replicaSets: [], services: [], endpointSlices: [], pods: [], pvcs: [], events: [] })
export const meta = (name: string, uid: string, extra: object = {}) => ({ name, namespace: ns, uid, ...extra })
export const sts = (observed?: number): V1StatefulSet => ({ kind: 'StatefulSet', metadata: meta('web', 'sts-1', { generation: 1 }), status: { replicas: 0, ...(observed ? { observedGeneration: observed } : {}) } })
export const pod = (name: string, extra: Partial<V1Pod> = {}): V1Pod => ({ metadata: meta(name, `pod-${name}`), spec: { containers: [] }, ...extra })
export const claim = (name: string, extra: Partial<V1PersistentVolumeClaim> = {}): V1PersistentVolumeClaim =>
  ({ metadata: meta(name, `pvc-${name}`), spec: {}, status: { phase: 'Pending' }, ...extra })
export const event = (uid: string, component: string, reason: string): CoreV1Event =>
  ({ metadata: {}, involvedObject: { uid }, source: { component }, reason })
