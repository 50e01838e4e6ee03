// Small verbs on workloads and storage that specs use instead of the raw client.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import * as k8s from '@kubernetes/client-node'
import { apiCall, isNotFound, type Kube } from './kube.ts'
import { loadManifest } from './manifests.ts'

const api = apiCall

export const getPod = (kube: Kube, namespace: string, name: string): Promise<V1Pod> =>
  api(`get pod ${namespace}/${name}`, () => kube.core.readNamespacedPod({ namespace, name }))

export async function findPod(kube: Kube, namespace: string, name: string): Promise<V1Pod | undefined> {
  return kube.core.readNamespacedPod({ namespace, name }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined
    throw err
  })
}

export const listPods = (kube: Kube, namespace: string, labelSelector?: string): Promise<V1Pod[]> =>
  api(`list pods in ${namespace}`, () => kube.core.listNamespacedPod({ namespace, labelSelector })).then((l) =>
    l.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')))

export const deletePod = (kube: Kube, namespace: string, name: string, gracePeriodSeconds?: number) =>
  api(`delete pod ${namespace}/${name}`, () => kube.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds }))

export const createPod = (kube: Kube, namespace: string, body: V1Pod) =>
  api(`create pod ${namespace}/${body.metadata?.name}`, () => kube.core.createNamespacedPod({ namespace, body }))

// Creates the pod of that name from a fixture file (which may hold other objects too).
export async function createPodFromFixture(kube: Kube, namespace: string, file: string, name: string, edit?: (p: V1Pod) => void): Promise<V1Pod> {
  const pod = (await loadManifest(file)).find((o) => o.kind === 'Pod' && o.metadata?.name === name) as V1Pod | undefined
  if (!pod) throw new Error(`fixtures/${file} has no Pod named ${name}`)
  edit?.(pod)
  return createPod(kube, namespace, pod)
}

export const getPvc = (kube: Kube, namespace: string, name: string): Promise<V1PersistentVolumeClaim> =>
  api(`get claim ${namespace}/${name}`, () => kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }))

export const listPvcs = (kube: Kube, namespace: string): Promise<V1PersistentVolumeClaim[]> =>
  api(`list claims in ${namespace}`, () => kube.core.listNamespacedPersistentVolumeClaim({ namespace })).then((l) =>
    l.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')))

export const deletePvc = (kube: Kube, namespace: string, name: string) =>
  api(`delete claim ${namespace}/${name}`, () => kube.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }))

export const getPv = (kube: Kube, name: string): Promise<V1PersistentVolume> =>
  api(`get volume ${name}`, () => kube.core.readPersistentVolume({ name }))

export const getStatefulSet = (kube: Kube, namespace: string, name: string): Promise<V1StatefulSet> =>
  api(`get StatefulSet ${namespace}/${name}`, () => kube.apps.readNamespacedStatefulSet({ namespace, name }))

// A strategic-merge patch, as `kubectl patch` sends by default.
export function patchObject(kube: Kube, apiVersion: string, kind: string, namespace: string, name: string, patch: object) {
  return api(`patch ${kind} ${namespace}/${name}`, () => kube.objects.patch(
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
  api(`delete StatefulSet ${namespace}/${name}`, () => kube.apps.deleteNamespacedStatefulSet({ namespace, name, propagationPolicy: 'Background' }))

export const podIp = (p: V1Pod) => p.status?.podIP ?? ''
export const podNames = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name ?? '').sort()
