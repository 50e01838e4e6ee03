// StatefulSets and Deployments: the verbs specs use instead of the raw client
// (`kubectl patch`, `set image`, `scale`, `delete`).
import * as k8s from '@kubernetes/client-node'
import type { IntOrString, V1Deployment, V1StatefulSet } from '@kubernetes/client-node'
import { refuseUnlessOwn } from '../k8s/given-namespace.ts'
import { apiCall, apiDelete, type Kube } from '../k8s/kube.ts'

export const getStatefulSet = (kube: Kube, namespace: string, name: string): Promise<V1StatefulSet> =>
  apiCall(`get StatefulSet ${namespace}/${name}`, () => kube.apps.readNamespacedStatefulSet({ namespace, name }))

export const getDeployment = (kube: Kube, namespace: string, name: string): Promise<V1Deployment> =>
  apiCall(`get Deployment ${namespace}/${name}`, () => kube.apps.readNamespacedDeployment({ namespace, name }))

export interface RollingBounds {
  replicas: number
  maxSurge: number
  maxUnavailable: number
}

// An int-or-percent of `total`, as Kubernetes scales it (intstr.GetScaledValueFromIntOrPercent).
function scaled(value: IntOrString | undefined, total: number, roundUp: boolean, field: string): number {
  if (value === undefined || typeof value === 'number') return value ?? 0
  const pct = /^(\d+)%$/.exec(value)?.[1]
  if (pct === undefined) throw new Error(`${field} "${value}" is neither an integer nor a percentage`)
  const exact = (Number(pct) * total) / 100
  return roundUp ? Math.ceil(exact) : Math.floor(exact)
}

// A RollingUpdate Deployment's bounds in pods, as its controller resolves them
// (deployment/util ResolveFenceposts): percentages of spec.replicas, maxSurge
// rounded up and maxUnavailable down; should both come to 0, maxUnavailable is 1.
// Read from the Deployment as the API server holds it, defaults filled in.
export function rollingUpdateBounds(d: V1Deployment): RollingBounds {
  const name = `Deployment ${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`
  const type = d.spec?.strategy?.type ?? 'RollingUpdate'
  if (type !== 'RollingUpdate') throw new Error(`${name} has strategy ${type}, not RollingUpdate`)
  const replicas = d.spec?.replicas ?? 1
  const r = d.spec?.strategy?.rollingUpdate
  const maxSurge = scaled(r?.maxSurge, replicas, true, `${name} maxSurge`)
  const maxUnavailable = scaled(r?.maxUnavailable, replicas, false, `${name} maxUnavailable`)
  return { replicas, maxSurge, maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable }
}

// A strategic-merge patch, as `kubectl patch` sends by default.
export function patchObject(kube: Kube, apiVersion: string, kind: string, namespace: string, name: string, patch: object) {
  return apiCall(`patch ${kind} ${namespace}/${name}`, () => kube.objects.patch(
    { apiVersion, kind, metadata: { name, namespace }, ...patch }, undefined, undefined, 'stateful-conformance', undefined,
    k8s.PatchStrategy.StrategicMergePatch,
  ))
}

// `kubectl set image <kind>/<name> <container>=<image>`
export function setImage(kube: Kube, namespace: string, kind: 'StatefulSet' | 'Deployment', name: string, container: string, image: string) {
  return patchObject(kube, 'apps/v1', kind, namespace, name, { spec: { template: { spec: { containers: [{ name: container, image }] } } } })
}

// `kubectl scale <kind>/<name> --replicas=N`
export function scale(kube: Kube, namespace: string, kind: 'StatefulSet' | 'Deployment', name: string, replicas: number) {
  return patchObject(kube, 'apps/v1', kind, namespace, name, { spec: { replicas } })
}

export async function deleteStatefulSet(kube: Kube, namespace: string, name: string) {
  await refuseUnlessOwn(kube, namespace, `delete StatefulSet ${namespace}/${name}`, () => kube.apps.readNamespacedStatefulSet({ namespace, name }))
  return apiDelete(`delete StatefulSet ${namespace}/${name}`, () => kube.apps.deleteNamespacedStatefulSet({ namespace, name, propagationPolicy: 'Background' }))
}

