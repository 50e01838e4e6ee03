// Waits on claims and volumes. A claim that does not get where it should is
// explained by its events and its provisioner, not by its phase alone.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { recordClaimBound } from '../k8s/claim-context.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { describeStuckClaim } from '../resources/events.ts'
import { claimCapacityBytes, describeClaim } from '../resources/storage.ts'
import { waitFor, waitForNamed, WaitTimeout } from './wait-for.ts'

// absentIsFinal: the claim is known to exist, so its absence fails the wait at once.
export function waitForPvc(kube: Kube, namespace: string, name: string, what: string,
  until: (pvc: V1PersistentVolumeClaim) => boolean, timeout: TimeoutName = 'pvcBound', { absentIsFinal = false } = {}): Promise<V1PersistentVolumeClaim> {
  return waitForNamed<V1PersistentVolumeClaim>(kube, {
    what: `claim ${namespace}/${name} ${what}`, timeout, resource: resources.pvcs, namespace, name, until, absent: 'no such claim', absentIsFinal,
    describe: (pvc) => `phase ${pvc.status?.phase}, volume ${pvc.spec?.volumeName || 'none'}${pvc.metadata?.deletionTimestamp ? ', terminating' : ''}`,
  }).catch(async (err: unknown) => {
    // A stuck claim is explained by its events and its provisioner, not by its phase alone.
    if (err instanceof WaitTimeout) err.message += `\n${await describeStuckClaim(kube, namespace, name).catch((e: Error) => `(no claim context: ${e.message})`)}`
    throw err
  })
}

// A claim this wait saw unbound first is timed to Bound from its creation (recordClaimBound): the API
// keeps creationTimestamp in whole seconds, so the time is up to 1 s long. One already Bound is not timed.
export async function waitForPvcBound(kube: Kube, namespace: string, name: string): Promise<V1PersistentVolumeClaim> {
  let sawUnbound = false
  const pvc = await waitForPvc(kube, namespace, name, 'to be Bound', (p) => {
    if (p.status?.phase === 'Bound') return true
    sawUnbound = true
    return false
  })
  const created = new Date(pvc.metadata?.creationTimestamp ?? Number.NaN).getTime()
  if (sawUnbound && Number.isFinite(created)) recordClaimBound(Date.now() - created)
  return pvc
}

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

// The claim reports the new capacity once the volume (and, online, the
// filesystem) has been resized.
export function waitForClaimCapacity(kube: Kube, ns: string, name: string, atLeast: number): Promise<V1PersistentVolumeClaim> {
  return waitFor<V1PersistentVolumeClaim, V1PersistentVolumeClaim>(kube, {
    what: `claim ${ns}/${name} to report a capacity of at least ${atLeast} bytes`, timeout: 'pvcResized', resource: resources.pvcs,
    query: { namespace: ns, fieldSelector: `metadata.name=${name}` },
    until: ([pvc]) => (pvc && claimCapacityBytes(pvc) >= atLeast ? pvc : undefined),
    describe: ([pvc]) => describeClaim(pvc),
  }).catch(async (err: unknown) => {
    if (err instanceof WaitTimeout) err.message += `\n${await describeStuckClaim(kube, ns, name).catch((e: Error) => `(no claim context: ${e.message})`)}`
    throw err
  })
}
