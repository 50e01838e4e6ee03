// The fixtures every spec gets, composed in one place:
//   kube       worker-scoped connection to the cluster under test
//   ns         a fresh namespace per test, deleted after it
//   podEvents  pod-event recorder (watch) yielding timelines
//   client     a client pod inside ns, for DNS and in-cluster HTTP
//   cleanup    records cluster-scoped objects a test makes; removed in reverse order
// After a failed test its diagnostics go to reports/<test>/ before any clean-up (scope).
//   images     the images in use (upstream names, or the overrides)
// plus storageTest(), which runs a [sc] claim once per selected storage class.
import { resolve } from 'node:path'
import { describe, inject, test as base, type TestFunction } from 'vitest'
import { startClusterClient, type ClusterClient } from '../apps/cluster-client.ts'
import { releaseRetainedVolumes, removeRetainedVolume } from '../apps/volumes.ts'
import { connect, type Kube } from '../k8s/kube.ts'
import { createNamespace, deleteNamespace } from '../k8s/namespaces.ts'
import { refuseOutsideGiven } from '../k8s/given-namespace.ts'
import { progress, unstoppable } from '../k8s/claim-context.ts'
import { createAllowPolicy, type Direction } from '../resources/network-policies.ts'
import { listPods } from '../resources/pods.ts'
import { acquireSlot } from './gate-client.ts'
import { podEventRecorder, type PodEventRecorder } from '../observe/pod-events.ts'
import { capabilitiesOf, skipClaim, type Capabilities } from './claim-entry.ts'
import { onUnprovisionableClass } from '../storage/capabilities.ts'
import { claimIdOf, type ClusterInfo } from './context.ts'
import { dumpNamespace, reportDirName } from './diagnostics.ts'
import type { ImageName } from './images.ts'
import { runRecord } from './run-record.ts'
import { tearDownTest, type CleanupStep } from './teardown.ts'

export interface Cleanup {
  // Runs `undo` after the test, last registered first, whatever the outcome.
  add(what: string, undo: () => Promise<unknown>): void
}

// Removes a Retain volume the test caused, after the test, whatever its outcome; a user of one
// namespace (SC_NAMESPACE) may not, and is told it stays.
export function removeIfRetained(cleanup: Cleanup, kube: Kube, volume: string, reclaimPolicy: string | undefined): void {
  if (reclaimPolicy !== 'Retain') return
  if (kube.given) console.warn(`volume ${volume} has reclaim policy Retain: it stays Released after the test (SC_NAMESPACE: a cluster-scoped object this user may not delete); an administrator removes it`)
  else cleanup.add(`retained volume ${volume}`, () => removeRetainedVolume(kube, volume))
}

interface TestScope {
  ns: string
  cleanup: Cleanup
  podEvents: PodEventRecorder
}

export interface Fixtures {
  kube: Kube
  scope: TestScope
  ns: string
  podEvents: PodEventRecorder
  client: ClusterClient
  cleanup: Cleanup
  images: Record<ImageName, string>
}

// The suite's allow NetworkPolicy (global setup found it needed, and permitted). A refusal here
// stops nothing: a lookup or request that a policy then certainly denies ends the claim broken, naming it.
async function allowSuiteTraffic(kube: Kube, ns: string, directions: Direction[]): Promise<void> {
  if (!directions.length) return
  await createAllowPolicy(kube, ns, directions).catch((err: Error) => {
    console.warn(`${ns}: the suite's allow NetworkPolicy was not added (${err.message}): a DNS lookup or HTTP request a policy certainly denies ends its claim broken, naming it`)
  })
}

// The run's namespaces carry its id and go into its record as they are made:
// the run's teardown sweeps the volumes of these and no others (leftovers.ts).
const thisRun = () => runRecord(inject('reportsDir'), inject('runId'))

const coreTest = base.extend<Fixtures>({
  kube: [async ({}, use) => {
    const given = inject('givenNamespace')
    await use(connect(inject('kubeconfigPath') ?? undefined, inject('kubeContext') ?? undefined, given ? { namespace: given, runId: inject('runId') } : undefined))
  }, { scope: 'worker' }],

  images: async ({}, use) => use(inject('images')),

  // The test's namespace, its clean-up steps and its pod-event recorder, in
  // one fixture so that what happens after the test has one order, whichever
  // of them the test uses: diagnostics, clean-up steps, namespace (teardown.ts).
  scope: async ({ task, kube, signal }, use) => {
    // After Ctrl-C (the run cancelled) no new namespace: the run is cleaning up its own.
    if (signal.aborted) throw new Error('the run was cancelled')
    // A slot at the run's gate first: no more claims in flight than the cluster takes.
    const slot = await acquireSlot(inject('gateUrl'), signal)
    task.meta.slotWaitMs = slot.waitedMs
    if (slot.waitedMs > 1_000) progress(`waited ${(slot.waitedMs / 1000).toFixed(0)}s for a slot (claims in flight follow the cluster's pace)`)
    let ns: string
    try {
      ns = await createNamespace(kube, task.name, thisRun(), claimIdOf(task.name))
    } catch (err) {
      await slot.release([])
      throw err
    }
    // Before the first pod: where a policy every new namespace gets denies what the suite's pods need.
    await allowSuiteTraffic(kube, ns, inject('networkAllow') ?? [])
    const cleanups: CleanupStep[] = []
    const podEvents = podEventRecorder(kube, ns)
    await use({ ns, cleanup: { add: (what, undo) => { cleanups.push({ what, undo }) } }, podEvents })
    // After the test, even one that timed out or was interrupted (its signal aborted): every step to its end.
    await unstoppable(async () => {
      // The claim's pods tell the gate how long starting a pod takes now.
      const pods = await listPods(kube, ns).catch(() => [])
      try {
        const result = await tearDownTest({
          failed: task.result?.state === 'fail',
          dump: () => dumpNamespace(kube, ns, resolve(inject('reportsDir'), reportDirName(task.name)), podEvents.timelines()),
          cleanups,
          stopRecorders: () => podEvents.stopAll(),
          releaseVolumes: () => releaseRetainedVolumes(kube, ns),
          deleteNamespace: () => deleteNamespace(kube, ns),
        })
        if (result.diagnostics) {
          task.meta.diagnostics = result.diagnostics
          console.log(`diagnostics of ${ns}: ${result.diagnostics}`)
        }
        for (const warning of result.leftovers) {
          console.warn(`${ns}: ${warning}`)
          task.meta.notes = [...(task.meta.notes ?? []), warning]
        }
        if (result.errors.length) throw new Error(`clean-up after the test failed:\n${result.errors.join('\n')}`)
      } finally {
        await slot.release(pods)
      }
    })
  },
  ns: async ({ scope }, use) => use(scope.ns),

  cleanup: async ({ scope }, use) => use(scope.cleanup),
  podEvents: async ({ scope }, use) => use(scope.podEvents),

  // Started on first use: most tests never need it.
  client: async ({ kube, ns, images }, use) => {
    let started: Promise<ClusterClient> | undefined
    const get = () => (started ??= startClusterClient(kube, ns, images.busybox))
    await use({
      pod: 'client',
      clusterDomain: async () => (await get()).clusterDomain(),
      fqdn: async (name) => (await get()).fqdn(name),
      resolve: async (name) => (await get()).resolve(name),
      nslookup: async (name) => (await get()).nslookup(name),
      waitForResolution: async (...args) => (await get()).waitForResolution(...args),
      http: async (url, init) => (await get()).http(url, init),
      httpBatch: async (requests) => (await get()).httpBatch(requests),
    })
  },
})

// ---- cluster facts: what a spec knows of the cluster, as fixtures ----------------
//   cluster         what global setup found: version, nodes, schedulable nodes
//   storageClass    the class a storageTest() claim runs on
//   capabilities    what global setup detected for that class
//   otherNamespace  a second fresh namespace, made on the first call, deleted after the test
//   provisions      (automatic) a [sc] claim on a class that did not provision the probe's
//                   plain claim fails at once (SC-01) or is skipped naming that failure
// Specs take these here rather than from inject(), and the lower layers'
// helpers they use from the re-exports below rather than from lib/k8s or vitest.
export interface ClusterFacts {
  cluster: ClusterInfo
  storageClass: string
  capabilities: Capabilities
  otherNamespace: () => Promise<string>
  provisions: undefined
}

export const test = coreTest.extend<ClusterFacts>({
  cluster: async ({}, use) => use(inject('cluster')),

  storageClass: async ({ task }, use) => {
    if (!task.meta.storageClass) throw new Error(`${task.name}: only a storageTest() claim runs on a storage class`)
    await use(task.meta.storageClass)
  },

  capabilities: async ({ storageClass }, use) => use(capabilitiesOf(storageClass)),

  provisions: [async ({ task }, use) => {
    const verdict = task.meta.storageClass ? onUnprovisionableClass(capabilitiesOf(task.meta.storageClass), claimIdOf(task.name)) : undefined
    if (verdict && 'fail' in verdict) throw new Error(verdict.fail)
    if (verdict) skipClaim(task, verdict.skip)
    await use(undefined)
  }, { auto: true }],

  // Deleted with the test's other clean-up steps. A user of one namespace (SC_NAMESPACE) has no other: the claim is skipped, naming it.
  otherNamespace: async ({ task, kube, cleanup }, use) => {
    let made: Promise<string> | undefined
    await use(() => (made ??= (async () => {
      refuseOutsideGiven(kube, 'a second namespace')
      const name = await createNamespace(kube, `${task.name} other`, thisRun(), claimIdOf(task.name))
      cleanup.add(`namespace ${name}`, () => deleteNamespace(kube, name))
      return name
    })()))
  },
})

export { describe, expect } from 'vitest'
export type { Kube } from '../k8s/kube.ts'
export { applyFixture, claimRequestFor, loadManifest } from '../k8s/manifests.ts'

// One test per selected storage class: "<title> [<class>]", its class in
// task.meta (the storageClass fixture). The classes run in parallel, each
// test in its own namespace with its own step log and diagnostics; the group
// keeps one claim's classes together, so claims still run one after another.
export function storageTest(title: string, fn: TestFunction<Fixtures & ClusterFacts>, timeout?: number): void {
  describe(`${claimIdOf(title) ?? title} on each storage class`, () => {
    for (const storageClass of inject('storageClasses')) {
      test.concurrent(`${title} [${storageClass}]`, { meta: { storageClass }, timeout }, fn)
    }
  })
}
