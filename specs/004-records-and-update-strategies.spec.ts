// specs/004-records-and-update-strategies.spec.ts — mirrors quest 004
// (shared/quests/004_d1fa784c486c1f76.txt): a two-replica StatefulSet whose
// pods each keep their own record of the requests they served, started in
// parallel; then the update strategies the quest reads about — a Deployment's
// RollingUpdate and Recreate, and a canary beside the stable version.
// The quest's Python app is private: busybox httpd with a CGI script stands in
// for it (fixtures/004/visits.yaml, lib/visits.ts); podinfo's
// previous and current images (lib/harness/images.ts) for the updates, the versions read from them.
import type { ClusterClient } from '../lib/apps/cluster-client.ts'
import { waitForAddresses } from '../lib/apps/dns-answers.ts'
import { podinfoField, versionOfPods } from '../lib/apps/podinfo.ts'
import { startVisits } from '../lib/apps/visits.ts'
import { claimNote, progress, recordTimeline } from '../lib/harness/claim-entry.ts'
import { applyFixture, describe, expect, type Kube, storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { fewestReady, overshoots, podCounts } from '../lib/observe/pod-counts.ts'
import { waitForRecording } from '../lib/observe/recordings.ts'
import { recordReplicaSets } from '../lib/observe/replicasets.ts'
import type { Timeline } from '../lib/observe/timeline.ts'
import { getPod, includesAny, listPods, mountedClaim, podIps } from '../lib/resources/pods.ts'
import { getService } from '../lib/resources/services.ts'
import { getDeployment, rollingUpdateBounds, setImage } from '../lib/resources/workloads.ts'
import { waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForReadyAddresses } from '../lib/wait/services.ts'
import { waitForPvcBound } from '../lib/wait/storage.ts'
import { waitForDeploymentAvailable } from '../lib/wait/workloads.ts'
import { andEveryVisitIsInExactlyOneFile, thenEachPodRecordedOnlyWhatItServed, whenVisitsAreSent } from './visits-checks.ts'

const pods = ['visits-0', 'visits-1']
// 40 visits over 2 pods, each connection to a random endpoint (kube-proxy,
// iptables mode): all on one pod has a chance of 2 × (1/2)^40 ≈ 2e-12.
const visitCount = 40
// 80 requests over 3 stable pods and 1 canary, spread evenly: no canary answer
// has a chance of 0.75^80 ≈ 1e-10, the canary answering half or more 1.3e-6.
const canaryRequests = 80

// Updates Deployment web to podinfo 6.7.0 with the timeline recording, until
// the rollout is done and the watch has seen every new pod Ready.
async function whenImageChanges(kube: Kube, ns: string, timeline: Timeline, image: string, replicas: number): Promise<void> {
  await When(`the image of Deployment web changes to ${image}`, async () => {
    await setImage(kube, ns, 'Deployment', 'web', 'podinfo', image)
    await waitForDeploymentAvailable(kube, ns, 'web')
    // Seen after a gap counts here, as in waitForTimelineEvents: the recording has caught up; the checks judge the gap.
    const newReady = (t: Timeline) => new Set(t.events.filter((e) => e.kind === 'ready' && e.incarnation === 'new').map((e) => e.pod)).size
    await waitForRecording(timeline, `${replicas} new pods Ready`, (t) => newReady(t) >= replicas, 'rollout')
  })
}

// version → how many of n GET requests it answered, each on its own connection (one batch, one exec).
async function versionTally(client: ClusterClient, url: string, n: number): Promise<Record<string, number>> {
  const tally: Record<string, number> = {}
  for (const res of await client.httpBatch(Array.from({ length: n }, () => ({ url })))) {
    const version = res.status === 200 ? podinfoField(res, 'version', url) ?? '(no version)' : `HTTP ${res.status}`
    tally[version] = (tally[version] ?? 0) + 1
  }
  return tally
}

describe('Q4 per-pod records and update strategies', () => {
  storageTest('Q4-01 each StatefulSet pod keeps its own record file; every request is in exactly one pod\'s file and the per-pod counts add up to the total', async ({ kube, ns, client, storageClass, expect }) => {
    await Given(`the StatefulSet visits (2 pods, a claim each of class ${storageClass}) behind the ClusterIP Service visits, Ready`, async () => {
      await applyFixture(kube, ns, '004/visits.yaml', { storageClass })
      await waitForReadyReplicas(kube, ns, 'app=visits', pods.length)
    })
    const sent = await whenVisitsAreSent(kube, ns, client, visitCount)
    const { audit, context } = await thenEachPodRecordedOnlyWhatItServed(kube, ns, pods, sent, storageClass)
    await andEveryVisitIsInExactlyOneFile(audit, context)
    await And(`the per-pod counts add up to the ${visitCount} visits sent, and both pods served some`, () => {
      expect(audit.total, context).toBe(visitCount)
      expect(pods.map((p) => audit.counts[p] ?? 0).reduce((a, b) => a + b, 0), context).toBe(visitCount)
      expect(pods.filter((p) => (audit.counts[p] ?? 0) > 0), context).toEqual(pods)
    })
  })

  test('Q4-02 pods with independent storage can be started in parallel (Parallel)', async ({ task, kube, ns, podEvents }) => {
    const timeline = await recordTimeline(task, podEvents, 'app=visits', `pods app=visits in ${ns} as the Parallel StatefulSet starts`, [{ pod: 'visits-1', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }])
    await When('the StatefulSet visits (Parallel, 2 pods, a claim each, each Ready 2s after it starts) is created', () =>
      startVisits(kube, ns, '004/visits.yaml', pods, timeline))
    await Then('each pod has its own claim, bound to its own volume', async () => {
      const volumes: string[] = []
      for (const pod of pods) {
        const claim = mountedClaim(await getPod(kube, ns, pod), 'data')
        expect(claim, `pod ${ns}/${pod}`).toBe(`data-${pod}`)
        volumes.push((await waitForPvcBound(kube, ns, claim!)).spec?.volumeName ?? '')
      }
      expect(new Set(volumes).size, `volumes of ${pods.join(', ')} in ${ns}: ${volumes.join(', ')}`).toBe(pods.length)
    })
    await And('both pods were created before either was Ready: visits-1 did not wait for visits-0', () => {
      expect(timeline.kindsInOrder(pods, ['created', 'ready']), timeline.describe()).toEqual(['created', 'created', 'ready', 'ready'])
      expect(timeline.orderOf([{ pod: 'visits-1', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }]), timeline.describe())
        .toEqual(['visits-1 created', 'visits-0 ready'])
    })
  })

  // The Deployment controller bounds the ReplicaSets' desired replicas by replicas + maxSurge, and scales
  // old ones down only while replicas - maxUnavailable pods stay available (Ready, not terminating).
  // The pods follow the ReplicaSets a moment later: the old ReplicaSet, asked for one pod fewer, may
  // mark its pod for deletion only after the new one has created its pod, so for some milliseconds the
  // pods can outnumber replicas + maxSurge. So the Ready floor is asserted on the pods, at every pod
  // event; the ceiling on the ReplicaSets, at every change; the pod count is reported.
  test('Q4-03 a Deployment RollingUpdate replaces pods gradually: never fewer than replicas - maxUnavailable Ready, never more than replicas + maxSurge desired', async ({ task, kube, ns, podEvents, images, onTestFinished }) => {
    await Given(`Deployment web as fixtures/004/rolling-update.yaml states it (4 pods of ${images.podinfo_previous}, RollingUpdate, maxSurge 1, maxUnavailable 1), available`, async () => {
      await applyFixture(kube, ns, '004/rolling-update.yaml')
      await waitForDeploymentAvailable(kube, ns, 'web')
    })
    const { replicas, maxSurge, maxUnavailable } = await And('its bounds, read from Deployment web as the API server holds it (percentages resolved as its controller does)', async () => {
      const bounds = rollingUpdateBounds(await getDeployment(kube, ns, 'web'))
      progress(`Deployment ${ns}/web: replicas ${bounds.replicas}, maxSurge ${bounds.maxSurge}, maxUnavailable ${bounds.maxUnavailable}`)
      return bounds
    })
    const [floor, ceiling] = [replicas - maxUnavailable, replicas + maxSurge]
    const timeline = await recordTimeline(task, podEvents, 'app=web', `pods app=web in ${ns} during the RollingUpdate`)
    const replicaSets = await recordReplicaSets(kube, ns, 'app=web')
    onTestFinished(replicaSets.stop)
    await whenImageChanges(kube, ns, timeline, images.podinfo, replicas)
    await And(`its ReplicaSets settle: ${replicas} desired and available in all, on one ReplicaSet`, () =>
      waitForRecording(replicaSets.log, `${replicas} desired and available in all, on one ReplicaSet`, (log) => {
        const last = log.snapshots.at(-1)
        return !!last && last.available === replicas && Object.values(last.sets).filter((c) => c.desired > 0).length === 1
      }, 'rollout'))
    const context = `Deployment ${ns}/web (replicas ${replicas}, maxSurge ${maxSurge}, maxUnavailable ${maxUnavailable})\n${replicaSets.log.describe()}\n${timeline.describe()}`
    await Then(`at every pod event, at least ${floor} pods were Ready and not terminating`, () => {
      const fewest = fewestReady(timeline, floor)
      expect(fewest.minReady, `${context}\nfewest Ready pods not terminating after any event: ${fewest.minReady}${fewest.after ? ` (after #${fewest.after.seq}, ${fewest.after.pod} ${fewest.after.kind})` : ''}`).toBeGreaterThanOrEqual(floor)
    })
    await And(`at every ReplicaSet change, its ReplicaSets asked for at most ${ceiling} pods in all`, () => {
      const most = replicaSets.log.mostDesired(ceiling)
      expect(most?.desired, `${context}\nlargest total desired: snapshot #${most?.seq}`).toBeLessThanOrEqual(ceiling)
    })
    await And('the replacement was gradual: old pods terminated, and new ones created, in several waves with new pods becoming Ready in between', () => {
      const terminated = timeline.waves({ kind: 'terminating', incarnation: 'old' }, { kind: 'ready', incarnation: 'new' })
      const created = timeline.waves({ kind: 'created', incarnation: 'new' }, { kind: 'ready', incarnation: 'new' })
      progress(`old pods terminated in ${terminated.length} waves, new pods created in ${created.length} (a wave ends when a new pod becomes Ready)`)
      const waves = `old pods terminated in waves ${JSON.stringify(terminated)}, new pods created in waves ${JSON.stringify(created)}\n${context}`
      expect(terminated.flat().length, waves).toBe(replicas)
      expect(terminated.length, waves).toBeGreaterThan(1)
      expect(created.length, waves).toBeGreaterThan(1)
    })
    // What the pods did beyond the claim's bounds, for the reader: reported, not asserted (see above);
    // only from whole recordings (a watch may have listed again since the checks).
    if (!timeline.complete || !replicaSets.log.complete) {
      claimNote(task, 'pod and ReplicaSet counts not reported: a recording has a gap after the checks')
      return
    }
    const counts = podCounts(timeline)
    const { maxDesired, minAvailable } = replicaSets.log.extremes()
    const over = overshoots(timeline, ceiling)
    claimNote(task, `pods: at most ${counts.maxPods} alive and not terminating at once (replicas + maxSurge = ${ceiling}), at least ${counts.minReady} of them Ready; ` +
      `ReplicaSets: at most ${maxDesired?.desired} desired, at least ${minAvailable?.available} available`)
    claimNote(task, over.length ? `pods outnumbered ${ceiling} ${over.length} time(s): ${over.map((o) =>
      `${o.peak} from ${o.from.pod} ${o.from.kind} ${o.to ? `until ${o.to.pod} ${o.to.kind}, for ${o.ms} ms` : 'to the end of the recording'}`).join('; ')}`
      : `pods never outnumbered ${ceiling}`)
  })

  test('Q4-04 a Deployment with Recreate stops every old pod before any new pod is created', async ({ task, kube, ns, podEvents, images }) => {
    await Given(`Deployment web: 3 Ready pods of ${images.podinfo_previous}, strategy Recreate`, async () => {
      await applyFixture(kube, ns, '004/recreate.yaml')
      await waitForDeploymentAvailable(kube, ns, 'web')
    })
    const timeline = await recordTimeline(task, podEvents, 'app=web', `pods app=web in ${ns} during the Recreate update`)
    await whenImageChanges(kube, ns, timeline, images.podinfo, 3)
    await Then('when the first new pod was created, no old pod was running any more (each stopped or deleted)', () => {
      const first = timeline.first('created', 'new')
      expect(first, timeline.describe()).toBeDefined()
      const events = timeline.completeEvents('which old pods there were, and which were deleted before the first new pod')
      const old = events.filter((e) => e.kind === 'present').map((e) => e.pod)
      expect(old, `old pods of Deployment ${ns}/web when recording began\n${timeline.describe()}`).toHaveLength(3)
      const running = timeline.runningBefore(first!).filter((e) => e.revision !== first!.revision)
      // Recreate waits for the old pods to stop (phase Failed/Succeeded), not for their removal from the API.
      const remaining = old.filter((pod) => !events.some((e) => e.pod === pod && e.kind === 'deleted' && e.seq < first!.seq))
      progress(`when ${first!.pod} was created, ${remaining.length} old pod(s) were stopped but not yet deleted: ${remaining.join(', ') || 'none'}`)
      expect(running.map((e) => `${e.pod} (revision ${e.revision})`), `Deployment ${ns}/web: old pods still running when ${first!.pod} (revision ${first!.revision}) was created\n${timeline.describe()}`).toEqual([])
    })
    await And('every old pod terminated in one wave, before any new pod was created', () => {
      expect(timeline.waves({ kind: 'terminating', incarnation: 'old' }, { kind: 'created', incarnation: 'new' }), timeline.describe()).toHaveLength(1)
      const lastTerminating = timeline.completeEvents('the last old pod to terminate').filter((e) => e.kind === 'terminating' && e.incarnation === 'old').at(-1)
      expect(lastTerminating!.seq, timeline.describe()).toBeLessThan(timeline.first('created', 'new')!.seq)
    })
  })

  test('Q4-05 a canary beside the stable version receives part of the traffic while the stable pods serve the rest', async ({ kube, ns, client, images }) => {
    await Given(`Service podinfo over 3 stable pods (${images.podinfo_previous}) and 1 canary pod (${images.podinfo}), all Ready`, async () => {
      await applyFixture(kube, ns, '004/canary.yaml')
      await Promise.all([waitForDeploymentAvailable(kube, ns, 'podinfo-stable'), waitForDeploymentAvailable(kube, ns, 'podinfo-canary')])
      const ips = (await listPods(kube, ns, 'app=podinfo')).map(podIps)
      await waitForReadyAddresses(kube, ns, 'podinfo', `to list all 4 pods as ready (${ips.flat().join(', ')})`, (a) => ips.every((p) => includesAny(a, p)))
    })
    const versions = await Given('the version each track reports, from its image\'s tag or, where the tag names none, from one of its pods', async () => {
      const [stable, canary] = await Promise.all([
        versionOfPods(kube, ns, client, images.podinfo_previous, 'app=podinfo,track=stable'),
        versionOfPods(kube, ns, client, images.podinfo, 'app=podinfo,track=canary'),
      ])
      if (stable === canary) throw new Error(`the stable (${images.podinfo_previous}) and canary (${images.podinfo}) pods both report podinfo ${stable}: their answers cannot be told apart`)
      return { stable, canary }
    })
    // By name, as a workload would: the cluster's DNS gives the Service's cluster IP, of whichever family.
    // Polled first: an answer looked up before the Service was known may be cached (NXDOMAIN, up to 30 s).
    await And('the Service\'s name resolves to its cluster IP from a pod in the cluster', async () => {
      const svc = await getService(kube, ns, 'podinfo')
      await waitForAddresses(client, 'podinfo', svc.spec?.clusterIPs ?? [svc.spec?.clusterIP ?? ''], 'resolve')
    })
    const answers = await When(`${canaryRequests} GET /version requests go to the Service by its name (its cluster IP) from a pod in the cluster`, () =>
      versionTally(client, 'http://podinfo:9898/version', canaryRequests))
    const context = `Service ${ns}/podinfo answered versions ${JSON.stringify(answers)} to ${canaryRequests} requests`
    await Then(`both versions answered, and no other: ${versions.stable} (stable) and ${versions.canary} (canary)`, () => {
      expect(Object.keys(answers).sort(), context).toEqual([versions.stable, versions.canary].sort())
    })
    // With 1 canary pod of 4 it takes about a quarter (see canaryRequests).
    await And('the canary took only part of the traffic: the stable pods served most of it', () => {
      expect(answers[versions.canary] ?? 0, context).toBeGreaterThan(0)
      expect(answers[versions.stable] ?? 0, context).toBeGreaterThan(answers[versions.canary] ?? 0)
    })
  })
})
