// StatefulSets and Deployments: the verbs specs use instead of the raw client
// (`kubectl patch`, `set image`, `scale`, `delete`).
import * as k8s from '@kubernetes/client-node'
import type { V1StatefulSet } from '@kubernetes/client-node'
import { apiCall, type Kube } from '../k8s/kube.ts'

export const getStatefulSet = (kube: Kube, namespace: string, name: string): Promise<V1StatefulSet> =>
  apiCall(`get StatefulSet ${namespace}/${name}`, () => kube.apps.readNamespacedStatefulSet({ namespace, name }))

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

export const deleteStatefulSet = (kube: Kube, namespace: string, name: string) =>
  apiCall(`delete StatefulSet ${namespace}/${name}`, () => kube.apps.deleteNamespacedStatefulSet({ namespace, name, propagationPolicy: 'Background' }))

