// specs/003-quest.ts — what the two spec files of quest 003
// (shared/quests/003_f80dadcc127193cc.txt) share: the quest's values and its
// Parallel StatefulSet "visits" behind the ClusterIP Service "visits".
// Not a spec itself (vitest runs only *.spec.ts).
import type { V1StatefulSet, V1StatefulSetUpdateStrategy } from '@kubernetes/client-node'
import { applyFixture, type Kube } from '../lib/harness/fixtures.ts'
import { Given } from '../lib/harness/steps.ts'
import { claimForPod, ofClass } from '../lib/resources/storage.ts'
import { waitForReadyReplicas } from '../lib/wait/pods.ts'

export const quest = { size: '100Mi', template: 'data', replicas: 3 }
export const pods = ['visits-0', 'visits-1', 'visits-2']
export const claimOf = (pod: string) => claimForPod(quest.template, pod) // <template>-<statefulset>-<ordinal>

export async function givenVisits(kube: Kube, ns: string, opts: { storageClass?: string; strategy?: V1StatefulSetUpdateStrategy } = {}): Promise<void> {
  const strategy = opts.strategy ? `, updateStrategy ${JSON.stringify(opts.strategy)}` : ''
  await Given(`the Parallel StatefulSet visits (3 pods, a 100Mi claim each${ofClass(opts.storageClass)}${strategy}) behind the ClusterIP Service visits, Ready`, async () => {
    await applyFixture(kube, ns, '003/visits.yaml', {
      storageClass: opts.storageClass,
      patch: (o) => { if (opts.strategy && o.kind === 'StatefulSet') (o as V1StatefulSet).spec!.updateStrategy = opts.strategy },
    })
    await waitForReadyReplicas(kube, ns, 'app=visits', quest.replicas)
  })
}
