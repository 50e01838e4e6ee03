// How hard the run presses the cluster, chosen in global setup: the timeout
// scale (SC_TIMEOUT_SCALE, measured when auto: pace.ts) and the gate that holds
// the claims in flight to what the cluster takes (gate-server.ts,
// concurrency.ts). Each choice is printed with its reason.
import type { V1NamespaceList } from '@kubernetes/client-node'
import { cpus } from 'node:os'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kube } from '../k8s/kube.ts'
import type { NamespaceRun } from '../k8s/namespaces.ts'
import { suiteSelector } from '../k8s/suite-labels.ts'
import { isLoopbackServer } from './cluster-choice.ts'
import { ConcurrencyLimit, initialConcurrency } from './concurrency.ts'
import { type Gate, startGate } from './gate-server.ts'
import { resolveImages } from './images.ts'
import { roomWaitSince } from '../resources/pods.ts'
import { maxAutoConcurrency, type Options } from '../options/options.ts'
import { measurePace, scaleFromPace } from './pace.ts'

const say = (line: string) => console.log(`stateful-conformance: ${line}`)

// SC_TIMEOUT_SCALE=auto (the default): measured here, once. Throws when the
// cluster cannot start the one small pod the measure needs. The caller puts
// the scale into the run's settings.
export async function chooseTimeoutScale(kube: Kube, options: Options, run: NamespaceRun): Promise<number> {
  if (options.timeoutScale !== 'auto') {
    say(`timeout scale ${options.timeoutScale} (SC_TIMEOUT_SCALE)`)
    return options.timeoutScale
  }
  // Measured under the provisional scale global setup set first, so that a slow cluster is measured, not refused.
  const pace = await measurePace(kube, run, resolveImages(options.images).busybox).catch((err: Error) => {
    throw new Error(`the cluster could not start one small pod to measure its pace (SC_TIMEOUT_SCALE=auto; set a number to skip it): ${err.message}`)
  })
  const { scale, why } = scaleFromPace(pace)
  say(`timeout scale ${scale} (auto: ${why}; SC_TIMEOUT_SCALE=N sets it)`)
  return scale
}

export interface GateChoice {
  kube: Kube
  options: Options
  scale: number
  runId: string
  reportsDir: string
  // The embedded cluster's node count; undefined on any other cluster.
  embeddedNodes: number | undefined
}

export async function openGate(c: GateChoice): Promise<Gate> {
  const fixed = c.options.concurrency !== 'auto'
  const start = fixed
    ? { limit: c.options.concurrency as number, why: 'SC_CONCURRENCY' }
    : initialConcurrency({ cores: cpus().length, embeddedNodes: c.embeddedNodes, max: maxAutoConcurrency })
  const limit = new ConcurrencyLimit({ initial: start.limit, min: 1, max: fixed ? start.limit : maxAutoConcurrency, fixed, scale: c.scale })
  // A cluster on this machine (the embedded one, kind, minikube…) shares its cores with the suite: their load counts.
  const local = c.embeddedNodes !== undefined || isLoopbackServer(c.kube.server)
  await mkdir(c.reportsDir, { recursive: true })
  const gate = await startGate({
    limit, local, usageFile: join(c.reportsDir, '.usage.json'),
    // A user of one namespace (SC_NAMESPACE) lists no namespaces: the run's pods there instead.
    probeApi: () => (c.kube.given
      ? c.kube.core.listNamespacedPod({ namespace: c.kube.given.namespace, labelSelector: suiteSelector(c.runId), limit: 1 })
      : c.kube.core.listNamespace({ labelSelector: suiteSelector(c.runId) })),
    // In the run's own namespaces only: the suite reads no pod it did not make (fixtures/rbac.yaml). A pod
    // counts once it has waited 10 s: one left Pending for a moment while another's pods go is no full cluster.
    ...(fixed ? {} : {
      probeRoom: async (listed) => {
        const namespaces = (listed as V1NamespaceList).items.map((n) => n.metadata?.name ?? '')
        const pending = await Promise.all(namespaces.map((namespace) => c.kube.core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Pending' })))
        const now = Date.now()
        return pending.flatMap((l) => l.items).filter((p) => { const since = roomWaitSince(p); return since !== undefined && now - since >= 10_000 }).length
      },
    }),
    log: say,
  })
  say(`claims in flight: ${fixed
    ? `${start.limit} (${c.options.namespace ? 'SC_NAMESPACE: one namespace, one claim at a time' : 'SC_CONCURRENCY'})`
    : `starting at ${start.limit} (${start.why}), then following pod start, API latency, room on the nodes (back off while a pod of the run waits for it)${local ? ' and this machine\'s CPU (room to grow while it is idle 10% or more; back off above a load of 16 per core)' : ''}, between 1 and ${maxAutoConcurrency} (SC_CONCURRENCY=N fixes it)`}`)
  return gate
}
