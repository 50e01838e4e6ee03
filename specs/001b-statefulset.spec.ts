// specs/001b-statefulset.spec.ts — mirrors quest 001
// (shared/quests/001_e9b69f59e3a36be4.txt), part 2, "Hands-on practice quest
// #01: Statefull apps scaling": the app as the StatefulSet "sandwich" behind the
// headless Service "kitchen", looked up from a debug pod (the `client` fixture)
// with nslookup <pod>.<service>; then the part's tasks: write data in a pod,
// delete the pod and watch the StatefulSet, check the data, scale it.
import { readFileIn, writeFileIn } from '../lib/apps/files.ts'
import { recordTimeline } from '../lib/harness/claim-entry.ts'
import { describe, expect, storageTest } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { orderedStartViolations } from '../lib/observe/ordered-start.ts'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { byName, getPod, mountedClaim, podIp, podNamed, podNames } from '../lib/resources/pods.ts'
import { findPvc, getPvc, listPvcs } from '../lib/resources/storage.ts'
import { scale } from '../lib/resources/workloads.ts'
import { deletePodAndWaitGone, waitForPods, waitForReadyReplicas, waitForReplacement } from '../lib/wait/pods.ts'
import { claimOf, expectPodNameResolves, givenStatefulSet, podOf, potato, sts } from './001-quest.ts'

// Each test has its own namespace: they run side by side.
describe.concurrent('Q1 PVC and StatefulSet quest, part 2: the StatefulSet', () => {
  storageTest('Q1-09 a StatefulSet makes one claim per pod, and nslookup <pod>.<service> from a debug pod answers that pod\'s IP', async ({ kube, ns, client, storageClass }) => {
    const pods = await givenStatefulSet(kube, ns, { storageClass })
    await Then(`each pod has its own claim ingridients-<pod> of class ${storageClass}, Bound to its own volume`, async () => {
      const claims = await listPvcs(kube, ns)
      expect(claims.map((c) => c.metadata?.name), `claims in ${ns}`).toEqual([claimOf(0), claimOf(1)])
      for (const c of claims) {
        expect(c.status?.phase, `claim ${ns}/${c.metadata?.name}`).toBe('Bound')
        expect(c.spec?.storageClassName, `claim ${ns}/${c.metadata?.name}`).toBe(storageClass)
      }
      expect(new Set(claims.map((c) => c.spec?.volumeName)).size, `volumes of ${claims.map((c) => `${c.metadata?.name} → ${c.spec?.volumeName}`).join(', ')}`).toBe(2)
      for (const i of [0, 1]) {
        expect(mountedClaim(await getPod(kube, ns, podOf(i)), sts.template), `claim mounted by ${ns}/${podOf(i)}`).toBe(claimOf(i))
      }
    })
    for (const pod of byName(pods)) {
      await Then(`from the debug pod, ${pod.metadata?.name}.${sts.service} resolves to ${pod.metadata?.name}'s IP ${podIp(pod)}`, () =>
        expectPodNameResolves(kube, client, ns, pod))
    }
  })

  storageTest('Q1-10 data written in a StatefulSet pod survives deleting the pod: same name, same claim', async ({ kube, ns, podEvents, storageClass }) => {
    const before = podNamed(await givenStatefulSet(kube, ns, { replicas: 1, storageClass }), podOf(0))
    const claimBefore = await Given(`"${potato.text}" written to ${potato.file} in ${podOf(0)}, on its claim ${claimOf(0)}`, async () => {
      await writeFileIn(kube, ns, podOf(0), potato.file, potato.text)
      return getPvc(kube, ns, claimOf(0))
    })
    const timeline = await podEvents.record({ selector: sts.selector })
    await When(`${podOf(0)} is deleted`, () => deletePodAndWaitGone(kube, ns, podOf(0)))
    const after = await Then(`the StatefulSet brings back a pod named ${podOf(0)} (another uid), Ready`, async () => {
      const p = await waitForReplacement(kube, ns, podOf(0), before.metadata?.uid)
      await waitForTimelineEvents(timeline, [{ pod: podOf(0), kind: 'ready', incarnation: 'new' }])
      expect(timeline.orderOf([{ pod: podOf(0), kind: 'deleted', incarnation: 'old' }, { pod: podOf(0), kind: 'ready', incarnation: 'new' }]), timeline.describe())
        .toEqual([`${podOf(0)} deleted (old)`, `${podOf(0)} ready (new)`])
      return p
    })
    await And(`it mounts the same claim ${claimOf(0)}, Bound to the same volume ${claimBefore.spec?.volumeName}`, async () => {
      expect(mountedClaim(after, sts.template), `claim mounted by ${ns}/${podOf(0)}`).toBe(claimOf(0))
      const c = await getPvc(kube, ns, claimOf(0))
      expect(c.metadata?.uid, `claim ${ns}/${claimOf(0)}`).toBe(claimBefore.metadata?.uid)
      expect(c.spec?.volumeName, `claim ${ns}/${claimOf(0)}`).toBe(claimBefore.spec?.volumeName)
    })
    await And(`it reads "${potato.text}"`, async () => {
      expect(await readFileIn(kube, ns, podOf(0), potato.file), `${potato.file} in ${ns}/${podOf(0)} (class ${storageClass})`).toBe(potato.text)
    })
  })

  storageTest('Q1-11 scaling up goes in ordinal order, each pod after the previous is Ready; scaling down removes the highest first; claims stay and come back with their data', async ({ task, kube, ns, podEvents, storageClass }) => {
    const all = [0, 1, 2].map(podOf)
    await givenStatefulSet(kube, ns, { replicas: 1, storageClass })
    const up = await recordTimeline(task, podEvents, sts.selector, `scale-up 1 → 3 of StatefulSet ${sts.name} in ${ns}`,
      [{ pod: podOf(0), kind: 'ready' }, { pod: podOf(1), kind: 'created' }, { pod: podOf(1), kind: 'ready' }, { pod: podOf(2), kind: 'created' }])
    await When('it is scaled to 3 replicas', async () => {
      await scale(kube, ns, 'StatefulSet', sts.name, 3)
      await waitForReadyReplicas(kube, ns, sts.selector, 3)
    })
    await Then(`${podOf(1)} is created only after ${podOf(0)} is Running and Ready, ${podOf(2)} only after ${podOf(1)}`, async () => {
      await waitForTimelineEvents(up, [{ pod: podOf(2), kind: 'ready', incarnation: 'new' }])
      expect(up.orderOfFirst('created', 'new', [podOf(1), podOf(2)]), up.describe()).toEqual([podOf(1), podOf(2)])
      expect(orderedStartViolations(up, all), up.describe()).toEqual([])
    })
    const claims = await When('each pod writes its own name into its volume', async () => {
      for (const pod of all) await writeFileIn(kube, ns, pod, potato.file, `${potato.text} from ${pod}`)
      return Object.fromEntries(await Promise.all([1, 2].map(async (i) => [claimOf(i), await getPvc(kube, ns, claimOf(i))] as const)))
    })
    const down = await recordTimeline(task, podEvents, sts.selector, `scale-down 3 → 1 of StatefulSet ${sts.name} in ${ns}`,
      [{ pod: podOf(2), kind: 'terminating' }, { pod: podOf(2), kind: 'deleted' }, { pod: podOf(1), kind: 'terminating' }, { pod: podOf(1), kind: 'deleted' }])
    await When('it is scaled down to 1 replica', async () => {
      await scale(kube, ns, 'StatefulSet', sts.name, 1)
      await waitForPods(kube, ns, sts.selector, `only ${podOf(0)} left`, (pods) => podNames(pods).join() === podOf(0), 'scale')
    })
    await Then(`the highest ordinal goes first: ${podOf(2)} is gone before ${podOf(1)} starts terminating`, async () => {
      await waitForTimelineEvents(down, [{ pod: podOf(1), kind: 'deleted' }, { pod: podOf(2), kind: 'deleted' }])
      expect(down.orderOf([
        { pod: podOf(2), kind: 'terminating' }, { pod: podOf(2), kind: 'deleted' }, { pod: podOf(1), kind: 'terminating' }, { pod: podOf(1), kind: 'deleted' },
      ]), down.describe()).toEqual([`${podOf(2)} terminating`, `${podOf(2)} deleted`, `${podOf(1)} terminating`, `${podOf(1)} deleted`])
      expect(down.orderOfFirst('terminating', undefined, [podOf(2), podOf(1)]), down.describe()).toEqual([podOf(2), podOf(1)])
    })
    await And(`the claims ${claimOf(1)} and ${claimOf(2)} stay, Bound to the same volumes`, async () => {
      for (const [name, before] of Object.entries(claims)) {
        const c = await findPvc(kube, ns, name)
        expect(c?.metadata?.uid, `claim ${ns}/${name} after scale-down (class ${storageClass})`).toBe(before.metadata?.uid)
        expect(c?.status?.phase, `claim ${ns}/${name} after scale-down`).toBe('Bound')
        expect(c?.spec?.volumeName, `claim ${ns}/${name} after scale-down`).toBe(before.spec?.volumeName)
      }
    })
    const again = await podEvents.record({ selector: sts.selector })
    await When('it is scaled up to 3 again', async () => {
      await scale(kube, ns, 'StatefulSet', sts.name, 3)
      await waitForReadyReplicas(kube, ns, sts.selector, 3)
    })
    await Then(`${podOf(1)} and ${podOf(2)} come back in order, on their old claims`, async () => {
      await waitForTimelineEvents(again, [{ pod: podOf(2), kind: 'ready', incarnation: 'new' }])
      expect(orderedStartViolations(again, all), again.describe()).toEqual([])
      for (const [name, before] of Object.entries(claims)) {
        expect((await getPvc(kube, ns, name)).metadata?.uid, `claim ${ns}/${name} after scaling up again`).toBe(before.metadata?.uid)
      }
    })
    await And('each reads its own data, intact', async () => {
      for (const pod of all) expect(await readFileIn(kube, ns, pod, potato.file), `${potato.file} in ${ns}/${pod} (class ${storageClass})`).toBe(`${potato.text} from ${pod}`)
    })
  })
})
