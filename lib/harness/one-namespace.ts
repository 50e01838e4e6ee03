// Global setup's part of SC_NAMESPACE mode (lib/k8s/given-namespace.ts): the
// given namespace checked, and setup's own checks run in turn there.
import { apiCall, describeApiError, isNotFound, type Kube } from '../k8s/kube.ts'
import { describeObjects, givenObjects, listLabelled } from '../k8s/given-namespace.ts'
import { managedBy, runLabel, suiteSelector } from '../k8s/suite-labels.ts'

// SC_NAMESPACE names a namespace the user has: the run makes none. Throws, in one line, where it is not there.
export async function checkGivenNamespace(kube: Kube, namespace: string): Promise<void> {
  const found = await apiCall(`get namespace ${namespace}`, () => kube.core.readNamespace({ name: namespace })).catch((err: unknown) => {
    if (isNotFound(err)) throw new Error(`SC_NAMESPACE=${namespace}: no such namespace (the suite runs in it and does not make it; ask for it, or leave SC_NAMESPACE unset for a namespace per claim)`)
    throw new Error(`SC_NAMESPACE=${namespace}: ${describeApiError(err)}`)
  })
  if (found.metadata?.deletionTimestamp) throw new Error(`SC_NAMESPACE=${namespace}: the namespace is being deleted`)
  // Another run there, live or killed: its objects share the claims' names, and one run's clean-up would take the other's.
  const api = givenObjects(kube)
  const others = (await listLabelled(api, namespace, suiteSelector()))
    .filter((o) => o.metadata?.labels?.[runLabel] !== kube.given?.runId)
  if (others.length) {
    const runs = [...new Set(others.map((o) => o.metadata?.labels?.[runLabel] ?? '?'))]
    throw new Error(`SC_NAMESPACE=${namespace}: the namespace holds ${describeObjects(others)} of ${runs.length > 1 ? 'runs' : 'run'} ${runs.join(', ')} of the suite (running, or killed): one run at a time per namespace; once none is running, SC_NAMESPACE=${namespace} npm run clean removes them`)
  }
  // Claims find their pods by the quests' labels (app=web …): pods of others there could be taken for theirs.
  const foreign = (await kube.core.listNamespacedPod({ namespace }).catch(() => ({ items: [] }))).items.filter((p) => !Object.entries(managedBy).every(([k, v]) => p.metadata?.labels?.[k] === v))
  if (foreign.length) console.warn(`stateful-conformance: SC_NAMESPACE=${namespace} holds ${foreign.length} pod(s) not the suite's (${foreign.slice(0, 3).map((p) => p.metadata?.name).join(', ')}${foreign.length > 3 ? ' …' : ''}): claims select pods by the quests' labels (app=web, app=podinfo …), so a namespace of its own, empty, gives the clearest verdicts`)
  console.log(`stateful-conformance: SC_NAMESPACE=${namespace}: every claim runs in it, one at a time; what the run makes there carries its labels and goes after each claim; claims that need a second namespace or a write outside it (volumes, nodes, snapshot contents) are skipped, naming it`)
}

// `work` runs while `aside`, begun before it, goes on; in one given namespace (SC_NAMESPACE), once
// `aside` has settled, one at a time. Should `work` fail, the failure waits for `aside` to settle,
// so that neither leaves what it made behind.
export async function besideIt<T>(aside: Promise<unknown>, oneAtATime: boolean, work: () => Promise<T>): Promise<T> {
  const settled = aside.then(() => undefined, () => undefined)
  if (oneAtATime) await settled
  try {
    return await work()
  } catch (err) {
    await settled
    throw err
  }
}
