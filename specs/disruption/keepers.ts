// specs/disruption/keepers.ts — what the DR claims of dr.spec.ts and dr-upgrade.spec.ts share: the
// StatefulSet keeper (fixtures/dr/keepers.yaml, 3 pods behind the headless Service keepers, a
// PodDisruptionBudget of maxUnavailable 1), each pod's token on its volume, and the check that a
// pod came back with its name, claim and data. Not a spec itself (vitest runs only *.spec.ts).
import type { V1Pod } from '@kubernetes/client-node'
import { readFileIn, writeFileIn } from '../../lib/apps/files.ts'
import { applyFixture, expect, type Kube } from '../../lib/harness/fixtures.ts'
import { Given } from '../../lib/harness/steps.ts'
import { describeNodeSelector, getNode, nodeSelectorAllows } from '../../lib/resources/nodes.ts'
import { getPod, isPodReady, mountedClaim } from '../../lib/resources/pods.ts'
import { getPv, getPvc } from '../../lib/resources/storage.ts'
import { waitForBudget } from '../../lib/wait/disruption.ts'
import { waitForPods } from '../../lib/wait/pods.ts'

export const keepers = ['keeper-0', 'keeper-1', 'keeper-2']

export interface Keeper {
  uid: string
  node: string
  claim: string
  claimUid: string
  token: string
}

// The StatefulSet keeper (fixtures/dr/keepers.yaml), Ready, with a token of its own on each pod's volume,
// and its PodDisruptionBudget (maxUnavailable 1) allowing one disruption.
export async function givenKeepers(kube: Kube, ns: string, storageClass?: string): Promise<Record<string, Keeper>> {
  return Given(`the StatefulSet keeper (3 pods, a claim each${storageClass ? ` of class ${storageClass}` : ''}) behind the headless Service keepers, Ready, ` +
    'each pod\'s own token in /data/token, and a PodDisruptionBudget of maxUnavailable 1 allowing one disruption', async () => {
    await applyFixture(kube, ns, 'dr/keepers.yaml', { storageClass })
    const pods = await waitForPods(kube, ns, 'app=keeper', '3 Ready', (ps) => ps.length === 3 && ps.every(isPodReady), 'rollout')
    await waitForBudget(kube, ns, 'keeper', 'to count 3 healthy pods and allow 1 disruption', (b) =>
      b.status?.observedGeneration === b.metadata?.generation && b.status?.currentHealthy === 3 && b.status?.disruptionsAllowed === 1)
    const out: Record<string, Keeper> = {}
    for (const p of pods) {
      const name = p.metadata!.name!
      const claim = mountedClaim(p, 'data') ?? ''
      const token = `${name} ${p.metadata?.uid}`
      await writeFileIn(kube, ns, name, '/data/token', token)
      out[name] = { uid: p.metadata?.uid ?? '', node: p.spec?.nodeName ?? '', claim, claimUid: (await getPvc(kube, ns, claim)).metadata?.uid ?? '', token }
    }
    return out
  })
}

// The pods, as "keeper-0 on node-a (Ready)", for messages.
export const describeKeepers = (pods: V1Pod[]) =>
  pods.map((p) => `${p.metadata?.name} on ${p.spec?.nodeName ?? '(not scheduled)'}${p.metadata?.deletionTimestamp ? ' (terminating)' : isPodReady(p) ? ' (Ready)' : ' (not Ready)'}`).join(', ')

// Each evicted or killed pod back with its own claim (the same object, by uid) and data, on a node its volume allows.
// `replaced`: false where the pod may also be the one that was there (DR-05: a pod an upgrade left in place).
export async function expectBackWithItsData(kube: Kube, ns: string, before: Record<string, Keeper>, names: string[], replaced = true): Promise<void> {
  for (const name of names) {
    const was = before[name]!
    const pod = await getPod(kube, ns, name)
    const claim = mountedClaim(pod, 'data') ?? '(none)'
    const pvc = await getPvc(kube, ns, claim)
    const context = `pod ${ns}/${name}: before on ${was.node} with claim ${was.claim} (uid ${was.claimUid}); now uid ${pod.metadata?.uid} on ${pod.spec?.nodeName} with claim ${claim} (uid ${pvc.metadata?.uid})`
    if (replaced) expect(pod.metadata?.uid, `${context}: a new pod of the same name (the one evicted or killed is gone)`).not.toBe(was.uid)
    expect({ claim, claimUid: pvc.metadata?.uid }, context).toEqual({ claim: was.claim, claimUid: was.claimUid })
    expect((await readFileIn(kube, ns, name, '/data/token')).trim(), `${context}: /data/token`).toBe(was.token)
    const pv = await getPv(kube, pvc.spec?.volumeName ?? '')
    const affinity = pv.spec?.nodeAffinity?.required
    if (affinity) {
      expect(nodeSelectorAllows(affinity, await getNode(kube, pod.spec?.nodeName ?? '')), `${context}: volume ${pv.metadata?.name} allows ${describeNodeSelector(affinity)}`).toBe(true)
    }
  }
}
