// npm run clean — removes what earlier runs of the suite left in the cluster
// (interrupted runs, debugging): namespaces and volumes labelled
// app.kubernetes.io/managed-by=stateful-conformance, and volumes whose claims
// lived in the suite's namespaces and are gone; nothing else.
// With SC_CLEAN_RUN=<run id> (how a Ctrl-C'd run cleans up after itself)
// only that run's namespaces; SC_CLEAN_STOP_EMBEDDED=1 then stops the
// embedded cluster that run had started.
import { removeSuiteOrphanedVolumes } from '../apps/volumes.ts'
import { usesEmbeddedCluster } from './cluster-choice.ts'
import { connect, describeApiError } from '../k8s/kube.ts'
import { listSuiteNamespaces, removeSuiteNamespaces, suiteSelector } from '../k8s/namespaces.ts'
import { timeout } from '../k8s/timeouts.ts'
import { parseOptions, provisionalScale } from './options.ts'
import { probeServer } from './access.ts'

const selector = suiteSelector()

async function main(): Promise<void> {
  const o = parseOptions(process.env)
  // The cluster a run would use (lib/cluster-choice.ts).
  // The embedded cluster's kubeconfig, of the instance SC_CLUSTER_NAME names (cluster/config.ts).
  const kubeconfig = usesEmbeddedCluster(o) ? (await import('../../cluster/config.ts')).paths.kubeconfig : o.kubeconfig
  const kube = connect(kubeconfig, o.context)
  const scale = provisionalScale(o.timeoutScale)
  await probeServer(kube, timeout('versionCheck', scale))
  console.log(`cleaning ${kube.server} (context ${kube.kc.getCurrentContext()}) of what the suite left (${selector})`)
  const onlyRun = process.env.SC_CLEAN_RUN
  if (onlyRun) {
    // Twice: the interrupted run may have been creating one as it died.
    const left = [...await removeSuiteNamespaces(kube, onlyRun, timeout('namespaceDeleted', scale)), ...await removeSuiteNamespaces(kube, onlyRun, timeout('namespaceDeleted', scale))]
    console.error(left.length ? `stateful-conformance: run ${onlyRun}: still terminating: ${left.join(', ')}` : `stateful-conformance: run ${onlyRun}: its namespaces are gone`)
    if (process.env.SC_CLEAN_STOP_EMBEDDED === '1') await (await import('../../cluster/cli.ts')).down()
    return
  }
  const namespaces = await listSuiteNamespaces(kube)
  console.log(namespaces.length ? `namespaces: ${namespaces.join(', ')}` : 'namespaces: none')
  const limit = timeout('namespaceDeleted', scale)
  const left = await removeSuiteNamespaces(kube, undefined, limit)
  // Volumes the suite made (labelled), and volumes its claims left Released or Failed (Retain classes).
  const pvs = (await kube.core.listPersistentVolume({ labelSelector: selector })).items
  for (const pv of pvs) {
    await kube.core.deletePersistentVolume({ name: pv.metadata!.name! }).catch((err: unknown) => left.push(`${pv.metadata?.name}: ${describeApiError(err)}`))
  }
  const orphans = await removeSuiteOrphanedVolumes(kube)
  const deleted = [...pvs.map((p) => p.metadata?.name), ...orphans]
  console.log(deleted.length ? `volumes deleted: ${deleted.join(', ')}` : 'volumes: none')
  if (left.length) {
    console.error(`still there after ${limit / 1000}s: ${left.join(', ')}`)
    process.exitCode = 1
  } else {
    console.log('clean')
  }
}

main().catch((err: Error) => {
  console.error(`clean failed: ${err.message}`)
  process.exitCode = 1
})
