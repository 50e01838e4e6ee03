// npm run clean [-- --yes] [--include-unrecorded] — removes what runs of the
// suite left in the cluster (killed runs, debugging), every run's, after
// listing it (lib/harness/leftovers.ts): namespaces and volumes labelled
// app.kubernetes.io/managed-by=stateful-conformance, and volumes whose claims
// are in those namespaces or were in one a run recorded (reports/.runs/);
// nothing else. Volumes whose claim's namespace is gone and only named like
// the suite's are listed as possibly the suite's, deleted with
// --include-unrecorded only. On a terminal it asks before deleting; elsewhere
// it deletes only with --yes.
// With SC_CLEAN_RUN=<run id> (how a Ctrl-C'd run cleans up after itself)
// only that run's namespaces and volumes, without asking;
// SC_CLEAN_STOP_EMBEDDED=1 then stops the embedded cluster that run had started.
// With SC_NAMESPACE (a user of one namespace): what runs made there, by label,
// and nothing outside it (lib/k8s/given-namespace.ts).
import { resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { connect, type Kube } from '../lib/k8s/kube.ts'
import { describeObjects, givenObjects, listLabelled, sweepNamespace } from '../lib/k8s/given-namespace.ts'
import { suiteSelector } from '../lib/k8s/suite-labels.ts'
import { timeout } from '../lib/k8s/timeouts.ts'
import { probeServer } from '../lib/harness/access.ts'
import { usesEmbeddedCluster } from '../lib/harness/cluster-choice.ts'
import { type CleanArgs, clean, cleanConsent, describeCleanPlan, findLeftovers, isNothingToClean, parseCleanArgs, removeRun } from '../lib/harness/leftovers.ts'
import { parseOptions, provisionalScale } from '../lib/options/options.ts'
import { runRecord, runRecords, runRecordsDir } from '../lib/harness/run-record.ts'

const repoRoot = resolve(import.meta.dirname, '..')

async function main(): Promise<void> {
  const o = parseOptions(process.env)
  const args = parseCleanArgs(process.argv.slice(2))
  // Where global setup keeps the runs' records (lib/harness/run-record.ts).
  const reportsDir = resolve(repoRoot, o.reportsDir)
  // The cluster a run would use (lib/harness/cluster-choice.ts).
  // The embedded cluster's kubeconfig, of the instance SC_CLUSTER_NAME names (cluster/base/config.ts).
  const kubeconfig = usesEmbeddedCluster(o) ? (await import('../cluster/base/config.ts')).paths.kubeconfig : o.kubeconfig
  const onlyRun = process.env.SC_CLEAN_RUN
  const kube = connect(kubeconfig, o.context, o.namespace ? { namespace: o.namespace, runId: onlyRun ?? '' } : undefined)
  const scale = provisionalScale(o.timeoutScale)
  await probeServer(kube, timeout('versionCheck', scale))
  const limit = timeout('namespaceDeleted', scale)
  if (onlyRun) {
    const run = runRecord(reportsDir, onlyRun)
    // Twice: the interrupted run may have been creating one as it died.
    await removeRun(kube, run, limit)
    const { namespacesLeft, volumes, volumesLeft } = await removeRun(kube, run, limit / 2)
    if (volumes.length) console.error(`stateful-conformance: run ${onlyRun}: removed volumes its claims left behind: ${volumes.join(', ')}`)
    const left = [...namespacesLeft, ...volumesLeft]
    console.error(left.length ? `stateful-conformance: run ${onlyRun}: still there: ${left.join(', ')} (npm run clean removes them)` : `stateful-conformance: run ${onlyRun}: its namespaces are gone`)
    if (process.env.SC_CLEAN_STOP_EMBEDDED === '1') await (await import('../cluster/lifecycle.ts')).down()
    return
  }
  if (o.namespace) {
    await cleanNamespace(kube, o.namespace, args, limit)
    return
  }
  console.log(`what runs of the suite left in ${kube.server} (context ${kube.kc.getCurrentContext()}):`)
  const plan = await findLeftovers(kube, await runRecords(reportsDir))
  console.log(describeCleanPlan(plan, args.includeUnrecorded, runRecordsDir(reportsDir)))
  if (isNothingToClean(plan, args.includeUnrecorded)) {
    console.log('nothing to clean')
    return
  }
  if (!await consented(args)) return
  const { deleted, left } = await clean(kube, plan, { includeUnrecorded: args.includeUnrecorded, timeoutMs: limit })
  console.log(deleted.length ? `volumes deleted: ${deleted.join(', ')}` : 'volumes deleted: none')
  if (left.length) {
    console.error(`still there: ${left.join(', ')}`)
    process.exitCode = 1
  } else {
    console.log('clean')
  }
}

async function consented(args: CleanArgs): Promise<boolean> {
  const consent = await cleanConsent(args, Boolean(process.stdin.isTTY), async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout })
    try {
      return await rl.question(question)
    } finally {
      rl.close()
    }
  })
  if (consent === 'needs --yes') {
    console.error('nothing deleted: not a terminal, so no one to ask; npm run clean -- --yes deletes the above')
    process.exitCode = 1
  }
  if (consent === 'declined') console.log('nothing deleted')
  return consent === 'go'
}

// What runs of the suite left in the one namespace of SC_NAMESPACE: the objects carrying the suite's label.
async function cleanNamespace(kube: Kube, namespace: string, args: CleanArgs, limit: number): Promise<void> {
  const api = givenObjects(kube)
  const found = await listLabelled(api, namespace, suiteSelector())
  console.log(`what runs of the suite left in namespace ${namespace} (SC_NAMESPACE) of ${kube.server}: ${found.length ? describeObjects(found, 50) : 'nothing'}`)
  if (!found.length || !await consented(args)) return
  const left = await sweepNamespace(namespace, suiteSelector(), limit, api)
  if (left.length) {
    console.error(`still there: ${left.join(', ')}`)
    process.exitCode = 1
  } else {
    console.log('clean')
  }
}

main().catch((err: Error) => {
  console.error(`clean failed: ${err.message}`)
  process.exitCode = 1
})
