// What runs of the suite leave in a cluster, and who removes what. A run,
// when it ends (global teardown, or the Ctrl-C cleaner), removes its own and
// nothing else: several runs may share a cluster, and one run's Released
// volume can be what another run's claim is looking at (SC-05, Q1-16).
// `npm run clean` removes what every run left, after listing it.
import type { V1PersistentVolume } from '@kubernetes/client-node'
import { isOrphaned, removeOrphanedVolumes } from '../apps/volumes.ts'
import { isNotFound, type Kube } from '../k8s/kube.ts'
import { isSuiteNamespaceName, listNamespaces, listSuiteNamespaces, removeNamespaces, removeSuiteNamespaces } from '../k8s/namespaces.ts'
import { managedBy, suiteSelector } from '../k8s/suite-labels.ts'
import { sweepGiven } from '../k8s/given-namespace.ts'
import { deletePv, listPvs } from '../resources/storage.ts'
import type { RunRecord } from './run-record.ts'

export interface RunRemoval {
  // The run's namespaces still there at the deadline.
  namespacesLeft: string[]
  // Volumes their claims left Released or Failed, deleted.
  volumes: string[]
  // Volumes of the run's claims not deleted: still bound, or the deletion failed.
  volumesLeft: string[]
}

// A run's namespaces (labelled with its id: listed before they are deleted),
// then the volumes whose claims lived in one of them or in one the run
// recorded and already deleted. The record goes once nothing is left.
// In SC_NAMESPACE mode the run made no namespace and may delete no volume: what it made in the
// given namespace goes (given-namespace.ts), and its volumes go as their class reclaims them.
export async function removeRun(kube: Kube, run: RunRecord, timeoutMs: number): Promise<RunRemoval> {
  if (kube.given) {
    const left = await sweepGiven(kube, kube.given, timeoutMs, run.id)
    if (!left.length) await run.forget()
    return { namespacesLeft: left.length ? [`${kube.given.namespace} (SC_NAMESPACE) still holds ${left.join(', ')}`] : [], volumes: [], volumesLeft: [] }
  }
  const listed = await listSuiteNamespaces(kube, run.id)
  const namespacesLeft = await removeSuiteNamespaces(kube, run.id, timeoutMs)
  const own = new Set([...listed, ...await run.recorded()])
  const { deleted, left } = await removeOrphanedVolumes(kube, (pv) => own.has(claimNamespace(pv)))
  if (!namespacesLeft.length && !left.length) await run.forget()
  return { namespacesLeft, volumes: deleted, volumesLeft: left }
}

const claimNamespace = (pv: V1PersistentVolume) => pv.spec?.claimRef?.namespace ?? ''
const claimOf = (pv: V1PersistentVolume) => `${pv.spec?.claimRef?.namespace}/${pv.spec?.claimRef?.name}`

// ---- npm run clean -------------------------------------------------------------------

export interface ListedVolume {
  name: string
  claim: string
  phase: string
  // Why it is the suite's.
  evidence: string
}

export interface CleanPlan {
  // The suite's namespaces, of every run (labelled).
  namespaces: string[]
  // Volumes the suite made itself (labelled), deleted whatever their phase.
  labelledVolumes: string[]
  // Volumes whose claims are in those namespaces, or were in a namespace a
  // run recorded: deleted once their claims are gone (Released or Failed).
  volumes: ListedVolume[]
  // Released or Failed volumes whose claim's namespace is gone and is named
  // as the suite names its namespaces, but no record names it: possibly the
  // suite's (a run whose records were elsewhere), possibly not. Deleted only
  // when asked for (--include-unrecorded).
  unrecorded: ListedVolume[]
  // The records read (deleted once the clean left nothing of theirs).
  records: RunRecord[]
}

export interface ClusterLeftovers {
  suiteNamespaces: string[]
  // Every namespace that exists.
  namespaces: string[]
  volumes: V1PersistentVolume[]
  records: { record: RunRecord; namespaces: string[] }[]
}

export function planClean(c: ClusterLeftovers): CleanPlan {
  const suite = new Set(c.suiteNamespaces)
  const existing = new Set(c.namespaces)
  const recordedBy = new Map<string, string>()
  for (const r of c.records) for (const ns of r.namespaces) recordedBy.set(ns, r.record.id)
  const labelled = c.volumes.filter((pv) => Object.entries(managedBy).every(([k, v]) => pv.metadata?.labels?.[k] === v))
  const plan: CleanPlan = { namespaces: [...suite].sort(), labelledVolumes: labelled.map((pv) => pv.metadata!.name!).sort(), volumes: [], unrecorded: [], records: c.records.map((r) => r.record) }
  for (const pv of c.volumes) {
    if (labelled.includes(pv)) continue
    const ns = claimNamespace(pv)
    const listed = { name: pv.metadata!.name!, claim: claimOf(pv), phase: pv.status?.phase ?? 'no phase' }
    if (suite.has(ns)) plan.volumes.push({ ...listed, evidence: 'its claim is in a namespace of the suite' })
    else if (recordedBy.has(ns)) plan.volumes.push({ ...listed, evidence: `run ${recordedBy.get(ns)} recorded its claim's namespace` })
    else if (ns && !existing.has(ns) && isSuiteNamespaceName(ns) && isOrphaned(pv)) plan.unrecorded.push({ ...listed, evidence: 'its claim\'s namespace is gone and was named as the suite names them' })
  }
  plan.volumes.sort((a, b) => a.name.localeCompare(b.name))
  plan.unrecorded.sort((a, b) => a.name.localeCompare(b.name))
  return plan
}

export async function findLeftovers(kube: Kube, records: RunRecord[]): Promise<CleanPlan> {
  return planClean({
    suiteNamespaces: await listSuiteNamespaces(kube),
    namespaces: (await listNamespaces(kube)).map((n) => n.metadata?.name ?? ''),
    volumes: await listPvs(kube),
    records: await Promise.all(records.map(async (record) => ({ record, namespaces: await record.recorded() }))),
  })
}

export const isNothingToClean = (p: CleanPlan, includeUnrecorded: boolean) =>
  !p.namespaces.length && !p.labelledVolumes.length && !p.volumes.length && !(includeUnrecorded && p.unrecorded.length)

// What clean will delete, one object a line.
export function describeCleanPlan(p: CleanPlan, includeUnrecorded: boolean, recordsDir: string): string {
  const volume = (v: ListedVolume) => `  ${v.name} (claim ${v.claim}, ${v.phase}): ${v.evidence}`
  const lines = [
    `namespaces of the suite (${suiteSelector()}), of every run: ${p.namespaces.length ? '' : 'none'}`,
    ...p.namespaces.map((n) => `  ${n}`),
    `volumes labelled as the suite's: ${p.labelledVolumes.length ? '' : 'none'}`,
    ...p.labelledVolumes.map((n) => `  ${n}`),
    `volumes of the suite's claims, deleted once Released or Failed: ${p.volumes.length ? '' : 'none'}`,
    ...p.volumes.map(volume),
  ]
  if (p.unrecorded.length) {
    lines.push(includeUnrecorded
      ? 'possibly the suite\'s (no record in ' + recordsDir + ' names their claims\' namespaces), deleted as --include-unrecorded asks:'
      : 'possibly the suite\'s, NOT deleted (no record in ' + recordsDir + ' names their claims\' namespaces; --include-unrecorded deletes them too):')
    lines.push(...p.unrecorded.map(volume))
  }
  return lines.join('\n')
}

export interface CleanResult {
  deleted: string[]
  // Still there after the clean, with why.
  left: string[]
}

// Deletes what the plan lists, and nothing it does not: the namespaces (and
// waits until they are gone, so that their claims are too), the labelled
// volumes, then the listed volumes whose claims are gone.
export async function clean(kube: Kube, p: CleanPlan, o: { includeUnrecorded: boolean; timeoutMs: number }): Promise<CleanResult> {
  const left = (await removeNamespaces(kube, p.namespaces, o.timeoutMs)).map((n) => `namespace ${n} (still terminating)`)
  const deleted: string[] = []
  for (const name of p.labelledVolumes) {
    await deletePv(kube, name).then(() => deleted.push(name), (err: unknown) => {
      if (isNotFound(err)) deleted.push(name)
      else left.push((err as Error).message)
    })
  }
  const listed = new Set([...p.volumes, ...(o.includeUnrecorded ? p.unrecorded : [])].map((v) => v.name))
  const volumes = await removeOrphanedVolumes(kube, (pv) => listed.has(pv.metadata?.name ?? ''))
  deleted.push(...volumes.deleted)
  left.push(...volumes.left)
  if (!left.length) await Promise.all(p.records.map((r) => r.forget()))
  return { deleted, left }
}

// ---- the command line ----------------------------------------------------------------

export interface CleanArgs {
  yes: boolean
  includeUnrecorded: boolean
}

export function parseCleanArgs(argv: string[]): CleanArgs {
  const args: CleanArgs = { yes: false, includeUnrecorded: false }
  for (const a of argv) {
    if (a === '--yes' || a === '-y') args.yes = true
    else if (a === '--include-unrecorded') args.includeUnrecorded = true
    else throw new Error(`unknown argument ${a} (npm run clean -- [--yes] [--include-unrecorded])`)
  }
  return args
}

// Whether clean may delete what it listed: with --yes, or when a person at a
// terminal says so; never by default where no one can answer.
export async function cleanConsent(args: CleanArgs, terminal: boolean, ask: (question: string) => Promise<string>): Promise<'go' | 'declined' | 'needs --yes'> {
  if (args.yes) return 'go'
  if (!terminal) return 'needs --yes'
  return /^y(es)?$/i.test((await ask('delete all of the above? [y/N] ')).trim()) ? 'go' : 'declined'
}
