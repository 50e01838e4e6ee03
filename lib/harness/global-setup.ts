// Before any spec runs: choose the cluster (the kubeconfig's context, or the
// embedded one when none is configured), check that it is reachable and that
// we may do what the suite does, select the storage classes, provide all that
// to the workers, and install the Ctrl-C clean-up. A bad setup ends here with
// one line, having created nothing. Afterwards: remove every namespace this run
// made, and the volumes their claims left (lib/harness/leftovers.ts).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { V1Node, V1StorageClass } from '@kubernetes/client-node'
import type { TestProject } from 'vitest/node'
import { connect, type GivenNamespace, type Kube } from '../k8s/kube.ts'
import { defaultSettings, type RunSettings, withRunSettings } from '../k8s/claim-context.ts'
import { timeout } from '../k8s/timeouts.ts'
import { clearPreviousRun } from '../report/previous.ts'
import { isSchedulableLinux } from '../resources/nodes.ts'
import { defaultStorageClass, describeStorageClasses } from '../resources/storage.ts'
import { describeDetectedCapabilities, detectCapabilities } from '../storage/probe.ts'
import { preflightPermissions, probeServer } from './access.ts'
import { besideIt, checkGivenNamespace } from './one-namespace.ts'
import { admissionRefusals, suitePodShapes } from './admission.ts'
import { checkPodNetwork, type NetworkPlan } from './network-preflight.ts'
import { connectivityLine } from './connectivity.ts'
import { consentMissing, usesEmbeddedCluster } from './cluster-choice.ts'
import type { ClusterInfo } from './context.ts'
import { resolveImages, rewriteImages } from './images.ts'
import { describeUsage } from '../report/claims.ts'
import { removeRun } from './leftovers.ts'
import { OptionError, parseOptions, provisionalScale, selectStorageClasses, type Options } from '../options/options.ts'
import { chooseTimeoutScale, openGate } from './run-pace.ts'
import { runRecord, type RunRecord } from './run-record.ts'
import { suiteVersion } from './suite-version.ts'
import { loadWaivers, type Waivers } from './waivers.ts'

const repoRoot = resolve(import.meta.dirname, '..', '..')

// A bad setup ends the run in global setup with one line (the message is the
// diagnosis; a stack trace and vitest's "no test files" would only bury it),
// after stopping an embedded cluster this run started.
class SetupError extends Error {}
function setupError(message: string): never {
  throw new SetupError(message)
}

// Global setup's own waits run with the run's settings as it learns them (its
// context, lib/k8s/claim-context.ts): the scale first provisional, then chosen;
// the images once resolved. The workers get them through provide().
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const settings: RunSettings = { ...defaultSettings }
  const teardown = await withRunSettings(settings, () => prepareRun(project, settings))
  return () => withRunSettings(settings, teardown)
}

async function prepareRun(project: TestProject, settings: RunSettings): Promise<() => Promise<void>> {
  let stopOnFailure: (() => Promise<void>) | undefined
  try {
    const startedAt = new Date().toISOString()
    const { options, waivers } = await readOptions()
    // Until the scale is chosen (chooseTimeoutScale), the checks before it (the version check, the admission dry run) allow for a slow cluster.
    settings.timeoutScale = provisionalScale(options.timeoutScale)
    const target = await chooseCluster(options, (stop) => { stopOnFailure = stop })
    const runId = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`
    const access = await checkAccess(target, options.namespace ? { namespace: options.namespace, runId } : undefined)
    if (!target.embedded) {
      const refusal = consentMissing(options, access.contextName, access.kube.server)
      if (refusal) setupError(refusal)
    }
    const selection = await selectClasses(access.kube, options)
    // Every namespace of the run is recorded before it is made, this one's and the workers'.
    const record = runRecord(resolve(repoRoot, options.reportsDir), runId)
    const images = resolveImages(options.images)
    settings.rewriteFixture = (text) => rewriteImages(text, images)
    // The NetworkPolicies a new namespace gets are read a moment after it is made (network-preflight.ts), while
    // the admission dry run, the pace and the storage probe go on; the connectivity check waits for them, and so
    // does a failure (no namespace left behind). In one given namespace (SC_NAMESPACE) one at a time.
    const network = checkPodNetwork(access.kube, record, images.busybox)
    const scale = await besideIt(network, !!options.namespace, async () => {
      await checkAdmission(access, images.busybox, record)
      const scale = settings.timeoutScale = await chooseTimeoutScale(access.kube, options, record).catch((err: Error) => setupError(err.message))
      await provideContext(project, { options, waivers, target, access, selection, record, startedAt, scale, network })
      return scale
    })
    const gate = await openGate({
      kube: access.kube, options, scale, runId, reportsDir: resolve(repoRoot, options.reportsDir),
      embeddedNodes: target.embedded ? selection.nodes.length : undefined,
    })
    project.provide('gateUrl', gate.url)
    const stopSignals = installSignalCleanup(runId, target, access.contextName)
    return async () => {
      stopSignals()
      const usage = await gate.stop()
      console.log(`stateful-conformance: ${describeUsage(usage)}`)
      await removeRunLeftovers(access.kube, record)
      if (target.stopEmbedded) await (await import('../../cluster/lifecycle.ts')).down()
    }
  } catch (err) {
    await stopOnFailure?.().catch(() => undefined)
    const message = err instanceof SetupError ? err.message : `setup failed: ${(err as Error).message}`
    process.stderr.write(`stateful-conformance: ${message}\n`)
    process.exit(2)
  }
}

async function readOptions(): Promise<{ options: Options; waivers: Waivers }> {
  try {
    const options = parseOptions(process.env)
    const waivers = await loadWaivers(options.waiversFile)
    if (Object.keys(waivers).length) {
      console.log(`stateful-conformance: waived on this cluster (${options.waiversFile}): ${Object.keys(waivers).join(', ')}`)
    }
    return { options, waivers }
  } catch (err) {
    setupError((err as Error).message)
  }
}

interface ClusterTarget {
  embedded: boolean
  // The embedded cluster was started by this run, and goes with it.
  stopEmbedded: boolean
  kubeconfigPath: string | null
  context: string | null
}

async function chooseCluster(options: Options, onFailureStop: (stop: () => Promise<void>) => void): Promise<ClusterTarget> {
  if (!usesEmbeddedCluster(options)) {
    return { embedded: false, stopEmbedded: false, kubeconfigPath: options.kubeconfig ?? null, context: options.context ?? null }
  }
  const cluster = await import('../../cluster/lifecycle.ts')
  const config = await import('../../cluster/base/config.ts')
  const wasUp = await cluster.isUp()
  console.log(`stateful-conformance: no kubeconfig context configured: ${wasUp ? 'using the running' : 'starting the'} embedded cluster (npm run cluster:up; SC_KEEP_CLUSTER=1 keeps it up afterwards)`)
  const stopEmbedded = !wasUp && !options.keepCluster
  if (stopEmbedded) onFailureStop(() => cluster.down())
  // A running cluster is used as it is, unless a shape was asked for (SC_CLUSTER_SHAPE, SC_CLUSTER_NODES, SC_CLUSTER_VERSION …):
  // then up() checks that the running one has it, and refuses in one line if not.
  const shapeAsked = Object.keys(process.env).some((k) => /^SC_CLUSTER_(SHAPE|NODES|POD_SECURITY|DOMAIN|IMAGES|EXT4_CLASS|VERSION)$/.test(k))
  if (!wasUp || shapeAsked) {
    await cluster.up().catch((err: Error) => setupError(wasUp ? err.message : `the embedded cluster did not come up: ${err.message} (component logs: ${config.paths.logs})`))
  }
  return { embedded: true, stopEmbedded, kubeconfigPath: config.paths.kubeconfig, context: null }
}

interface Access {
  kube: Kube
  contextName: string | null
  version: string
}

async function checkAccess(target: ClusterTarget, given: GivenNamespace | undefined): Promise<Access> {
  let kube: Kube
  try {
    kube = connect(target.kubeconfigPath ?? undefined, target.context ?? undefined, given)
  } catch (err) {
    const message = (err as Error).message
    if (message.startsWith('no kubeconfig')) setupError(`${message} (SC_CLUSTER=current tests a kubeconfig's cluster; without SC_CLUSTER the embedded cluster is used)`)
    setupError(`bad kubeconfig${target.kubeconfigPath ? ` ${target.kubeconfigPath}` : ''}: ${message}`)
  }
  const contextName = kube.kc.getCurrentContext() || null
  const version = await probeServer(kube).catch((err: Error) => {
    setupError(`the cluster of context "${contextName}" at ${kube.server}: ${err.message}`)
  })
  const denied = await preflightPermissions(kube)
  if (denied.length) {
    setupError(`the credentials of context "${contextName}" may not ${denied.join('; ')} (see ${given ? 'README\'s "On your cluster", one namespace,' : 'fixtures/rbac.yaml'} for what the suite needs)`)
  }
  if (given) await checkGivenNamespace(kube, given.namespace).catch((err: Error) => setupError(err.message))
  return { kube, contextName, version }
}

interface ClassSelection {
  nodes: V1Node[]
  schedulable: V1Node[]
  classes: V1StorageClass[]
  storageClasses: string[]
}

async function selectClasses(kube: Kube, options: Options): Promise<ClassSelection> {
  const nodes = await kube.core.listNode().then((l) => l.items)
  const schedulable = nodes.filter(isSchedulableLinux)
  const classes = await kube.storage.listStorageClass().then((l) => l.items)
  try {
    // "The default class" is the one a claim without storageClassName gets (lib/resources/storage.ts).
    const theDefault = defaultStorageClass(classes)?.metadata?.name
    const storageClasses = selectStorageClasses(options.storageClasses, classes.map((c) => ({
      name: c.metadata?.name ?? '',
      isDefault: c.metadata?.name === theDefault,
    })))
    return { nodes, schedulable, classes, storageClasses }
  } catch (err) {
    if (err instanceof OptionError) setupError(err.message)
    throw err
  }
}

// Every pod shape the suite uses, as a server-side dry run: an admission
// refusal (Pod Security, a policy engine) ends the run here, in one line.
async function checkAdmission(access: Access, busybox: string, run: RunRecord): Promise<void> {
  const shapes = await suitePodShapes(busybox)
  const refused = await admissionRefusals(access.kube, run, shapes)
  if (refused.length) {
    const more = refused.length > 1 ? `; and ${refused.length - 1} more (${refused.slice(1).map((r) => r.split(':')[0]).join(', ')})` : ''
    setupError(`the cluster's admission refuses ${refused.length} of the suite's ${shapes.length} pod shapes (a server-side dry run; nothing was created): ${refused[0]}${more}`)
  }
  console.log(`stateful-conformance: admission accepts all ${shapes.length} pod shapes of the suite (server-side dry run)`)
}

interface RunFacts {
  network: Promise<NetworkPlan> // possibly still being read
  scale: number
  options: Options
  waivers: Waivers
  target: ClusterTarget
  access: Access
  selection: ClassSelection
  record: RunRecord
  startedAt: string
}

// What the workers inject(): the cluster, the classes and their detected capabilities, the run.
async function provideContext(project: TestProject, run: RunFacts): Promise<void> {
  const { options, target, access, selection: s } = run
  const cluster: ClusterInfo = {
    server: access.kube.server, context: access.contextName, version: access.version,
    nodes: s.nodes.length, schedulableNodes: s.schedulable.length, embedded: target.embedded,
  }
  console.log(`stateful-conformance: testing ${target.embedded ? 'the embedded cluster' : `context "${access.contextName}"`} at ${cluster.server} (Kubernetes ${cluster.version}, ${cluster.nodes} node${cluster.nodes === 1 ? '' : 's'}, ${cluster.schedulableNodes} schedulable)`)
  console.log(describeStorageClasses(s.classes, s.storageClasses))

  const reportsDir = resolve(repoRoot, options.reportsDir)
  await clearPreviousRun(reportsDir)
  await mkdir(reportsDir, { recursive: true })
  const facts = { startedAt: run.startedAt, runId: run.record.id, cluster, suiteVersion: suiteVersion(repoRoot), storageClasses: s.storageClasses, timeoutScale: run.scale }
  await writeFile(join(reportsDir, '.run.json'), JSON.stringify(facts, null, 2))

  const images = resolveImages(options.images)
  project.provide('kubeconfigPath', target.kubeconfigPath)
  project.provide('kubeContext', target.context ?? access.contextName)
  project.provide('runId', run.record.id)
  project.provide('storageClasses', s.storageClasses)
  project.provide('timeoutScale', run.scale)
  project.provide('images', images)
  project.provide('reportsDir', reportsDir)
  project.provide('cluster', cluster)
  project.provide('waivers', run.waivers)
  project.provide('givenNamespace', options.namespace ?? null)

  // What each class can do (declared, and probed with small claims in a namespace of this run), and beside
  // it, in a namespace of its own, whether the suite's pods reach DNS, each other and a Service.
  // The check never rejects; a probe that does waits for it, so that it removes what it made first.
  // In one given namespace (SC_NAMESPACE), the check first, then the probe.
  const connectivity = run.network.then((plan) => connectivityLine(access.kube, run.record, images.busybox, plan.allow), (err: Error) => `connectivity not checked: ${err.message}`)
  if (options.namespace) await connectivity
  const detected = await detectCapabilities(access.kube, s.classes, s.storageClasses, {
    run: run.record, busybox: images.busybox, timeoutMs: timeout('pvcBound', run.scale), timeoutScale: run.scale, minClaimSize: options.minClaimSize,
  }).finally(() => connectivity)
  const network = await run.network
  project.provide('networkAllow', network.allow)
  console.log(`${describeDetectedCapabilities(detected)}\nstateful-conformance: ${network.line}\nstateful-conformance: ${await connectivity}`)
  project.provide('storageCapabilities', detected.byClass)
  // The reports' capability table reads them from here, as the reporter reads the run.
  await writeFile(join(reportsDir, '.run.json'), JSON.stringify({ ...facts, capabilities: detected.byClass }, null, 2))
}

// Ctrl-C: vitest exits a millisecond later, so the clean-up runs in a
// detached process of its own (scripts/clean.ts, npm run clean's) that outlives this one:
// it deletes this run's namespaces and the volumes their claims left, as
// teardown does (and stops an embedded cluster this run started). It finds the
// run's record as this process does: SC_REPORTS_DIR is in its environment.
// Returns the function that uninstalls it.
function installSignalCleanup(runId: string, target: ClusterTarget, contextName: string | null): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nstateful-conformance: ${signal}: removing what run ${runId} made, in the background (npm run clean does it again if needed)`)
    const cleaner = spawn(process.execPath, [join(repoRoot, 'scripts', 'clean.ts')], {
      detached: true,
      stdio: 'inherit',
      env: {
        ...process.env, SC_CLEAN_RUN: runId, SC_CLEAN_STOP_EMBEDDED: target.stopEmbedded ? '1' : '',
        ...(target.kubeconfigPath ? { KUBECONFIG: target.kubeconfigPath } : {}), ...(contextName ? { SC_CONTEXT: contextName } : {}),
      },
    })
    cleaner.unref()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

// The run's namespaces, then the volumes their claims left Released or Failed: this run's only.
async function removeRunLeftovers(kube: Kube, record: RunRecord): Promise<void> {
  const limit = timeout('namespaceDeleted')
  const removed = await removeRun(kube, record, limit).catch((err: Error) => ({ namespacesLeft: [`(${err.message})`], volumes: [], volumesLeft: [] }))
  if (removed.namespacesLeft.length) console.error(`stateful-conformance: namespaces still terminating after ${limit / 1000}s: ${removed.namespacesLeft.join(', ')} (npm run clean removes them)`)
  if (removed.volumes.length) console.log(`stateful-conformance: removed volumes the run's claims left behind: ${removed.volumes.join(', ')}`)
  if (removed.volumesLeft.length) console.error(`stateful-conformance: volumes of the run's claims not removed: ${removed.volumesLeft.join(', ')} (npm run clean removes them; ${record.file} names their namespaces)`)
}
