// specs/003-parallel-statefulset.spec.ts — mirrors quest 003
// (shared/quests/003_f80dadcc127193cc.txt): a StatefulSet with
// podManagementPolicy Parallel and a claim template, behind a ClusterIP
// Service; each pod records the visits it serves on its own volume; per-pod
// DNS names, probes, pod ordering and the OnDelete / RollingUpdate strategies.
// The quest's Python app is private: busybox httpd with a CGI script stands in
// for it (fixtures/003/visits.yaml, lib/visits.ts).
import type { KubernetesObject, V1StatefulSet, V1StatefulSetUpdateStrategy } from '@kubernetes/client-node'
import { execOk } from '../lib/k8s/exec.ts'
import { waitForK8sEvent } from '../lib/wait/events.ts'
import type { ClusterClient } from '../lib/apps/cluster-client.ts'
import type { Kube } from '../lib/k8s/kube.ts'
import { applyFixture } from '../lib/k8s/manifests.ts'
import { orderedStartViolations } from '../lib/observe/ordered-start.ts'
import { bytesOf, describeQuantity } from '../lib/k8s/quantity.ts'
import { deleteService, getService } from '../lib/resources/services.ts'
import { attachTimeline } from '../lib/harness/claim-entry.ts'
import { storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { progress } from '../lib/k8s/progress.ts'
import { describe, expect } from 'vitest'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { auditVisits, describeAudit, readVisitLog, sendVisits, type Visit, visitIds } from '../lib/apps/visits.ts'
import { isPodReady } from '../lib/resources/pods.ts'
import { waitForPod, waitForPodGone, waitForPodReady, waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForReadyAddresses, waitForServiceEndpoints, waitForServiceGone } from '../lib/wait/services.ts'
import { waitForPvcBound } from '../lib/wait/storage.ts'
import { waitForStatefulSet, waitForStatefulSetRolledOut } from '../lib/wait/workloads.ts'
import { deletePod, getPod, listPods } from '../lib/resources/pods.ts'
import { listPvcs } from '../lib/resources/storage.ts'
import { getStatefulSet, patchObject } from '../lib/resources/workloads.ts'

const quest = { size: '100Mi', template: 'data', replicas: 3 }
const pods = ['visits-0', 'visits-1', 'visits-2']
const claimOf = (pod: string) => `${quest.template}-${pod}` // <template>-<statefulset>-<ordinal>
// 40 visits over 3 pods, each connection to a random endpoint (kube-proxy,
// iptables mode): all on one pod has a chance of 3 × (1/3)^40 ≈ 2.5e-19.
const visitCount = 40
const inClass = (storageClass?: string) => (storageClass ? ` of class ${storageClass}` : '')

async function givenVisits(kube: Kube, ns: string, opts: { storageClass?: string; strategy?: V1StatefulSetUpdateStrategy } = {}): Promise<void> {
  const strategy = opts.strategy ? `, updateStrategy ${JSON.stringify(opts.strategy)}` : ''
  await Given(`the Parallel StatefulSet visits (3 pods, a 100Mi claim each${inClass(opts.storageClass)}${strategy}) behind the ClusterIP Service visits, Ready`, async () => {
    await applyFixture(kube, ns, '003/visits.yaml', {
      storageClass: opts.storageClass,
      patch: (o) => { if (opts.strategy && o.kind === 'StatefulSet') (o as V1StatefulSet).spec!.updateStrategy = opts.strategy },
    })
    await waitForReadyReplicas(kube, ns, 'app=visits', quest.replicas)
  })
}

// The same StatefulSet under another name and label, with OrderedReady.
const orderedReadyCopy = (o: KubernetesObject) => {
  if (o.kind !== 'StatefulSet') return
  const s = o as V1StatefulSet
  s.metadata!.name = 'ordered'
  s.spec!.podManagementPolicy = 'OrderedReady'
  s.spec!.selector = { matchLabels: { app: 'ordered' } }
  s.spec!.template.metadata!.labels = { app: 'ordered' }
}

// Sends the visits through the Service's cluster IP from the client pod.
async function visitThroughService(kube: Kube, ns: string, client: ClusterClient): Promise<{ ids: string[]; answeredBy: Map<string, string> }> {
  const svc = await getService(kube, ns, 'visits')
  const ip = svc.spec?.clusterIP ?? ''
  expect(ip, `Service ${ns}/visits should have a cluster IP`).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
  const ids = visitIds(visitCount)
  return { ids, answeredBy: await sendVisits(client, `http://${ip}:8080`, ids) }
}

async function readAllLogs(kube: Kube, ns: string): Promise<Record<string, Visit[]>> {
  return Object.fromEntries(await Promise.all(pods.map(async (p) => [p, await readVisitLog(kube, ns, p)] as const)))
}

// name → revision, uid and whether it is being deleted, of every visits pod, as the API shows them now.
async function podRevisions(kube: Kube, ns: string): Promise<Record<string, { revision: string; uid: string; terminating: boolean }>> {
  return Object.fromEntries((await listPods(kube, ns, 'app=visits')).map((p) => [p.metadata!.name!, {
    revision: p.metadata?.labels?.['controller-revision-hash'] ?? '(no label)', uid: p.metadata?.uid ?? '', terminating: !!p.metadata?.deletionTimestamp,
  }]))
}

const describeRevisions = (ns: string, sts: V1StatefulSet, revs: Record<string, { revision: string }>) =>
  `StatefulSet ${ns}/visits: currentRevision ${sts.status?.currentRevision}, updateRevision ${sts.status?.updateRevision}; ` +
  Object.entries(revs).map(([p, r]) => `${p} at ${r.revision}`).join(', ')

// A change to the pod template (an annotation): a new revision, same image.
const changeTemplate = (kube: Kube, ns: string) =>
  patchObject(kube, 'apps/v1', 'StatefulSet', ns, 'visits', { spec: { template: { metadata: { annotations: { 'example.com/template-change': '2' } } } } })

describe('Q3 Parallel StatefulSet behind a Service', () => {
  test('Q3-01 with podManagementPolicy Parallel all replicas are created at once, none waiting for a lower ordinal to be Ready', async ({ task, kube, ns, podEvents }) => {
    const timeline = await podEvents.record({ selector: 'app=visits' })
    attachTimeline(task, `pods app=visits in ${ns} as the Parallel StatefulSet starts`, timeline, [{ pod: 'visits-2', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }])
    await When('the StatefulSet visits (Parallel, 3 replicas, each Ready 2s after it starts) is created', async () => {
      await applyFixture(kube, ns, '003/visits.yaml')
      await waitForReadyReplicas(kube, ns, 'app=visits', quest.replicas)
      await waitForTimelineEvents(timeline, pods.map((pod) => ({ pod, kind: 'ready' })))
    })
    await Then('the API server holds podManagementPolicy Parallel', async () => {
      expect((await getStatefulSet(kube, ns, 'visits')).spec?.podManagementPolicy, `StatefulSet ${ns}/visits`).toBe('Parallel')
    })
    await And('every pod was created before any pod was Ready (visits-2 did not wait for visits-0)', () => {
      expect(timeline.kindsInOrder(pods, ['created', 'ready']), timeline.describe()).toEqual([...pods.map(() => 'created'), ...pods.map(() => 'ready')])
      expect(timeline.orderOf([{ pod: 'visits-2', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }]), timeline.describe())
        .toEqual(['visits-2 created', 'visits-0 ready'])
    })
  })

  storageTest('Q3-02 each pod gets its own claim <template>-<statefulset>-<ordinal>, Bound, 100Mi, ReadWriteOnce', async ({ kube, ns, storageClass, expect }) => {
    await givenVisits(kube, ns, { storageClass })
    await Then(`the namespace holds exactly the claims ${pods.map(claimOf).join(', ')}`, async () => {
      expect((await listPvcs(kube, ns)).map((c) => c.metadata?.name), `claims in ${ns}`).toEqual(pods.map(claimOf))
    })
    for (const pod of pods) {
      await And(`${claimOf(pod)} is Bound, of class ${storageClass}, requests ${quest.size} (capacity ≥ ${quest.size}), ReadWriteOnce, and is mounted by ${pod}`, async () => {
        const c = await waitForPvcBound(kube, ns, claimOf(pod))
        const where = `claim ${ns}/${claimOf(pod)} (class ${storageClass}, volume ${c.spec?.volumeName})`
        expect(c.spec?.storageClassName, where).toBe(storageClass)
        expect(bytesOf(c.spec?.resources?.requests?.storage ?? '0'), `${where}: request ${describeQuantity(c.spec?.resources?.requests?.storage)}`).toBe(bytesOf(quest.size))
        const capacity = c.status?.capacity?.storage
        expect(bytesOf(capacity ?? '0'), `${where}: capacity ${describeQuantity(capacity)}`).toBeGreaterThanOrEqual(bytesOf(quest.size))
        expect(c.spec?.accessModes, where).toEqual(['ReadWriteOnce'])
        expect(c.status?.accessModes, where).toContain('ReadWriteOnce')
        const p = await getPod(kube, ns, pod)
        expect(p.spec?.volumes?.find((v) => v.name === quest.template)?.persistentVolumeClaim?.claimName, `pod ${ns}/${pod}`).toBe(claimOf(pod))
      })
    }
    await And('the three claims are bound to three different volumes', async () => {
      const volumes = await Promise.all(pods.map(async (p) => (await waitForPvcBound(kube, ns, claimOf(p))).spec?.volumeName))
      expect(new Set(volumes).size, `volumes of ${pods.map(claimOf).join(', ')} in ${ns}: ${volumes.join(', ')}`).toBe(3)
    })
  })

  storageTest('Q3-03 requests through the ClusterIP Service are spread over the pods; each records only its own, in its own volume; together they hold every request', async ({ kube, ns, client, storageClass, expect }) => {
    await givenVisits(kube, ns, { storageClass })
    const { ids, answeredBy } = await When(`${visitCount} visits, each with a unique id, are sent to the Service's cluster IP from a pod in the cluster`, () =>
      visitThroughService(kube, ns, client))
    const audit = await Then('each pod\'s /data/visits.log, read with exec, holds only visits that pod served', async () => {
      const audit = auditVisits(ids, answeredBy, await readAllLogs(kube, ns))
      expect(audit.misplaced, `${ns} (class ${storageClass}): ${describeAudit(audit, ids.length)}`).toEqual([])
      return audit
    })
    const context = `${ns} (class ${storageClass}): ${describeAudit(audit, ids.length)}`
    await And('the records are disjoint and their union is exactly the visits sent', () => {
      expect(audit.duplicated, context).toEqual([])
      expect(audit.missing, context).toEqual([])
      expect(audit.unexpected, context).toEqual([])
    })
    await And('more than one pod served visits', () => {
      expect(Object.values(audit.counts).filter((n) => n > 0).length, context).toBeGreaterThan(1)
    })
  })

  storageTest('Q3-04 a deleted pod is recreated and its records persist', async ({ kube, ns, client, storageClass, expect }) => {
    await givenVisits(kube, ns, { storageClass })
    const { pod, before, old } = await Given(`${visitCount} visits sent through the Service, recorded on the pods`, async () => {
      const { answeredBy } = await visitThroughService(kube, ns, client)
      // The pod that served the most visits: its records are the ones to keep.
      const [pod] = pods.map((p) => [p, [...answeredBy.values()].filter((x) => x === p).length] as const).reduce((a, b) => (b[1] > a[1] ? b : a))
      const before = await readVisitLog(kube, ns, pod)
      expect(before.length, `records of ${ns}/${pod} (class ${storageClass})`).toBeGreaterThan(0)
      return { pod, before, old: await getPod(kube, ns, pod) }
    })
    const recreated = await When(`pod ${pod} (${before.length} records) is deleted`, async () => {
      await deletePod(kube, ns, pod)
      await waitForPodGone(kube, ns, pod, old.metadata?.uid)
      return waitForPod(kube, ns, pod, 'to be back (new uid) and Ready', (p) => p.metadata?.uid !== old.metadata?.uid && isPodReady(p))
    })
    await Then(`a new pod named ${pod} (another uid) is Ready, on the same claim`, () => {
      expect(recreated.metadata?.uid, `${ns}/${pod}`).not.toBe(old.metadata?.uid)
      expect(recreated.spec?.volumes?.find((v) => v.name === quest.template)?.persistentVolumeClaim?.claimName).toBe(claimOf(pod))
    })
    await And(`its /data/visits.log holds the same ${before.length} records`, async () => {
      expect(await readVisitLog(kube, ns, pod), `${ns}/${pod} (class ${storageClass}) after recreation`).toEqual(before)
    })
  })

  test('Q3-05 per-pod names do not resolve while the governing Service has a cluster IP, and resolve once it is headless', async ({ kube, ns, client, expect }) => {
    await givenVisits(kube, ns)
    const svc = await getService(kube, ns, 'visits')
    await Then(`the governing Service visits has a cluster IP (${svc.spec?.clusterIP}), which its own name resolves to`, async () => {
      expect(svc.spec?.clusterIP, `Service ${ns}/visits`).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
      const r = await client.nslookup(`visits.${ns}.svc.cluster.local`)
      expect(r.status === 'ok' ? r.addresses : r.output, r.output).toEqual([svc.spec?.clusterIP])
    })
    await And(`visits-0.visits.${ns}.svc.cluster.local is NXDOMAIN, and visits-0.visits resolves to nothing`, async () => {
      // Soft: whatever this half shows, the headless half is checked too.
      const ip = (await getPod(kube, ns, 'visits-0')).status?.podIP
      const while_ = `while Service ${ns}/visits has cluster IP ${svc.spec?.clusterIP} (pod visits-0 is at ${ip})`
      const fqdn = await client.nslookup(`visits-0.visits.${ns}.svc.cluster.local`)
      expect.soft(fqdn.status, `nslookup visits-0.visits.${ns}.svc.cluster.local ${while_}:\n${fqdn.output}`).toBe('nxdomain')
      const short = await client.resolve('visits-0.visits')
      progress(`observed ${while_}: the full name ${fqdn.status === 'ok' ? `answered ${fqdn.addresses.join(', ')}` : fqdn.status}, the short name ${short.status === 'ok' ? `resolved to ${short.addresses.join(', ')}` : short.status}`)
      expect.soft(short.status, `resolving visits-0.visits from pod ${ns}/client ${while_}:\n${short.output}`).toBe('unresolved')
    })
    await When('the Service is recreated headless (clusterIP None; a cluster IP cannot be changed)', async () => {
      await deleteService(kube, ns, 'visits')
      await waitForServiceGone(kube, ns, 'visits')
      await applyFixture(kube, ns, '003/headless-service.yaml')
      expect((await getService(kube, ns, 'visits')).spec?.clusterIP, `Service ${ns}/visits`).toBe('None')
    })
    for (const pod of pods) {
      await Then(`${pod}.visits resolves to ${pod}'s IP, by its short and its full name`, async () => {
        const ip = (await getPod(kube, ns, pod)).status?.podIP
        const r = await client.waitForResolution(`${pod}.visits`, `answers ${ip}`, (x) => x.status === 'ok')
        expect(r.status === 'ok' ? r.addresses : r.output, r.output).toEqual([ip])
        const fqdn = await client.nslookup(`${pod}.visits.${ns}.svc.cluster.local`)
        expect(fqdn.status === 'ok' ? fqdn.addresses : fqdn.output, fqdn.output).toEqual([ip])
      })
    }
  })

  test('Q3-06 a pod is not Ready, nor a ready endpoint, until its readiness probe passes; a failing liveness probe restarts the container', async ({ task, kube, ns, podEvents }) => {
    const timeline = await podEvents.record({ selector: 'app=probed' })
    attachTimeline(task, `pod probed in ${ns}: readiness, then liveness`, timeline,
      [{ pod: 'probed', kind: 'created' }, { pod: 'probed', kind: 'ready' }, { pod: 'probed', kind: 'restarted' }])
    const pod = await Given('pod probed behind Service probed, running, its readiness probe failing (no /tmp/ready)', async () => {
      await applyFixture(kube, ns, '003/probes.yaml')
      await waitForK8sEvent(kube, ns, { kind: 'Pod', name: 'probed' }, 'Unhealthy: Readiness probe failed',
        (e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message ?? ''), 'podReady')
      return waitForPod(kube, ns, 'probed', 'to be Running with its container started',
        (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.started === true)
    })
    const ip = pod.status?.podIP ?? ''
    await Then(`it is not Ready, and the Service's EndpointSlices list ${ip} as not ready`, async () => {
      expect(isPodReady(await getPod(kube, ns, 'probed')), `pod ${ns}/probed`).toBe(false)
      const eps = await waitForServiceEndpoints(kube, ns, 'probed', `to list ${ip}`, (e) => e.some((x) => x.address === ip))
      expect(eps.filter((e) => e.address === ip), `Service ${ns}/probed`).toEqual([{ address: ip, pod: 'probed', ready: false }])
    })
    await When('/tmp/ready is created in the container, so the readiness probe passes', () =>
      execOk(kube, ns, 'probed', ['touch', '/tmp/ready']))
    await Then(`the pod becomes Ready and ${ip} a ready endpoint of the Service`, async () => {
      await waitForPodReady(kube, ns, 'probed')
      await waitForReadyAddresses(kube, ns, 'probed', `to list ${ip} as ready`, (a) => a.includes(ip))
    })
    await When('/tmp/alive is removed, so the liveness probe fails', () => execOk(kube, ns, 'probed', ['rm', '/tmp/alive']))
    const after = await Then('the kubelet restarts the container: restart count 0 → 1, in the same pod', async () => {
      await waitForK8sEvent(kube, ns, { kind: 'Pod', name: 'probed' }, 'Killing: failed liveness probe',
        (e) => e.reason === 'Killing' && /failed liveness probe/.test(e.message ?? ''), 'containerRestart')
      const p = await waitForPod(kube, ns, 'probed', 'to have restarted', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'containerRestart')
      expect(p.status?.containerStatuses?.[0]?.restartCount, timeline.describe()).toBe(1)
      await waitForTimelineEvents(timeline, [{ pod: 'probed', kind: 'restarted' }], 'containerRestart')
      return p
    })
    await And('the watch saw one pod (one uid) created, Ready, then restarted', () => {
      expect(after.metadata?.uid, `pod ${ns}/probed`).toBe(pod.metadata?.uid)
      expect(new Set(timeline.events.map((e) => e.uid)).size, timeline.describe()).toBe(1)
      expect(timeline.orderOf([{ pod: 'probed', kind: 'created' }, { pod: 'probed', kind: 'ready' }, { pod: 'probed', kind: 'restarted' }]), timeline.describe())
        .toEqual(['probed created', 'probed ready', 'probed restarted'])
    })
  })

  test('Q3-07 Parallel pods start together; under OrderedReady ordinal N+1 waits for N to be Ready', async ({ task, kube, ns, podEvents }) => {
    const parallel = await podEvents.record({ selector: 'app=visits' })
    const ordered = await podEvents.record({ selector: 'app=ordered' })
    const orderedPods = ['ordered-0', 'ordered-1', 'ordered-2']
    attachTimeline(task, `pods app=visits (Parallel) in ${ns}`, parallel, [{ pod: 'visits-2', kind: 'created' }, { pod: 'visits-0', kind: 'ready' }])
    attachTimeline(task, `pods app=ordered (OrderedReady) in ${ns}`, ordered, orderedPods.flatMap((pod) => [{ pod, kind: 'created' as const }, { pod, kind: 'ready' as const }]))
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

  test('Q3-08 with updateStrategy OnDelete a template change updates no pod until one is deleted by hand; that pod alone comes back on the new revision', async ({ task, kube, ns, podEvents }) => {
    await givenVisits(kube, ns, { strategy: { type: 'OnDelete' } })
    const old = (await getStatefulSet(kube, ns, 'visits')).status?.currentRevision ?? ''
    const before = await podRevisions(kube, ns)
    const timeline = await podEvents.record({ selector: 'app=visits' })
    attachTimeline(task, `pods app=visits in ${ns} (OnDelete) through the template change and the deletion of visits-1`, timeline,
      [{ pod: 'visits-1', kind: 'terminating', incarnation: 'old' }, { pod: 'visits-1', kind: 'ready', incarnation: 'new' }])
    const sts = await When('the pod template changes', async () => {
      await changeTemplate(kube, ns)
      return waitForStatefulSet(kube, ns, 'visits', 'to have observed the change (a new updateRevision)', (s) =>
        s.status?.observedGeneration === s.metadata?.generation && !!s.status?.updateRevision && s.status.updateRevision !== old, 'apiCall')
    })
    await Then(`no pod was deleted and every pod is still on revision ${old}`, async () => {
      const revs = await podRevisions(kube, ns)
      const context = `${describeRevisions(ns, sts, revs)}\n${timeline.describe()}`
      expect(timeline.replacementOrder(), context).toEqual([])
      expect(revs, context).toEqual(before)
      // The controller's own account: nothing updated, every replica still current.
      expect({ updated: sts.status?.updatedReplicas ?? 0, current: sts.status?.currentReplicas }, context).toEqual({ updated: 0, current: pods.length })
      expect(Object.values(revs).map((r) => r.revision), context).toEqual(pods.map(() => old))
    })
    const uid = before['visits-1']!.uid
    await When('visits-1 is deleted by hand', async () => {
      await deletePod(kube, ns, 'visits-1')
      await waitForPod(kube, ns, 'visits-1', 'to be back (new uid) and Ready', (p) => p.metadata?.uid !== uid && isPodReady(p))
      await waitForTimelineEvents(timeline, [{ pod: 'visits-1', kind: 'ready', incarnation: 'new' }])
    })
    await Then(`visits-1 alone came back, on the new revision ${sts.status?.updateRevision}; visits-0 and visits-2 are the same pods on ${old}`, async () => {
      const revs = await podRevisions(kube, ns)
      const now = await getStatefulSet(kube, ns, 'visits')
      const context = `${describeRevisions(ns, now, revs)}\n${timeline.describe()}`
      expect(timeline.replacementOrder(), context).toEqual(['visits-1'])
      expect(revs['visits-1']?.revision, context).toBe(now.status?.updateRevision)
      expect(now.status?.updateRevision, context).not.toBe(old)
      expect({ 'visits-0': revs['visits-0'], 'visits-2': revs['visits-2'] }, context).toEqual({ 'visits-0': before['visits-0'], 'visits-2': before['visits-2'] })
    })
  })

  test('Q3-09 RollingUpdate goes from the highest ordinal to the lowest; with partition P only ordinals ≥ P move to the new revision', async ({ task, kube, ns, podEvents }) => {
    await givenVisits(kube, ns, { strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } })
    const old = (await getStatefulSet(kube, ns, 'visits')).status?.currentRevision ?? ''
    const before = await podRevisions(kube, ns)
    const timeline = await podEvents.record({ selector: 'app=visits' })
    attachTimeline(task, `pods app=visits in ${ns}: rolling update with partition 1, then 0`, timeline, ['visits-2', 'visits-1', 'visits-0'].flatMap((pod) => [
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
      expect(timeline.replacementOrder(), timeline.describe()).toEqual(['visits-2', 'visits-1'])
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
      expect(timeline.replacementOrder(), timeline.describe()).toEqual(['visits-2', 'visits-1', 'visits-0'])
      expect(pods.map((p) => revs[p]?.revision), describeRevisions(ns, now, revs)).toEqual(pods.map(() => sts.status?.updateRevision))
    })
  })
})
