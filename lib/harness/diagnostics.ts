// What a failed test leaves for its reader in reports/<test>/: every object
// of the kinds the suite makes in its namespace (pods with their status,
// StatefulSets, Deployments, ReplicaSets, Services, EndpointSlices, claims),
// the volumes bound to its claims with their StorageClass, the namespace's
// events sorted by time, container logs (previous ones too) and the recorded
// timelines. Written before any clean-up step of the test runs; a listing
// that fails says so in its file, which is never left empty.
import type { CoreV1Event, KubernetesObject, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describeApiError, type Kube } from '../k8s/kube.ts'
import { suiteSelector } from '../k8s/suite-labels.ts'
import { listObjects, resources, type Resource } from '../k8s/watch.ts'
import type { Timeline } from '../observe/timeline.ts'
import { eventsResource, formatEvents } from '../resources/events.ts'
import { describePod } from '../resources/pods.ts'

export function reportDirName(title: string): string {
  return title.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 120)
}

// A listing, or why there is none: a dump file always says which.
type Listing<T> = { items: T[] } | { error: string }

async function list<T extends KubernetesObject>(kube: Kube, r: Resource, namespace?: string, labelSelector?: string): Promise<Listing<T>> {
  return listObjects<T>(kube, r, { namespace, labelSelector }).then(({ items }) => ({ items }), (err: unknown) => ({ error: describeApiError(err) }))
}

export function formatListing<T>(what: string, listing: Listing<T>, line: (o: T) => string): string {
  if ('error' in listing) return `${what}: (could not list: ${listing.error})`
  return `${what}: ${listing.items.length ? `\n${listing.items.map(line).join('\n')}` : '(none)'}`
}

const name = (o: KubernetesObject) => o.metadata?.name ?? '?'
// The status as the server stores it, for objects with no one-line form of their own.
const withStatus = (o: KubernetesObject & { status?: unknown; spec?: { replicas?: number } }) =>
  `${name(o)}${o.spec?.replicas !== undefined ? ` replicas=${o.spec.replicas}` : ''} status=${JSON.stringify(o.status ?? {})}`

function podLines(p: V1Pod): string {
  return [
    describePod(p),
    ...(p.status?.conditions ?? []).map((c) => `  condition ${c.type}=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`),
    ...(p.status?.containerStatuses ?? []).map((s) => `  container ${s.name}: image ${s.image}, restarts ${s.restartCount}, state ${JSON.stringify(s.state)}`),
  ].join('\n')
}

const claimLine = (c: V1PersistentVolumeClaim) =>
  `${name(c)}: ${c.status?.phase}, class ${c.spec?.storageClassName}, volume ${c.spec?.volumeName || 'none'}, capacity ${c.status?.capacity?.storage ?? 'none'}, finalizers ${c.metadata?.finalizers?.join(',') || 'none'}`
const volumeLine = (v: V1PersistentVolume) =>
  `${name(v)}: ${v.status?.phase}, claim ${v.spec?.claimRef?.namespace}/${v.spec?.claimRef?.name}, class ${v.spec?.storageClassName}, reclaim ${v.spec?.persistentVolumeReclaimPolicy}, capacity ${v.spec?.capacity?.storage}, node affinity ${JSON.stringify(v.spec?.nodeAffinity?.required ?? null)}`
const classLine = (c: V1StorageClass) =>
  `${name(c)}: provisioner ${c.provisioner}, binding ${c.volumeBindingMode ?? 'Immediate'}, reclaim ${c.reclaimPolicy ?? 'Delete'}, expansion ${c.allowVolumeExpansion ?? false}`

async function logsOf(kube: Kube, namespace: string, pod: V1Pod): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const previous of [false, true]) {
      const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name)
      if (previous && !status?.restartCount) continue
      const text = await kube.core.readNamespacedPodLog({ namespace, name: name(pod), container: c.name, previous, tailLines: 500 })
        .catch((err: unknown) => `(no log: ${describeApiError(err)})`)
      out.push([`${name(pod)}.${c.name}${previous ? '.previous' : ''}.log`, text || '(empty log)'])
    }
  }
  return out
}

// In a namespace given by SC_NAMESPACE, the run's own objects only (their events, their pods' logs):
// the namespace's other pods are its team's, not the report's.
export async function dumpNamespace(kube: Kube, namespace: string, dir: string, timelines: { selector: string; timeline: Timeline }[] = []): Promise<string> {
  await mkdir(join(dir, 'logs'), { recursive: true })
  const own = kube.given?.namespace === namespace ? suiteSelector(kube.given.runId) : undefined
  const [allEvents, pods, statefulSets, deployments, replicaSets, services, slices, claims, policies] = await Promise.all([
    list<CoreV1Event>(kube, eventsResource, namespace), list<V1Pod>(kube, resources.pods, namespace, own),
    list(kube, resources.statefulSets, namespace, own), list(kube, resources.deployments, namespace, own), list(kube, resources.replicaSets, namespace, own),
    list(kube, resources.services, namespace, own), list(kube, resources.endpointSlices, namespace, own), list<V1PersistentVolumeClaim>(kube, resources.pvcs, namespace, own),
    // What may deny the pods' DNS lookups and requests (the suite's own allow policy among them).
    list(kube, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' }, namespace),
  ])
  const ownNames = new Set([pods, statefulSets, deployments, replicaSets, services, claims].flatMap((l) => ('items' in l ? l.items.map(name) : [])))
  const events: Listing<CoreV1Event> = own && 'items' in allEvents ? { items: allEvents.items.filter((e) => ownNames.has(e.involvedObject?.name ?? '')) } : allEvents
  // The volumes bound to this namespace's claims, and the classes they came from.
  const volumes = await list<V1PersistentVolume>(kube, resources.pvs)
  const ours: Listing<V1PersistentVolume> = 'error' in volumes ? volumes
    : { items: volumes.items.filter((v) => v.spec?.claimRef?.namespace === namespace && (!own || ownNames.has(v.spec.claimRef.name ?? ''))) }
  const classNames = new Set('items' in ours ? ours.items.map((v) => v.spec?.storageClassName).filter(Boolean) : [])
  const classes = await list<V1StorageClass>(kube, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', plural: 'storageclasses', clusterScoped: true })
  const usedClasses: Listing<V1StorageClass> = 'error' in classes ? classes : { items: classes.items.filter((c) => classNames.has(name(c))) }

  const files: [string, string][] = [
    ['events.txt', 'error' in events ? `(could not list events: ${events.error})` : formatEvents(events.items) || '(no events)'],
    ['pods.txt', formatListing('pods', pods, podLines)],
    ['workloads.txt', [formatListing('StatefulSets', statefulSets, withStatus), formatListing('Deployments', deployments, withStatus), formatListing('ReplicaSets', replicaSets, withStatus)].join('\n\n')],
    ['services.txt', [formatListing('Services', services, (s) => `${name(s)} ${JSON.stringify((s as { spec?: unknown }).spec ?? {})}`),
      formatListing('EndpointSlices', slices, (s) => `${name(s)} ${JSON.stringify((s as { endpoints?: unknown }).endpoints ?? [])}`),
      formatListing('NetworkPolicies', policies, (p) => `${name(p)} ${JSON.stringify((p as { spec?: unknown }).spec ?? {})}`)].join('\n\n')],
    ['claims.txt', [formatListing('claims', claims, claimLine), formatListing('volumes bound to them', ours, volumeLine), formatListing('their storage classes', usedClasses, classLine)].join('\n\n')],
  ]
  if (timelines.length) files.push(['timelines.txt', timelines.map((t) => t.timeline.describe(`pods ${t.selector}`)).join('\n\n')])
  for (const [file, text] of files) await writeFile(join(dir, file), `${text}\n`)
  for (const pod of 'items' in pods ? pods.items : []) {
    for (const [file, text] of await logsOf(kube, namespace, pod)) await writeFile(join(dir, 'logs', file), text)
  }
  return dir
}
