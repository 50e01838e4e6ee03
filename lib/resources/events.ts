// Kubernetes Events: one-line and sorted descriptions, and what a claim's
// events and its provisioner say: the context a stuck claim needs in its failure message ("ProvisioningFailed: …", "waiting for first
// consumer", or nothing at all because no provisioner picked it up).
import type { CoreV1Event, V1PersistentVolumeClaim } from '@kubernetes/client-node'
import { retryTransient, type Kube } from '../k8s/kube.ts'
import type { Resource } from '../k8s/watch.ts'

export const describeEvent = (e: CoreV1Event) => `${e.type} ${e.reason}: ${e.message ?? ''}`.trim()

const epochMs = (t: string | number | Date | undefined) => new Date(t ?? 0).getTime()

// When an event was last seen (a series' latest occurrence, for events the events.k8s.io API wrote), and first.
export const eventTime = (e: CoreV1Event) =>
  epochMs(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp)
export const eventFirstTime = (e: CoreV1Event) => epochMs(e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp)

export function formatEvents(events: CoreV1Event[]): string {
  return [...events].sort((a, b) => eventTime(a) - eventTime(b)).map((e) =>
    `${new Date(eventTime(e)).toISOString()}  ${(e.type ?? '').padEnd(7)} ${e.involvedObject.kind}/${e.involvedObject.name}  ${e.reason}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`,
  ).join('\n')
}

// The scheduler's words for "no node both fits the pod and is allowed by its
// volumes' node affinity": the VolumeBinding plugin's reason, as releases word
// it ("had volume node affinity conflict" up to 1.32 or so, "didn't match
// PersistentVolume's node affinity" since).
export const isVolumeNodeAffinityConflict = (message: string | undefined): boolean =>
  /volume node affinity conflict|didn't match PersistentVolume's node affinity/i.test(message ?? '')

export const eventsResource: Resource = { apiVersion: 'v1', kind: 'Event', plural: 'events' }

export const claimEventsQuery = (namespace: string, name: string) => ({
  namespace, fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${name}`,
})

export async function claimEvents(kube: Kube, namespace: string, name: string): Promise<CoreV1Event[]> {
  const q = claimEventsQuery(namespace, name)
  return retryTransient(`list events of claim ${namespace}/${name}`, () =>
    kube.core.listNamespacedEvent({ namespace, fieldSelector: q.fieldSelector })).then((l) => l.items)
}

// The provisioner the PV controller handed the claim to (set once it is
// dynamically provisioned), else the one its StorageClass names.
export function provisionerAnnotation(pvc: V1PersistentVolumeClaim | undefined): string | undefined {
  const a = pvc?.metadata?.annotations ?? {}
  return a['volume.kubernetes.io/storage-provisioner'] ?? a['volume.beta.kubernetes.io/storage-provisioner']
}

// "provisioner X (class Y)" and the claim's last events, for a wait that gave up.
export async function describeStuckClaim(kube: Kube, namespace: string, name: string, lastEvents = 8): Promise<string> {
  const pvc = await kube.core.readNamespacedPersistentVolumeClaim({ namespace, name }).catch(() => undefined)
  const cls = pvc?.spec?.storageClassName
  let provisioner = provisionerAnnotation(pvc)
  if (!provisioner && cls) provisioner = await kube.storage.readStorageClass({ name: cls }).then((c) => `${c.provisioner} (from the class; the claim names none yet)`, () => undefined)
  const events = await claimEvents(kube, namespace, name).catch((err: Error) => err)
  const eventText = events instanceof Error ? `(could not list them: ${events.message})`
    : events.length ? formatEvents(events).split('\n').slice(-lastEvents).map((l) => `  ${l}`).join('\n') : '  (none)'
  return `provisioner: ${provisioner ?? 'unknown'}, class ${cls ?? 'none'}\nrecent events of claim ${namespace}/${name}:\n${eventText}`
}
