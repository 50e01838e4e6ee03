// Waits are watches: they say what they wait for, show what they currently
// see while waiting, and throw with the last observed state on timeout.
import type { KubernetesObject, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StatefulSet, V1Deployment, V1EndpointSlice } from '@kubernetes/client-node'
import type { Kube } from './kube.ts'
import { progress } from './steps.ts'
import { timeout as namedTimeout, type TimeoutName } from './timeouts.ts'
import { resources, watchObjects, type Query, type Resource } from './watch.ts'
import { describePod, describePods } from './describe.ts'
import { describeEndpoints, endpointsOf, type ServiceEndpoint } from './service-endpoints.ts'
import { describeStuckClaim } from './claim-events.ts'

export class WaitTimeout extends Error {
  override name = 'WaitTimeout'
}

export interface WaitSpec<T, R> {
  what: string
  timeout: TimeoutName
  resource: Resource
  query: Query
  // Evaluated on every change; a value other than undefined/false ends the wait.
  until: (objects: T[]) => R | undefined | false
  describe: (objects: T[]) => string
}

export function waitFor<T extends KubernetesObject, R>(kube: Kube, spec: WaitSpec<T, R>): Promise<R> {
  const limit = namedTimeout(spec.timeout)
  const started = Date.now()
  const current = new Map<string, T>()
  const key = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`
  const objects = () => [...current.values()]
  progress(`waiting up to ${limit / 1000}s (${spec.timeout}) for ${spec.what}`)

  return new Promise<R>((resolve, reject) => {
    let finished = false
    let stop: (() => void) | undefined
    const finish = (err: Error | undefined, value?: R) => {
      if (finished) return
      finished = true
      clearTimeout(deadline)
      clearInterval(heartbeat)
      stop?.()
      if (err) reject(err)
      else resolve(value as R)
    }
    const evaluate = () => {
      try {
        const r = spec.until(objects())
        if (r !== undefined && r !== false) finish(undefined, r)
      } catch (err) {
        finish(err as Error)
      }
    }
    const deadline = setTimeout(() => {
      finish(new WaitTimeout(`timed out after ${limit / 1000}s (${spec.timeout}) waiting for ${spec.what}\nlast observed: ${spec.describe(objects())}`))
    }, limit)
    const heartbeat = setInterval(() => {
      progress(`… still waiting for ${spec.what} (${Math.round((Date.now() - started) / 1000)}s of ${limit / 1000}s): ${spec.describe(objects())}`)
    }, 10_000)
    watchObjects<T>(kube, spec.resource, spec.query, {
      onSync: (items) => {
        current.clear()
        for (const o of items) current.set(key(o), o)
        evaluate()
      },
      onEvent: (type, o) => {
        if (type === 'DELETED') current.delete(key(o))
        else current.set(key(o), o)
        evaluate()
      },
      onError: (err) => finish(err),
    }).then((s) => {
      stop = s
      if (finished) s()
    }, (err: Error) => finish(err))
  })
}

// ---- pods --------------------------------------------------------------------

export const isPodReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true

export function waitForPods(kube: Kube, namespace: string, labelSelector: string, what: string,
  until: (pods: V1Pod[]) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1Pod[]> {
  return waitFor<V1Pod, V1Pod[]>(kube, {
    what: `${what} (pods ${namespace} -l ${labelSelector})`, timeout, resource: resources.pods, query: { namespace, labelSelector },
    until: (pods) => (until(pods) ? pods : undefined),
    describe: describePods,
  })
}

export function waitForPod(kube: Kube, namespace: string, name: string, what: string,
  until: (pod: V1Pod) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1Pod> {
  return waitFor<V1Pod, V1Pod>(kube, {
    what: `pod ${namespace}/${name} ${what}`, timeout, resource: resources.pods,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([pod]) => (pod && until(pod) ? pod : undefined),
    describe: ([pod]) => (pod ? describePod(pod) : 'no such pod'),
  })
}

export const waitForPodReady = (kube: Kube, namespace: string, name: string) =>
  waitForPod(kube, namespace, name, 'to be Ready', isPodReady)

// Gone: no pod of that name, or one with another uid (a replacement).
export function waitForPodGone(kube: Kube, namespace: string, name: string, uid?: string): Promise<true> {
  return waitFor<V1Pod, true>(kube, {
    what: `pod ${namespace}/${name}${uid ? ` (uid ${uid})` : ''} to be gone`, timeout: 'podDeleted', resource: resources.pods,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([pod]) => !pod || (uid !== undefined && pod.metadata?.uid !== uid),
    describe: ([pod]) => (pod ? describePod(pod) : 'no such pod'),
  })
}

export function waitForReadyReplicas(kube: Kube, namespace: string, labelSelector: string, count: number): Promise<V1Pod[]> {
  return waitForPods(kube, namespace, labelSelector, `${count} Ready`, (pods) => pods.filter(isPodReady).length === count && pods.length === count)
}

// ---- storage -------------------------------------------------------------------

export function waitForPvc(kube: Kube, namespace: string, name: string, what: string,
  until: (pvc: V1PersistentVolumeClaim) => boolean, timeout: TimeoutName = 'pvcBound'): Promise<V1PersistentVolumeClaim> {
  return waitFor<V1PersistentVolumeClaim, V1PersistentVolumeClaim>(kube, {
    what: `claim ${namespace}/${name} ${what}`, timeout, resource: resources.pvcs,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([pvc]) => (pvc && until(pvc) ? pvc : undefined),
    describe: ([pvc]) => (pvc ? `phase ${pvc.status?.phase}, volume ${pvc.spec?.volumeName || 'none'}${pvc.metadata?.deletionTimestamp ? ', terminating' : ''}` : 'no such claim'),
  }).catch(async (err: unknown) => {
    // A stuck claim is explained by its events and its provisioner, not by its phase alone.
    if (err instanceof WaitTimeout) err.message += `\n${await describeStuckClaim(kube, namespace, name).catch((e: Error) => `(no claim context: ${e.message})`)}`
    throw err
  })
}

export const waitForPvcBound = (kube: Kube, namespace: string, name: string) =>
  waitForPvc(kube, namespace, name, 'to be Bound', (pvc) => pvc.status?.phase === 'Bound')

export function waitForPvcGone(kube: Kube, namespace: string, name: string): Promise<true> {
  return waitFor<V1PersistentVolumeClaim, true>(kube, {
    what: `claim ${namespace}/${name} to be gone`, timeout: 'pvcDeleted', resource: resources.pvcs,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([pvc]) => !pvc,
    describe: ([pvc]) => (pvc ? `phase ${pvc.status?.phase}, finalizers ${pvc.metadata?.finalizers?.join(',') || 'none'}` : 'gone'),
  })
}

export function waitForPv(kube: Kube, name: string, what: string, until: (pv: V1PersistentVolume | undefined) => boolean,
  timeout: TimeoutName = 'pvDeleted'): Promise<V1PersistentVolume | undefined> {
  return waitFor<V1PersistentVolume, { pv: V1PersistentVolume | undefined }>(kube, {
    what: `volume ${name} ${what}`, timeout, resource: resources.pvs, query: { fieldSelector: `metadata.name=${name}` },
    until: ([pv]) => (until(pv) ? { pv } : undefined),
    describe: ([pv]) => (pv ? `phase ${pv.status?.phase}, reclaim ${pv.spec?.persistentVolumeReclaimPolicy}` : 'no such volume'),
  }).then((r) => r.pv)
}

export const waitForPvGone = (kube: Kube, name: string) => waitForPv(kube, name, 'to be deleted', (pv) => !pv)

// ---- workloads -----------------------------------------------------------------

export function waitForStatefulSet(kube: Kube, namespace: string, name: string, what: string,
  until: (sts: V1StatefulSet) => boolean, timeout: TimeoutName = 'rollout'): Promise<V1StatefulSet> {
  return waitFor<V1StatefulSet, V1StatefulSet>(kube, {
    what: `StatefulSet ${namespace}/${name} ${what}`, timeout, resource: resources.statefulSets,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([s]) => (s && until(s) ? s : undefined),
    describe: ([s]) => (s ? `generation ${s.metadata?.generation}/observed ${s.status?.observedGeneration}, ready ${s.status?.readyReplicas ?? 0}/${s.spec?.replicas}, updated ${s.status?.updatedReplicas ?? 0}, current ${s.status?.currentRevision}, update ${s.status?.updateRevision}` : 'no such StatefulSet'),
  })
}

export const waitForStatefulSetRolledOut = (kube: Kube, namespace: string, name: string) =>
  waitForStatefulSet(kube, namespace, name, 'to finish its rollout', (s) =>
    s.status?.observedGeneration === s.metadata?.generation && (s.status?.readyReplicas ?? 0) === s.spec?.replicas &&
    (s.status?.updatedReplicas ?? 0) === s.spec?.replicas && s.status?.currentRevision === s.status?.updateRevision)

export function waitForDeploymentAvailable(kube: Kube, namespace: string, name: string): Promise<V1Deployment> {
  return waitFor<V1Deployment, V1Deployment>(kube, {
    what: `Deployment ${namespace}/${name} to be rolled out and available`, timeout: 'rollout', resource: resources.deployments,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([d]) => {
      if (!d) return undefined
      const s = d.status
      const want = d.spec?.replicas ?? 1
      return s?.observedGeneration === d.metadata?.generation && s?.updatedReplicas === want && s?.availableReplicas === want &&
        (s?.replicas ?? 0) === want ? d : undefined
    },
    describe: ([d]) => (d ? `replicas ${d.status?.replicas ?? 0}, updated ${d.status?.updatedReplicas ?? 0}, available ${d.status?.availableReplicas ?? 0} of ${d.spec?.replicas}` : 'no such Deployment'),
  })
}

// Every endpoint of the Service (ready or not), across its EndpointSlices, until `until` holds.
export function waitForServiceEndpoints(kube: Kube, namespace: string, service: string, what: string,
  until: (endpoints: ServiceEndpoint[]) => boolean): Promise<ServiceEndpoint[]> {
  return waitFor<V1EndpointSlice, ServiceEndpoint[]>(kube, {
    what: `Service ${namespace}/${service} endpoints ${what}`, timeout: 'endpoints', resource: resources.endpointSlices,
    query: { namespace, labelSelector: `kubernetes.io/service-name=${service}` },
    until: (slices) => (until(endpointsOf(slices)) ? endpointsOf(slices) : undefined),
    describe: (slices) => describeEndpoints(endpointsOf(slices)),
  })
}

const readyAddresses = (endpoints: ServiceEndpoint[]) => endpoints.filter((e) => e.ready).map((e) => e.address).sort()

// The Service's ready addresses, until `until` holds for them.
export function waitForEndpoints(kube: Kube, namespace: string, service: string, what: string,
  until: (addresses: string[]) => boolean): Promise<string[]> {
  return waitForServiceEndpoints(kube, namespace, service, what, (e) => until(readyAddresses(e))).then(readyAddresses)
}
