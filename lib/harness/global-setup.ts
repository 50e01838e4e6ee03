// Before any spec runs: pick the cluster (the kubeconfig's context, or the
// embedded one when none is configured), prove it is reachable and that we
// may do what the suite does, choose the storage classes, and hand all that
// to the workers. A bad setup ends here with one line, having created nothing.
// Afterwards (and on Ctrl-C): remove every namespace this run made.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import type { ClusterInfo } from './context.ts'
import { resolveImages } from './images.ts'
import { clearPreviousRun } from '../report/previous.ts'
import { usesEmbeddedCluster } from './cluster-choice.ts'
import { defaultStorageClass } from '../resources/storage.ts'
import { connect, describeApiError, type Kube } from '../k8s/kube.ts'
import { removeSuiteNamespaces } from '../k8s/namespaces.ts'
import { loadWaivers, type Waivers } from './waivers.ts'
import { OptionError, type Options, parseOptions, selectStorageClasses } from './options.ts'
import { preflightPermissions, probeServer } from './access.ts'
import { describeStorageClasses } from '../resources/storage.ts'
import { describeDetectedCapabilities, detectCapabilities } from '../storage/probe.ts'
import { timeout } from '../k8s/timeouts.ts'

const repoRoot = resolve(import.meta.dirname, '..', '..')

// A bad setup ends the run in global setup with one line (the message is the
// diagnosis; a stack trace and vitest's "no test files" would only bury it),
// after stopping an embedded cluster this run started.
class SetupError extends Error {}
function setupError(message: string): never {
  throw new SetupError(message)
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let stopEmbeddedOnFailure: (() => Promise<void>) | undefined
  try {
    return await prepare(project, (stop) => { stopEmbeddedOnFailure = stop })
  } catch (err) {
    await stopEmbeddedOnFailure?.().catch(() => undefined)
    const message = err instanceof SetupError ? err.message : `setup failed: ${(err as Error).message}`
    process.stderr.write(`stateful-conformance: ${message}\n`)
    process.exit(2)
  }
}

async function prepare(project: TestProject, onFailureStop: (stop: () => Promise<void>) => void): Promise<() => Promise<void>> {
  const startedAt = new Date().toISOString()
  let options: Options
  let waivers: Waivers
  try {
    options = parseOptions(process.env)
    waivers = await loadWaivers(options.waiversFile)
  } catch (err) {
    setupError((err as Error).message)
  }
  if (Object.keys(waivers).length) {
    console.log(`stateful-conformance: waived on this cluster (${options.waiversFile}): ${Object.keys(waivers).join(', ')}`)
  }
  const embedded = usesEmbeddedCluster(options)
  let stopEmbedded = false
  let kubeconfigPath = options.kubeconfig ?? null
  let context = options.context ?? null
  if (embedded) {
    const cluster = await import('../../cluster/cli.ts')
    const config = await import('../../cluster/config.ts')
    const wasUp = await cluster.isUp()
    console.log(`stateful-conformance: no kubeconfig context configured: ${wasUp ? 'using the running' : 'starting the'} embedded cluster (npm run cluster:up; SC_KEEP_CLUSTER=1 keeps it up afterwards)`)
    stopEmbedded = !wasUp && !options.keepCluster
    if (stopEmbedded) onFailureStop(() => cluster.down())
    if (!wasUp) await cluster.up().catch((err: Error) => setupError(`the embedded cluster did not come up: ${err.message} (component logs: .cluster/logs/)`))
    kubeconfigPath = config.paths.kubeconfig
    context = null
  }

  let kube: Kube
  try {
    kube = connect(kubeconfigPath ?? undefined, context ?? undefined)
  } catch (err) {
    setupError(`bad kubeconfig${kubeconfigPath ? ` ${kubeconfigPath}` : ''}: ${(err as Error).message}`)
  }
  const contextName = kube.kc.getCurrentContext() || null
  const version = await probeServer(kube).catch((err: Error) => {
    setupError(`the cluster of context "${contextName}" at ${kube.server}: ${err.message}`)
  })
  const denied = await preflightPermissions(kube)
  if (denied.length) {
    setupError(`the credentials of context "${contextName}" may not ${denied.join('; ')} (see fixtures/rbac.yaml for what the suite needs)`)
  }

  const nodes = await kube.core.listNode().then((l) => l.items)
  const schedulable = nodes.filter((n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule'))
  const classes = await kube.storage.listStorageClass().then((l) => l.items)
  let storageClasses: string[]
  try {
    // "the default class" is the one a claim without storageClassName gets (lib/storage.ts).
    const theDefault = defaultStorageClass(classes)?.metadata?.name
    storageClasses = selectStorageClasses(options.storageClasses, classes.map((c) => ({
      name: c.metadata?.name ?? '',
      isDefault: c.metadata?.name === theDefault,
    })))
  } catch (err) {
    if (err instanceof OptionError) setupError(err.message)
    throw err
  }

  const cluster: ClusterInfo = {
    server: kube.server, context: contextName, version, nodes: nodes.length, schedulableNodes: schedulable.length, embedded,
  }
  console.log(`stateful-conformance: testing ${embedded ? 'the embedded cluster' : `context "${contextName}"`} at ${kube.server} (Kubernetes ${version}, ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${schedulable.length} schedulable)`)
  console.log(describeStorageClasses(classes, storageClasses))

  const runId = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`
  const reportsDir = resolve(repoRoot, options.reportsDir)
  await clearPreviousRun(reportsDir)
  await mkdir(reportsDir, { recursive: true })
  await writeFile(join(reportsDir, '.run.json'), JSON.stringify({ startedAt, runId, cluster, storageClasses }, null, 2))

  project.provide('kubeconfigPath', kubeconfigPath)
  project.provide('kubeContext', context ?? contextName)
  project.provide('runId', runId)
  project.provide('storageClasses', storageClasses)
  project.provide('timeoutScale', options.timeoutScale)
  project.provide('images', resolveImages(options.images))
  project.provide('reportsDir', reportsDir)
  project.provide('cluster', cluster)
  project.provide('waivers', waivers)

  // What each class can do: declared, and probed with small claims in a namespace of this run.
  const detected = await detectCapabilities(kube, classes, storageClasses, {
    runId, busybox: resolveImages(options.images).busybox, timeoutMs: timeout('pvcBound', options.timeoutScale),
  })
  console.log(describeDetectedCapabilities(detected))
  project.provide('storageCapabilities', detected.byClass)

  // Ctrl-C: vitest exits a millisecond later, so the clean-up runs in a
  // detached process of its own (lib/clean-cli.ts) that outlives this one:
  // it deletes this run's namespaces (and stops an embedded cluster this run started).
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\nstateful-conformance: ${signal}: removing what run ${runId} made, in the background (npm run clean does it again if needed)`)
    const cleaner = spawn(process.execPath, [join(repoRoot, 'lib', 'clean-cli.ts')], {
      detached: true,
      stdio: 'inherit',
      env: {
        ...process.env, SC_CLEAN_RUN: runId, SC_CLEAN_STOP_EMBEDDED: stopEmbedded ? '1' : '',
        ...(kubeconfigPath ? { KUBECONFIG: kubeconfigPath } : {}), ...(contextName ? { SC_CONTEXT: contextName } : {}),
      },
    })
    cleaner.unref()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  return async () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    const left = await removeSuiteNamespaces(kube, runId, 180_000).catch((err: Error) => [`(${err.message})`])
    if (left.length) console.error(`stateful-conformance: namespaces still terminating after 180s: ${left.join(', ')} (npm run clean removes them)`)
    if (stopEmbedded) {
      const cluster = await import('../../cluster/cli.ts')
      await cluster.down()
    }
  }
}
