// specs/003b-update-strategies.spec.ts — mirrors quest 003
// (shared/quests/003_f80dadcc127193cc.txt), its "Bonus" part, "Update
// strategies": the Parallel StatefulSet "visits" of the main part under
// updateStrategy OnDelete, then RollingUpdate with a partition.
import type { V1StatefulSet } from '@kubernetes/client-node'
import { recordTimeline } from '../lib/harness/claim-entry.ts'
import { describe, expect, type Kube, test } from '../lib/harness/fixtures.ts'
import { And, Then, When } from '../lib/harness/steps.ts'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { listPods } from '../lib/resources/pods.ts'
import { getStatefulSet, patchObject } from '../lib/resources/workloads.ts'
import { deletePodAndWaitForReplacement } from '../lib/wait/pods.ts'
import { waitForStatefulSet, waitForStatefulSetRolledOut } from '../lib/wait/workloads.ts'
import { givenVisits, pods } from './003-quest.ts'

// name → revision, uid and whether it is being deleted, of every visits pod, as the API shows them now.
async function podRevisions(kube: Kube, ns: string): Promise<Record<string, { revision: string; uid: string; terminating: boolean }>> {
  return Object.fromEntries((await listPods(kube, ns, 'app=visits')).map((p) => [p.metadata!.name!, {
    revision: p.metadata?.labels?.['controller-revision-hash'] ?? '(no label)', uid: p.metadata?.uid ?? '', terminating: !!p.metadata?.deletionTimestamp,
  }]))
}

const describeRevisions = (ns: string, sts: V1StatefulSet, revs: Record<string, { revision: string }>) =>
  `StatefulSet ${ns}/visits: currentRevision ${sts.status?.currentRevision}, updateRevision ${sts.status?.updateRevision}; ` +
  Object.entries(revs).map(([p, r]) => `${p} at ${r.revision}`).join(', ')

// The StatefulSet's current revision, and each pod's, before the template changes.
const givenRevisions = (kube: Kube, ns: string) =>
  And('its current revision, and each pod\'s, read back', async () => ({
    old: (await getStatefulSet(kube, ns, 'visits')).status?.currentRevision ?? '',
    before: await podRevisions(kube, ns),
  }))

// A change to the pod template (an annotation): a new revision, same image.
const changeTemplate = (kube: Kube, ns: string) =>
  patchObject(kube, 'apps/v1', 'StatefulSet', ns, 'visits', { spec: { template: { metadata: { annotations: { 'example.com/template-change': '2' } } } } })

describe('Q3 Parallel StatefulSet behind a Service: update strategies', () => {
  test('Q3-08 with updateStrategy OnDelete a template change updates no pod until one is deleted by hand; that pod alone comes back on the new revision', async ({ task, kube, ns, podEvents }) => {
    await givenVisits(kube, ns, { strategy: { type: 'OnDelete' } })
    const { old, before } = await givenRevisions(kube, ns)
    const timeline = await recordTimeline(task, podEvents, 'app=visits', `pods app=visits in ${ns} (OnDelete) through the template change and the deletion of visits-1`,
      [{ pod: 'visits-1', kind: 'terminating', incarnation: 'old' }, { pod: 'visits-1', kind: 'ready', incarnation: 'new' }])
    const sts = await When('the pod template changes', async () => {
      await changeTemplate(kube, ns)
      return waitForStatefulSet(kube, ns, 'visits', 'to have observed the change (a new updateRevision)', (s) =>
        s.status?.observedGeneration === s.metadata?.generation && !!s.status?.updateRevision && s.status.updateRevision !== old, 'apiCall')
    })
    await Then(`no pod was deleted and every pod is still on revision ${old}`, async () => {
      const revs = await podRevisions(kube, ns)
      const context = `${describeRevisions(ns, sts, revs)}\n${timeline.describe()}`
      expect(timeline.replacementOrder([]), context).toEqual([])
      expect(revs, context).toEqual(before)
      // The controller's own account: nothing updated, every replica still current.
      expect({ updated: sts.status?.updatedReplicas ?? 0, current: sts.status?.currentReplicas }, context).toEqual({ updated: 0, current: pods.length })
      expect(Object.values(revs).map((r) => r.revision), context).toEqual(pods.map(() => old))
    })
    await When('visits-1 is deleted by hand', async () => {
      await deletePodAndWaitForReplacement(kube, ns, 'visits-1')
      await waitForTimelineEvents(timeline, [{ pod: 'visits-1', kind: 'ready', incarnation: 'new' }])
    })
    await Then(`visits-1 alone came back, on the new revision ${sts.status?.updateRevision}; visits-0 and visits-2 are the same pods on ${old}`, async () => {
      const revs = await podRevisions(kube, ns)
      const now = await getStatefulSet(kube, ns, 'visits')
      const context = `${describeRevisions(ns, now, revs)}\n${timeline.describe()}`
      expect(timeline.replacementOrder(['visits-1']), context).toEqual(['visits-1'])
      expect(revs['visits-1']?.revision, context).toBe(now.status?.updateRevision)
      expect(now.status?.updateRevision, context).not.toBe(old)
      expect({ 'visits-0': revs['visits-0'], 'visits-2': revs['visits-2'] }, context).toEqual({ 'visits-0': before['visits-0'], 'visits-2': before['visits-2'] })
    })
  })

  test('Q3-09 RollingUpdate goes from the highest ordinal to the lowest; with partition P only ordinals ≥ P move to the new revision', async ({ task, kube, ns, podEvents }) => {
    await givenVisits(kube, ns, { strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } })
    const { old, before } = await givenRevisions(kube, ns)
    const timeline = await recordTimeline(task, podEvents, 'app=visits', `pods app=visits in ${ns}: rolling update with partition 1, then 0`, ['visits-2', 'visits-1', 'visits-0'].flatMap((pod) => [
      { pod, kind: 'terminating' as const, incarnation: 'old' as const }, { pod, kind: 'ready' as const, incarnation: 'new' as const }]))
    const sts = await When('the pod template changes (partition 1)', async () => {
      await changeTemplate(kube, ns)
      const s = await waitForStatefulSet(kube, ns, 'visits', 'to have updated the 2 pods at or above the partition, all Ready', (s) =>
        s.status?.observedGeneration === s.metadata?.generation && s.status?.updateRevision !== old &&
        s.status?.updatedReplicas === 2 && s.status?.readyReplicas === 3, 'rollout')
      await waitForTimelineEvents(timeline, [{ pod: 'visits-1', kind: 'ready', incarnation: 'new' }])
      return s
    })
    await Then('visits-2 was replaced and Ready before visits-1 was terminated; visits-0 was left alone', () => {
      expect(timeline.orderOf([
        { pod: 'visits-2', kind: 'terminating', incarnation: 'old' }, { pod: 'visits-2', kind: 'ready', incarnation: 'new' },
        { pod: 'visits-1', kind: 'terminating', incarnation: 'old' }, { pod: 'visits-1', kind: 'ready', incarnation: 'new' },
      ]), timeline.describe()).toEqual(['visits-2 terminating (old)', 'visits-2 ready (new)', 'visits-1 terminating (old)', 'visits-1 ready (new)'])
      expect(timeline.replacementOrder(['visits-2', 'visits-1']), timeline.describe()).toEqual(['visits-2', 'visits-1'])
      // Left alone: not only on the old revision when the And step looks, but never terminated since the change.
      expect(timeline.find({ pod: 'visits-0', kind: 'terminating', incarnation: 'old' }), `visits-0 is below partition 1\n${timeline.describe()}`).toBeUndefined()
    })
    await And(`visits-2 and visits-1 are on the new revision ${sts.status?.updateRevision}, visits-0 (below the partition) still on ${old}`, async () => {
      const revs = await podRevisions(kube, ns)
      const context = describeRevisions(ns, sts, revs)
      expect(pods.map((p) => revs[p]?.revision), context).toEqual([old, sts.status?.updateRevision, sts.status?.updateRevision])
      expect(revs['visits-0'], context).toEqual(before['visits-0'])
    })
    await When('the partition is lowered to 0', async () => {
      await patchObject(kube, 'apps/v1', 'StatefulSet', ns, 'visits', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } })
      await waitForStatefulSetRolledOut(kube, ns, 'visits')
      await waitForTimelineEvents(timeline, [{ pod: 'visits-0', kind: 'ready', incarnation: 'new' }])
    })
    await Then('visits-0 moves too, last: the whole update went 2, 1, 0', async () => {
      const revs = await podRevisions(kube, ns)
      const now = await getStatefulSet(kube, ns, 'visits')
      expect(timeline.replacementOrder(['visits-2', 'visits-1', 'visits-0']), timeline.describe()).toEqual(['visits-2', 'visits-1', 'visits-0'])
      expect(pods.map((p) => revs[p]?.revision), describeRevisions(ns, now, revs)).toEqual(pods.map(() => sts.status?.updateRevision))
    })
  })
})
