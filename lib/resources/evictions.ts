// A drain's two moves, as `kubectl drain` makes them: the node cordoned
// (spec.unschedulable), and each pod asked to leave through the Eviction API,
// which a PodDisruptionBudget may refuse with 429 TooManyRequests.
import * as k8s from '@kubernetes/client-node'
import pRetry from 'p-retry'
import { apiCall, describeApiError, isNotFound, isTransient, type Kube, statusCode, transientRetry } from '../k8s/kube.ts'
import { refuseOutsideGiven } from '../k8s/given-namespace.ts'
import { findPod } from './pods.ts'

export async function setUnschedulable(kube: Kube, node: string, unschedulable: boolean) {
  refuseOutsideGiven(kube, `${unschedulable ? 'cordon' : 'uncordon'} node ${node}`)
  return apiCall(`${unschedulable ? 'cordon' : 'uncordon'} node ${node}`, () => kube.objects.patch(
    { apiVersion: 'v1', kind: 'Node', metadata: { name: node }, spec: { unschedulable } }, undefined, undefined, 'stateful-conformance', undefined,
    k8s.PatchStrategy.MergePatch,
  ))
}

export type Eviction = { evicted: true } | { evicted: false; refusal: string }

// One eviction. 429 is the budget's refusal, not a transient failure: it is
// returned, not retried. A retry after a failure that may have reached the
// server (a timeout, a broken connection) may meet its own first try: a pod
// gone or terminating then counts as evicted.
export function evictPod(kube: Kube, namespace: string, name: string): Promise<Eviction> {
  const what = `evict pod ${namespace}/${name}`
  let attempts = 0
  const once = async (): Promise<Eviction> => {
    const retry = attempts++ > 0
    try {
      await kube.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } })
      return { evicted: true }
    } catch (err) {
      if (retry && (isNotFound(err) || statusCode(err) === 429) && await leaving(kube, namespace, name)) return { evicted: true }
      if (statusCode(err) === 429) return { evicted: false, refusal: describeApiError(err) }
      throw err
    }
  }
  return pRetry(once, { ...transientRetry, shouldRetry: ({ error }) => isTransient(error) }).catch((err: unknown) => {
    throw Object.assign(new Error(`${what}: ${describeApiError(err)}`), { code: statusCode(err) })
  })
}

async function leaving(kube: Kube, namespace: string, name: string): Promise<boolean> {
  const pod = await findPod(kube, namespace, name)
  return !pod || !!pod.metadata?.deletionTimestamp
}

// The taint that tells the control plane a node is down for good (node.kubernetes.io/out-of-service):
// the pod garbage collector then force-deletes its pods, and their volumes are detached.
export const outOfService = { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' } as const

// Adds or removes that taint, keeping the node's others (the node lifecycle controller adds its own
// meanwhile: the write carries the read's resourceVersion, and a conflict is read and tried again).
export async function setOutOfService(kube: Kube, node: string, on: boolean): Promise<void> {
  refuseOutsideGiven(kube, `${on ? 'taint' : 'untaint'} node ${node} ${outOfService.key}`)
  for (let attempt = 1; ; attempt++) {
    const n = await apiCall(`get node ${node}`, () => kube.core.readNode({ name: node }))
    const others = (n.spec?.taints ?? []).filter((t) => t.key !== outOfService.key)
    const taints = on ? [...others, { ...outOfService }] : others
    if (!on && taints.length === (n.spec?.taints ?? []).length) return
    try {
      await kube.objects.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, resourceVersion: n.metadata?.resourceVersion }, spec: { taints } },
        undefined, undefined, 'stateful-conformance', undefined, k8s.PatchStrategy.MergePatch)
      return
    } catch (err) {
      if (statusCode(err) !== 409 || attempt >= 5) throw new Error(`${on ? 'taint' : 'untaint'} node ${node} ${outOfService.key}: ${describeApiError(err)}`)
    }
  }
}
