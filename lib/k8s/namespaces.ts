// Namespaces the suite makes: one per test, labelled with the suite and the
// run, so that a run (or `npm run clean`) finds and removes exactly its own.
import { ApisApi } from '@kubernetes/client-node'
import { randomBytes } from 'node:crypto'
import { apiCall, apiCreate, describeApiError, type GivenNamespace, isNotFound, type Kube, retryTransient } from './kube.ts'
import { sweepGiven } from './given-namespace.ts'
import { idsForNamespace, type NamespaceIds, uidRangeAnnotation } from './pod-ids.ts'
import { pollPause, progress } from './claim-context.ts'
import { timeout } from './timeouts.ts'
import { resources, watchObjects } from './watch.ts'
import { claimLabel, managedBy, runLabel, suiteSelector } from './suite-labels.ts'


export function namespaceName(title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '')
  return `sc-${slug}-${randomBytes(3).toString('hex')}`
}

// A name namespaceName() could have made. No proof that a namespace was the
// suite's (anyone may name one so): `npm run clean` only lists the volumes of
// such a namespace, gone and recorded by no run, as possibly the suite's.
export const isSuiteNamespaceName = (name: string) => /^sc-[a-z0-9-]*-[0-9a-f]{6}$/.test(name)

// The run a namespace is made for: its id (the namespace's label) and its
// record, which keeps the name from before the namespace exists: once the
// namespace is gone, the record is how the run knows that the volumes its
// claims left are its own (lib/harness/run-record.ts).
export interface NamespaceRun {
  id: string
  recordNamespace(name: string): Promise<void>
}

// In SC_NAMESPACE mode no namespace is made: the given one is used once what the run left there
// is gone (given-namespace.ts), and is not recorded (the volumes its claims leave are no run's to remove).
export async function createNamespace(kube: Kube, title: string, run: NamespaceRun, claim?: string): Promise<string> {
  if (kube.given) return useGivenNamespace(kube, kube.given)
  const name = namespaceName(title)
  await run.recordNamespace(name)
  await apiCreate(`create namespace ${name}`, {
    metadata: {
      name,
      labels: { ...managedBy, [runLabel]: run.id, ...(claim ? { [claimLabel]: claim } : {}) },
      annotations: { 'stateful-conformance/test': title.slice(0, 250) },
    },
  }, (body) => kube.core.createNamespace({ body }), () => kube.core.readNamespace({ name }))
  return name
}

// Per connection: whether the cluster assigns namespaces id ranges (it serves
// OpenShift's security API, or a namespace already carried a range), and the
// ids found for each namespace (they never change).
interface IdState { assigns?: Promise<boolean>; seen: boolean; ids: Map<string, Promise<NamespaceIds | undefined>> }
const idStates = new WeakMap<Kube, IdState>()

async function servesOpenShiftSecurity(kube: Kube): Promise<boolean> {
  const groups = await kube.kc.makeApiClient(ApisApi).getAPIVersions().catch(() => undefined)
  return groups?.groups.some((g) => g.name === 'security.openshift.io') ?? false
}

// The ids the namespace's pods must run with (pod-ids.ts), or undefined where
// it has no assigned range. OpenShift's namespace controller adds the range a
// moment after the namespace is made: where the cluster assigns ranges, a
// deadline-bounded poll waits for it; elsewhere there is nothing to wait for.
export function namespaceIds(kube: Kube, namespace: string, timeoutMs = timeout('apiCall')): Promise<NamespaceIds | undefined> {
  let state = idStates.get(kube)
  if (!state) idStates.set(kube, (state = { seen: false, ids: new Map() }))
  let ids = state.ids.get(namespace)
  if (!ids) {
    ids = lookUpIds(kube, namespace, state, timeoutMs)
    state.ids.set(namespace, ids)
    ids.catch(() => state.ids.delete(namespace))
  }
  return ids
}

async function lookUpIds(kube: Kube, namespace: string, state: IdState, timeoutMs: number): Promise<NamespaceIds | undefined> {
  const read = async () => idsForNamespace((await apiCall(`get namespace ${namespace}`, () => kube.core.readNamespace({ name: namespace }))).metadata?.annotations)
  let ids = await read()
  if (!ids && (state.seen || await (state.assigns ??= servesOpenShiftSecurity(kube)))) {
    progress(`waiting up to ${timeoutMs / 1000}s (apiCall) for namespace ${namespace} to be assigned its uid range (${uidRangeAnnotation}, by OpenShift's namespace controller)`)
    const deadline = Date.now() + timeoutMs
    while (!ids && Date.now() < deadline) {
      await pollPause(250) // poll interval of a deadline-bounded poll
      ids = await read()
    }
    if (!ids) throw new Error(`namespace ${namespace} has no ${uidRangeAnnotation} annotation after ${timeoutMs / 1000}s, although this cluster assigns uid ranges (it serves security.openshift.io, or another namespace had one): its pods would be refused; is OpenShift's namespace controller running?`)
  }
  if (ids) state.seen = true
  return ids
}

async function useGivenNamespace(kube: Kube, given: GivenNamespace): Promise<string> {
  const limit = timeout('namespaceDeleted')
  const left = await sweepGiven(kube, given, limit)
  if (left.length) throw new Error(`namespace ${given.namespace} (SC_NAMESPACE) still holds ${left.join(', ')} of this run after ${limit / 1000}s: the next claim cannot start without them gone (what holds them? a finalizer, a pod that does not stop)`)
  return given.namespace
}

// Starts the deletion; the run's teardown waits until all are gone. The given namespace (SC_NAMESPACE)
// is never deleted: what the run made there goes instead, and is waited for.
export async function deleteNamespace(kube: Kube, name: string): Promise<void> {
  if (kube.given?.namespace === name) {
    const left = await sweepGiven(kube, kube.given, timeout('namespaceDeleted'))
    if (left.length) console.warn(`${name}: still there after the claim (SC_NAMESPACE): ${left.join(', ')}`)
    return
  }
  await retryTransient(`delete namespace ${name}`, () => kube.core.deleteNamespace({ name, propagationPolicy: 'Background' }))
    .catch((err: unknown) => { if (!isNotFound(err)) throw err })
  await releaseNow(kube, name)
}

// The namespace controller marks the pods of a namespace it deletes seconds later (5 s for a
// claim's three pods on the one-node cluster, v1.36), and, deleting in order since Kubernetes 1.33,
// its claims only once the pods are gone; meanwhile the pods hold their node's room
// (their requests) and the claims their volumes. A terminating namespace admits no new pod or
// claim, so no controller brings them back: asked to go now, they free both sooner (a claim goes
// once no pod uses it). Best effort: the namespace's deletion removes them in any case.
async function releaseNow(kube: Kube, namespace: string): Promise<void> {
  const quietly = <T>(call: () => Promise<T>) => Promise.resolve().then(call).catch(() => undefined)
  const names = (l: { items: { metadata?: { name?: string } }[] } | undefined) => (l?.items ?? []).map((o) => o.metadata?.name ?? '').filter(Boolean)
  const pods = names(await quietly(() => kube.core.listNamespacedPod({ namespace })))
  await Promise.all(pods.map((name) => quietly(() => kube.core.deleteNamespacedPod({ namespace, name }))))
  const claims = names(await quietly(() => kube.core.listNamespacedPersistentVolumeClaim({ namespace })))
  await Promise.all(claims.map((name) => quietly(() => kube.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }))))
}

export const listNamespaces = (kube: Kube) =>
  retryTransient('list namespaces', () => kube.core.listNamespace()).then((l) => l.items)

export async function listSuiteNamespaces(kube: Kube, runId?: string): Promise<string[]> {
  const list = await retryTransient('list namespaces', () => kube.core.listNamespace({ labelSelector: suiteSelector(runId) }))
  return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean)
}

// Deletes the suite's namespaces (one run's, or all) and waits (watch) until
// they are gone; returns those still there at the deadline.
export async function removeSuiteNamespaces(kube: Kube, runId: string | undefined, timeoutMs: number): Promise<string[]> {
  return removeNamespaces(kube, await listSuiteNamespaces(kube, runId), timeoutMs, runId)
}

// Deletes these namespaces of the suite (of run `runId`, if given) and waits
// (watch) until they are gone; returns those still there at the deadline.
export async function removeNamespaces(kube: Kube, namespaces: string[], timeoutMs: number, runId?: string): Promise<string[]> {
  const names = new Set(namespaces)
  if (!names.size) return []
  console.log(`stateful-conformance: removing ${names.size} namespace(s) ${runId ? `of run ${runId}` : 'left by runs of the suite'}`)
  await Promise.all([...names].map((name) => deleteNamespace(kube, name)
    .catch((err: unknown) => console.warn(`delete namespace ${name}: ${describeApiError(err)}`))))
  return new Promise<string[]>((resolvePromise) => {
    let stop: (() => void) | undefined
    const finish = () => { clearTimeout(deadline); stop?.(); resolvePromise([...names]) }
    const deadline = setTimeout(finish, timeoutMs)
    watchObjects(kube, resources.namespaces, { labelSelector: suiteSelector(runId) }, {
      onSync: (items) => {
        const present = new Set(items.map((n) => n.metadata?.name ?? ''))
        for (const n of [...names]) if (!present.has(n)) names.delete(n)
        if (!names.size) finish()
      },
      onEvent: (type, ns) => {
        if (type === 'DELETED') names.delete(ns.metadata?.name ?? '')
        if (!names.size) finish()
      },
      onError: () => finish(),
    }).then((s) => { stop = s; if (!names.size) s() }, () => finish())
  })
}
