// specs/003a-parallel-statefulset.spec.ts — mirrors quest 003
// (shared/quests/003_f80dadcc127193cc.txt), its main part "Stateful Set": a
// StatefulSet with podManagementPolicy Parallel and a claim template, behind a
// ClusterIP Service; each pod records the visits it serves on its own volume;
// "Accessing app", "Delete pod", "Headless service access", "Liveness and
// Readiness probes", "Ordering of pods". The quest's Python app is private:
// busybox httpd with a CGI script stands in for it (fixtures/003/visits.yaml,
// lib/apps/visits.ts).
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node'
import type { Resolution } from '../lib/apps/cluster-client.ts'
import { podAddressesVia, waitForAddresses } from '../lib/apps/dns-answers.ts'
import { readVisitLog, startVisits, visitThroughService } from '../lib/apps/visits.ts'
import { claimNote, recordTimeline, skipPart } from '../lib/harness/claim-entry.ts'
import { applyFixture, claimRequestFor, describe, expect, storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { orderedStartViolations } from '../lib/observe/ordered-start.ts'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { addressDifference, containerStatusOf, execOk, getPod, includesAny, isIpAddress, isPodReady, mountedClaim, podIps } from '../lib/resources/pods.ts'
import { deleteService, getService } from '../lib/resources/services.ts'
import { bytesOf, describeQuantity, listPvcs } from '../lib/resources/storage.ts'
import { getStatefulSet } from '../lib/resources/workloads.ts'
import { waitForK8sEvent } from '../lib/wait/events.ts'
import { deletePodAndWaitForReplacement, waitForPod, waitForPodReady, waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForReadyAddresses, waitForServiceEndpoints, waitForServiceGone } from '../lib/wait/services.ts'
import { waitForPvcBound } from '../lib/wait/storage.ts'
import { claimOf, givenVisits, pods, quest } from './003-quest.ts'
import { andEveryVisitIsInExactlyOneFile, thenEachPodRecordedOnlyWhatItServed, whenVisitsAreSent } from './visits-checks.ts'

// 40 visits over 3 pods, each connection to a random endpoint (kube-proxy,
// iptables mode): all on one pod has a chance of 3 × (1/3)^40 ≈ 2.5e-19.
const visitCount = 40

// The same StatefulSet under another name and label, with OrderedReady.
const orderedReadyCopy = (o: KubernetesObject) => {
  if (o.kind !== 'StatefulSet') return
  const s = o as V1StatefulSet
  s.metadata!.name = 'ordered'
  s.spec!.podManagementPolicy = 'OrderedReady'
  s.spec!.selector = { matchLabels: { app: 'ordered' } }
  s.spec!.template.metadata!.labels = { app: 'ordered' }
}

describe('Q3 Parallel StatefulSet behind a Service', () => {
  test('Q3-01 with podManagementPolicy Parallel all replicas are created at once, none waiting for a lower ordinal to be Ready', async ({ task, kube, ns, podEvents }) => {
    const timeline = await recordTimeline(task, podEvents, 'app=visits', `pods app=visits in ${ns} as the Parallel StatefulSet starts`, [{ pod: 'visits-2', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }])
    await When('the StatefulSet visits (Parallel, 3 replicas, each Ready 2s after it starts) is created', () =>
      startVisits(kube, ns, '003/visits.yaml', pods, timeline))
    await Then('the API server holds podManagementPolicy Parallel', async () => {
      expect((await getStatefulSet(kube, ns, 'visits')).spec?.podManagementPolicy, `StatefulSet ${ns}/visits`).toBe('Parallel')
    })
    await And('every pod was created before any pod was Ready (visits-2 did not wait for visits-0)', () => {
      expect(timeline.kindsInOrder(pods, ['created', 'ready']), timeline.describe()).toEqual([...pods.map(() => 'created'), ...pods.map(() => 'ready')])
      expect(timeline.orderOf([{ pod: 'visits-2', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }]), timeline.describe())
        .toEqual(['visits-2 created', 'visits-0 ready'])
    })
  })

  storageTest('Q3-02 each pod gets its own claim <template>-<statefulset>-<ordinal>, Bound, 100Mi, ReadWriteOnce', async ({ task, kube, ns, storageClass, expect }) => {
    // A class with a minimum size is asked for that instead (SC_MIN_CLAIM_SIZE, or what the probe learned).
    const asked = claimRequestFor(quest.size, storageClass)
    if (asked !== quest.size) skipPart(task, `the ${quest.size} request: class ${storageClass} provisions no less than ${asked}, so the claims asked for ${asked}`)
    await givenVisits(kube, ns, { storageClass })
    await Then(`the namespace holds exactly the claims ${pods.map(claimOf).join(', ')}`, async () => {
      expect((await listPvcs(kube, ns)).map((c) => c.metadata?.name), `claims in ${ns}`).toEqual(pods.map(claimOf))
    })
    for (const pod of pods) {
      await And(`${claimOf(pod)} is Bound, of class ${storageClass}, requests ${asked} (capacity ≥ ${asked}), ReadWriteOnce, and is mounted by ${pod}`, async () => {
        const c = await waitForPvcBound(kube, ns, claimOf(pod))
        const where = `claim ${ns}/${claimOf(pod)} (class ${storageClass}, volume ${c.spec?.volumeName})`
        expect(c.spec?.storageClassName, where).toBe(storageClass)
        expect(bytesOf(c.spec?.resources?.requests?.storage ?? '0'), `${where}: request ${describeQuantity(c.spec?.resources?.requests?.storage)}`).toBe(bytesOf(asked))
        const capacity = c.status?.capacity?.storage
        expect(bytesOf(capacity ?? '0'), `${where}: capacity ${describeQuantity(capacity)}`).toBeGreaterThanOrEqual(bytesOf(asked))
        expect(c.spec?.accessModes, where).toEqual(['ReadWriteOnce'])
        expect(c.status?.accessModes, where).toContain('ReadWriteOnce')
        expect(mountedClaim(await getPod(kube, ns, pod), quest.template), `pod ${ns}/${pod}`).toBe(claimOf(pod))
      })
    }
    await And('the three claims are bound to three different volumes', async () => {
      const volumes = await Promise.all(pods.map(async (p) => (await waitForPvcBound(kube, ns, claimOf(p))).spec?.volumeName))
      expect(new Set(volumes).size, `volumes of ${pods.map(claimOf).join(', ')} in ${ns}: ${volumes.join(', ')}`).toBe(3)
    })
  })

  storageTest('Q3-03 requests through the ClusterIP Service are spread over the pods; each records only its own, in its own volume; together they hold every request', async ({ kube, ns, client, storageClass, expect }) => {
    await givenVisits(kube, ns, { storageClass })
    const sent = await whenVisitsAreSent(kube, ns, client, visitCount)
    const { audit, context } = await thenEachPodRecordedOnlyWhatItServed(kube, ns, pods, sent, storageClass)
    await andEveryVisitIsInExactlyOneFile(audit, context)
    await And('more than one pod served visits', () => {
      expect(Object.values(audit.counts).filter((n) => n > 0).length, context).toBeGreaterThan(1)
    })
  })

  storageTest('Q3-04 a deleted pod is recreated and its records persist', async ({ kube, ns, client, storageClass, expect }) => {
    await givenVisits(kube, ns, { storageClass })
    const { pod, before } = await Given(`${visitCount} visits sent through the Service, recorded on the pods`, async () => {
      const { answeredBy } = await visitThroughService(kube, ns, client, 'visits', visitCount)
      // The pod that served the most visits: its records are the ones to keep.
      const [pod] = pods.map((p) => [p, [...answeredBy.values()].filter((x) => x === p).length] as const).reduce((a, b) => (b[1] > a[1] ? b : a))
      const before = await readVisitLog(kube, ns, pod)
      expect(before.length, `records of ${ns}/${pod} (class ${storageClass})`).toBeGreaterThan(0)
      return { pod, before }
    })
    const { before: old, after: recreated } = await When(`pod ${pod} (${before.length} records) is deleted`, () => deletePodAndWaitForReplacement(kube, ns, pod))
    await Then(`a new pod named ${pod} (another uid) is Ready, on the same claim`, () => {
      expect(recreated.metadata?.uid, `${ns}/${pod}`).not.toBe(old.metadata?.uid)
      expect(mountedClaim(recreated, quest.template)).toBe(claimOf(pod))
    })
    await And(`its /data/visits.log holds the same ${before.length} records`, async () => {
      expect(await readVisitLog(kube, ns, pod), `${ns}/${pod} (class ${storageClass}) after recreation`).toEqual(before)
    })
  })

  // The Kubernetes DNS specification defines <hostname>.<subdomain> records for headless Services
  // only; CoreDNS answers them for any Service once the pod's endpoint carries its hostname (which the
  // EndpointSlice controller sets whenever the pod's subdomain names the Service), and the quest saw
  // NXDOMAIN through an nslookup that does not apply the search list to dotted names. So the cluster-IP
  // half is recorded in the claim's notes, with no verdict; the headless half is the claim.
  test('Q3-05 per-pod names <pod>.<service> resolve to that pod\'s IPs once the governing Service is headless (what they answered while it had a cluster IP is noted)', async ({ task, kube, ns, client }) => {
    await givenVisits(kube, ns)
    const svc = await And('the governing Service visits, as the API server holds it, has a cluster IP, which its own name resolves to', async () => {
      const s = await getService(kube, ns, 'visits')
      const ips = s.spec?.clusterIPs ?? [s.spec?.clusterIP ?? '']
      expect(ips.every(isIpAddress) && ips.length > 0, `Service ${ns}/visits: clusterIPs ${JSON.stringify(ips)}`).toBe(true)
      await waitForAddresses(client, await client.fqdn('visits'), ips, 'nslookup')
      return s
    })
    await And('while it has that cluster IP, what visits-0.visits answers is recorded (no verdict: no record is promised)', async () => {
      const pod = await getPod(kube, ns, 'visits-0')
      const fqdn = await client.fqdn('visits-0.visits')
      const [full, short] = [await client.nslookup(fqdn), await client.resolve('visits-0.visits')]
      const said = (r: Resolution) => (r.status === 'ok' ? `answered ${r.addresses.join(', ')}` : r.status)
      claimNote(task, `while Service ${ns}/visits had cluster IP ${(svc.spec?.clusterIPs ?? [svc.spec?.clusterIP]).join(', ')} (pod visits-0 at ${podIps(pod).join(', ')}): ` +
        `nslookup ${fqdn} ${said(full)}; visits-0.visits through the pod's resolver ${said(short)}`)
    })
    await When('the Service is recreated headless (clusterIP None; a cluster IP cannot be changed)', async () => {
      await deleteService(kube, ns, 'visits')
      await waitForServiceGone(kube, ns, 'visits')
      await applyFixture(kube, ns, '003/headless-service.yaml')
    })
    const headless = await Then('the API server holds it headless: clusterIP None', async () => {
      const s = await getService(kube, ns, 'visits')
      expect(s.spec?.clusterIP, `Service ${ns}/visits`).toBe('None')
      return s
    })
    for (const pod of pods) {
      // The waits are the check. They poll: a name that was NXDOMAIN before may stay cached for up to 30 s.
      await Then(`${pod}.visits resolves to ${pod}'s IPs, by its short name and its full name ${pod}.visits.${ns}.svc.<cluster domain>`, async () => {
        const ips = podAddressesVia(headless, await getPod(kube, ns, pod))
        await waitForAddresses(client, `${pod}.visits`, ips, 'resolve')
        await waitForAddresses(client, await client.fqdn(`${pod}.visits`), ips, 'nslookup')
      })
    }
  })

  test('Q3-06 a pod is not Ready, nor a ready endpoint, until its readiness probe passes; a failing liveness probe restarts the container', async ({ task, kube, ns, podEvents }) => {
    const timeline = await recordTimeline(task, podEvents, 'app=probed', `pod probed in ${ns}: readiness, then liveness`,
      [{ pod: 'probed', kind: 'created' }, { pod: 'probed', kind: 'ready' }, { pod: 'probed', kind: 'restarted' }])
    const pod = await Given('pod probed behind Service probed, running, its readiness probe failing (no /tmp/ready)', async () => {
      await applyFixture(kube, ns, '003/probes.yaml')
      await waitForK8sEvent(kube, await getPod(kube, ns, 'probed'), 'Unhealthy: Readiness probe failed',
        (e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message ?? ''), 'podReady')
      return waitForPod(kube, ns, 'probed', 'to be Running with its container started',
        (p) => p.status?.phase === 'Running' && containerStatusOf(p, 'app')?.started === true)
    })
    // Of each of the Service's IP families: a dual-stack pod has two addresses.
    const ips = podAddressesVia(await getService(kube, ns, 'probed'), pod)
    await Then(`it is not Ready, and the Service's EndpointSlices list ${ips.join(', ')} as not ready`, async () => {
      expect(isPodReady(await getPod(kube, ns, 'probed')), `pod ${ns}/probed`).toBe(false)
      const eps = await waitForServiceEndpoints(kube, ns, 'probed', `to list ${ips.join(', ')}`, (e) => ips.every((ip) => includesAny(e.map((x) => x.address), [ip])))
      const listed = eps.filter((e) => e.pod === 'probed')
      expect(addressDifference(listed.map((e) => e.address), ips), `Service ${ns}/probed: ${JSON.stringify(eps)}`).toBeUndefined()
      expect(listed.map((e) => e.ready), `Service ${ns}/probed: ${JSON.stringify(eps)}`).toEqual(listed.map(() => false))
    })
    await When('/tmp/ready is created in the container, so the readiness probe passes', () =>
      execOk(kube, ns, 'probed', ['touch', '/tmp/ready']))
    await Then(`the pod becomes Ready and ${ips.join(', ')} a ready endpoint of the Service`, async () => {
      await waitForPodReady(kube, ns, 'probed')
      await waitForReadyAddresses(kube, ns, 'probed', `to list ${ips.join(', ')} as ready`, (a) => ips.every((ip) => includesAny(a, [ip])))
    })
    await When('/tmp/alive is removed, so the liveness probe fails', () => execOk(kube, ns, 'probed', ['rm', '/tmp/alive']))
    const after = await Then('the kubelet restarts the container: restart count 0 → 1, in the same pod', async () => {
      await waitForK8sEvent(kube, await getPod(kube, ns, 'probed'), 'Killing: failed liveness probe',
        (e) => e.reason === 'Killing' && /failed liveness probe/.test(e.message ?? ''), 'containerRestart')
      const p = await waitForPod(kube, ns, 'probed', 'to have restarted', (x) => (containerStatusOf(x, 'app')?.restartCount ?? 0) >= 1, 'containerRestart')
      expect(containerStatusOf(p, 'app')?.restartCount, timeline.describe()).toBe(1)
      await waitForTimelineEvents(timeline, [{ pod: 'probed', kind: 'restarted' }], 'containerRestart')
      return p
    })
    await And('the watch saw one pod (one uid) created, Ready, then restarted', () => {
      expect(after.metadata?.uid, `pod ${ns}/probed`).toBe(pod.metadata?.uid)
      const events = timeline.completeEvents(`that no pod other than probed (uid ${pod.metadata?.uid}) appeared`)
      expect([...new Set(events.map((e) => e.uid))], timeline.describe()).toEqual([pod.metadata?.uid])
      expect(timeline.orderOf([{ pod: 'probed', kind: 'created' }, { pod: 'probed', kind: 'ready' }, { pod: 'probed', kind: 'restarted' }]), timeline.describe())
        .toEqual(['probed created', 'probed ready', 'probed restarted'])
    })
  })

  test('Q3-07 Parallel pods start together; under OrderedReady ordinal N+1 waits for N to be Ready', async ({ task, kube, ns, podEvents }) => {
    const orderedPods = ['ordered-0', 'ordered-1', 'ordered-2']
    const parallel = await recordTimeline(task, podEvents, 'app=visits', `pods app=visits (Parallel) in ${ns}`, [{ pod: 'visits-2', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }])
    const ordered = await recordTimeline(task, podEvents, 'app=ordered', `pods app=ordered (OrderedReady) in ${ns}`, orderedPods.flatMap((pod) => [{ pod, kind: 'created' as const }, { pod, kind: 'ready' as const }]))
    await When('the same StatefulSet is created twice: visits with Parallel, ordered with OrderedReady (each pod Ready 2s after it starts)', async () => {
      await applyFixture(kube, ns, '003/visits.yaml')
      await applyFixture(kube, ns, '003/visits.yaml', { patch: orderedReadyCopy })
      await Promise.all([waitForReadyReplicas(kube, ns, 'app=visits', 3), waitForReadyReplicas(kube, ns, 'app=ordered', 3)])
      await waitForTimelineEvents(parallel, pods.map((pod) => ({ pod, kind: 'ready' })))
      await waitForTimelineEvents(ordered, orderedPods.map((pod) => ({ pod, kind: 'ready' })))
    })
    await Then('Parallel: all three visits pods were created before any was Ready', () => {
      expect(parallel.kindsInOrder(pods, ['created', 'ready']), parallel.describe('pods app=visits')).toEqual([...pods.map(() => 'created'), ...pods.map(() => 'ready')])
    })
    await And('OrderedReady: each ordered-N+1 was created only after ordered-N was Running and Ready', () => {
      expect(orderedStartViolations(ordered, orderedPods), ordered.describe('pods app=ordered')).toEqual([])
      expect(ordered.orderOf(orderedPods.flatMap((pod) => [{ pod, kind: 'created' as const }, { pod, kind: 'ready' as const }])), ordered.describe('pods app=ordered'))
        .toEqual(orderedPods.flatMap((p) => [`${p} created`, `${p} ready`]))
    })
  })
})
