// The fixtures every spec gets, composed in one place:
//   kube       worker-scoped connection to the cluster under test
//   ns         a fresh namespace per test; on failure its diagnostics go to
//              reports/<test>/ before it is deleted, either way
//   podEvents  pod-event recorder (watch) yielding timelines
//   client     a client pod inside ns, for DNS and in-cluster HTTP
//   cleanup    records cluster-scoped objects a test makes; removed in reverse order
//   images     the images in use (upstream names, or the overrides)
// plus storageTest(), which runs a [sc] claim once per selected storage class.
import { resolve } from 'node:path'
import { describe, inject, test as base, type TestContext } from 'vitest'
import { startClusterClient, type ClusterClient } from '../apps/cluster-client.ts'
import { removeRetainedVolume } from '../apps/volumes.ts'
import { connect, describeApiError, isNotFound, type Kube } from '../k8s/kube.ts'
import { createNamespace, deleteNamespace } from '../k8s/namespaces.ts'
import { podEventRecorder, type PodEventRecorder } from '../observe/pod-events.ts'
import { claimIdOf } from './context.ts'
import { dumpNamespace, reportDirName } from './diagnostics.ts'
import type { ImageName } from './images.ts'

export interface Cleanup {
  // Runs `undo` after the test, last registered first, whatever the outcome.
  add(what: string, undo: () => Promise<unknown>): void
}

// Removes a Retain volume the test caused, after the test, whatever its outcome.
export function removeIfRetained(cleanup: Cleanup, kube: Kube, volume: string, reclaimPolicy: string | undefined): void {
  if (reclaimPolicy === 'Retain') cleanup.add(`retained volume ${volume}`, () => removeRetainedVolume(kube, volume))
}

export interface Fixtures {
  kube: Kube
  ns: string
  podEvents: PodEventRecorder
  client: ClusterClient
  cleanup: Cleanup
  images: Record<ImageName, string>
}

export const test = base.extend<Fixtures>({
  kube: [async ({}, use) => {
    await use(connect(inject('kubeconfigPath') ?? undefined, inject('kubeContext') ?? undefined))
  }, { scope: 'worker' }],

  images: async ({}, use) => use(inject('images')),

  cleanup: async ({}, use) => {
    const undo: { what: string; fn: () => Promise<unknown> }[] = []
    await use({ add: (what, fn) => { undo.push({ what, fn }) } })
    const errors: string[] = []
    for (const u of undo.reverse()) {
      await u.fn().catch((err: unknown) => { if (!isNotFound(err)) errors.push(`${u.what}: ${describeApiError(err)}`) })
    }
    if (errors.length) throw new Error(`cleanup failed:\n${errors.join('\n')}`)
  },

  ns: async ({ task, kube, signal }, use) => {
    // After Ctrl-C (the run cancelled) no new namespace: the run is cleaning up its own.
    if (signal.aborted) throw new Error('the run was cancelled')
    const name = await createNamespace(kube, task.name, inject('runId'), claimIdOf(task.name))
    await use(name)
    if (task.result?.state === 'fail') {
      const dir = resolve(inject('reportsDir'), reportDirName(task.name))
      const recorder = recorders.get(task.id)
      await dumpNamespace(kube, name, dir, recorder?.timelines() ?? [])
        .then((d) => { task.meta.diagnostics = d; console.log(`diagnostics of ${name}: ${d}`) })
        .catch((err: Error) => console.warn(`could not collect diagnostics of ${name}: ${err.message}`))
    }
    recorders.get(task.id)?.stopAll()
    recorders.delete(task.id)
    await deleteNamespace(kube, name)
  },

  podEvents: async ({ task, kube, ns }, use) => {
    const recorder = podEventRecorder(kube, ns)
    recorders.set(task.id, recorder)
    await use(recorder)
  },

  // Started on first use: most tests never need it.
  client: async ({ kube, ns, images }, use) => {
    let started: Promise<ClusterClient> | undefined
    const get = () => (started ??= startClusterClient(kube, ns, images.busybox))
    await use({
      pod: 'client',
      resolve: async (name) => (await get()).resolve(name),
      nslookup: async (name) => (await get()).nslookup(name),
      waitForResolution: async (...args) => (await get()).waitForResolution(...args),
      http: async (url, init) => (await get()).http(url, init),
    })
  },
})

// The namespace fixture dumps the timelines of a failed test: it finds them here.
const recorders = new Map<string, PodEventRecorder>()

export type SpecContext = Pick<TestContext, 'task' | 'skip' | 'expect' | 'signal' | 'onTestFailed' | 'onTestFinished' | 'annotate'> & Fixtures

// One test per selected storage class: "<title> [<class>]". The classes run
// in parallel, each test in its own namespace with its own step log and
// diagnostics; the group keeps one claim's classes together, so claims still
// run one after another. (Vitest reads a test's fixtures from its
// destructuring, hence the long parameter list.)
export function storageTest(title: string, fn: (ctx: SpecContext & { storageClass: string }) => Promise<void>, timeout?: number): void {
  describe(`${claimIdOf(title) ?? title} on each storage class`, () => {
    for (const storageClass of inject('storageClasses')) {
      test.concurrent(`${title} [${storageClass}]`, async ({ task, skip, expect, signal, onTestFailed, onTestFinished, annotate, kube, ns, podEvents, client, cleanup, images }) => {
        task.meta.storageClass = storageClass
        await fn({ task, skip, expect, signal, onTestFailed, onTestFinished, annotate, kube, ns, podEvents, client, cleanup, images, storageClass })
      }, timeout)
    }
  })
}
