// specs/002-statefulset-demo.spec.ts — mirrors quest 002
// (shared/quests/002_6e279fab1b782f60.txt): Deployment replicas share one
// claim, StatefulSet replicas "demo-0" and "demo-1" each get their own; claims
// outlive pods and the StatefulSet; a headless Service "demo" gives each pod
// a DNS name that follows it when it is recreated.
// The quest's demo app (registry.ford.com, port 8080, /api/v1/hello) is
// private: podinfo stands in for it, run with --port=8080, and its GET /
// answers JSON whose "hostname" tells which pod served the request.
import type { V1Pod } from '@kubernetes/client-node'
import type { ClusterClient } from '../lib/apps/cluster-client.ts'
import { podAddressesVia, podsAddressesVia } from '../lib/apps/dns-answers.ts'
import { catIn, isNoSuchFile, listFilesIn, readFileIn, writeFileIn } from '../lib/apps/files.ts'
import { podinfoField } from '../lib/apps/podinfo.ts'
import { progress, recordTimeline, skipClaim, skipPart } from '../lib/harness/claim-entry.ts'
import { applyFixture, describe, expect, type Kube, storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { addressDifference, execOk, getPod, listPods, mountedClaim, podIp, podNames } from '../lib/resources/pods.ts'
import { describeEndpoints, getService, serviceEndpoints } from '../lib/resources/services.ts'
import { claimForPod, deletePvc, getPv, getPvc, listPvcs, ofClass } from '../lib/resources/storage.ts'
import { deleteStatefulSet } from '../lib/resources/workloads.ts'
import { deletePodAndWaitForReplacement, waitForPods, waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForReadyAddresses } from '../lib/wait/services.ts'
import { waitForPvcBound, waitForPvcGone, waitForPvGone } from '../lib/wait/storage.ts'

const quest = { file: '/mnt/vol1/aa.txt', text: 'Hello in demo-0.', port: 8080 }
const pods = ['demo-0', 'demo-1']
const claimOf = (pod: string) => claimForPod('vol1', pod)
// <pod>.demo.<namespace>.svc.<cluster domain>: the domain learned from the cluster (cluster.local in the quest).
const fqdn = (client: ClusterClient, pod: string) => client.fqdn(`${pod}.demo`)

async function givenStatefulSet(kube: Kube, ns: string, opts: { storageClass?: string; service?: boolean } = {}): Promise<V1Pod[]> {
  const what = `StatefulSet demo with two replicas and a claim per pod${ofClass(opts.storageClass)}${opts.service ? ', governed by the headless Service demo' : ''}`
  return Given(what, async () => {
    if (opts.service) await applyFixture(kube, ns, '002/service.yaml')
    await applyFixture(kube, ns, '002/statefulset.yaml', { storageClass: opts.storageClass })
    return waitForReadyReplicas(kube, ns, 'app=demo', 2)
  })
}

function noteIpChange(ns: string, name: string, before: V1Pod, after: V1Pod): boolean {
  const changed = podIp(before) !== podIp(after)
  progress(changed ? `${ns}/${name} came back with a new IP: ${podIp(before)} → ${podIp(after)}`
    : `${ns}/${name} came back with the same IP ${podIp(after)} (the quest says it "may" change)`)
  return changed
}

async function deleteStatefulSetAndWaitForPods(kube: Kube, ns: string): Promise<void> {
  await deleteStatefulSet(kube, ns, 'demo')
  await waitForPods(kube, ns, 'app=demo', 'all gone after the StatefulSet was deleted', (p) => p.length === 0, 'podDeleted')
}

// Each test has its own namespace: they run side by side.
describe.concurrent('Q2 StatefulSet demo: storage and routing of Deployment vs StatefulSet replicas', () => {
  storageTest('Q2-01 Deployment replicas that mount one claim share one volume', async ({ kube, ns, storageClass }) => {
    const [a, b] = await Given(`a claim "shared" (class ${storageClass}) mounted at /mnt/vol1 by a two-replica Deployment, replicas kept on one node`, async () => {
      await applyFixture(kube, ns, '002/shared-claim-deployment.yaml', { storageClass })
      return waitForReadyReplicas(kube, ns, 'app=shared', 2)
    })
    const [podA, podB] = [a!.metadata!.name!, b!.metadata!.name!]
    const where = `${ns}, pods ${podA} and ${podB} on ${a!.spec?.nodeName}/${b!.spec?.nodeName} (class ${storageClass})`
    await Then('both pods mount the one claim, Bound to one volume', async () => {
      for (const p of [a!, b!]) {
        expect(mountedClaim(p, 'vol1'), `${ns}/${p.metadata?.name}`).toBe('shared')
      }
      const claim = await waitForPvcBound(kube, ns, 'shared')
      progress(`claim ${ns}/shared is Bound to volume ${claim.spec?.volumeName}; pods on ${a!.spec?.nodeName} and ${b!.spec?.nodeName}`)
    })
    await When(`${podA} writes "Hello in ${podA}." to ${quest.file}`, async () => {
      expect(await writeFileIn(kube, ns, podA, quest.file, `Hello in ${podA}.`)).toBe(`Hello in ${podA}.`)
    })
    await Then(`${podB} reads the same text from ${quest.file}`, async () => {
      const r = await catIn(kube, ns, podB, quest.file)
      expect(r.exitCode, `cat ${quest.file} in ${podB}: ${r.stderr}; ${where}`).toBe(0)
      expect(r.stdout.trim(), where).toBe(`Hello in ${podA}.`)
    })
    await And(`a file ${podB} writes is seen by ${podA} too`, async () => {
      await writeFileIn(kube, ns, podB, '/mnt/vol1/bb.txt', `Hello in ${podB}.`)
      expect(await readFileIn(kube, ns, podA, '/mnt/vol1/bb.txt'), where).toBe(`Hello in ${podB}.`)
    })
  })

  storageTest('Q2-02 StatefulSet replicas each get their own claim and volume: a file written in demo-0 is absent in demo-1', async ({ kube, ns, storageClass }) => {
    await givenStatefulSet(kube, ns, { storageClass })
    await Then('each pod has its own claim vol1-<pod>, Bound to a volume of its own', async () => {
      const [c0, c1] = await Promise.all(pods.map((p) => waitForPvcBound(kube, ns, claimOf(p))))
      const volumes = [c0!.spec?.volumeName, c1!.spec?.volumeName]
      expect(volumes.every(Boolean), `volumes of ${claimOf('demo-0')}, ${claimOf('demo-1')} in ${ns}`).toBe(true)
      expect(volumes[0], `claims of demo-0 and demo-1 in ${ns} (class ${storageClass}) share volume ${volumes[0]}`).not.toBe(volumes[1])
      for (const [i, pod] of pods.entries()) {
        const p = await getPod(kube, ns, pod)
        expect(mountedClaim(p, 'vol1'), `${ns}/${pod}`).toBe(claimOf(pod))
        expect((await getPv(kube, volumes[i]!)).spec?.claimRef, `volume ${volumes[i]}`).toMatchObject({ namespace: ns, name: claimOf(pod) })
      }
    })
    await When(`"${quest.text}" is written to ${quest.file} in demo-0`, async () => {
      expect(await writeFileIn(kube, ns, 'demo-0', quest.file, quest.text), `cat in ${ns}/demo-0`).toBe(quest.text)
    })
    await Then(`cat ${quest.file} in demo-1 finds no such file`, async () => {
      const r = await catIn(kube, ns, 'demo-1', quest.file)
      expect(r.stdout, `${ns}/demo-1 (class ${storageClass}) reads demo-0's file`).not.toContain(quest.text)
      expect(isNoSuchFile(r), `cat ${quest.file} in ${ns}/demo-1 exited ${r.exitCode}: ${r.stderr}${r.stdout}`).toBe(true)
    })
  })

  storageTest('Q2-03 a restarted StatefulSet pod is reconnected to the same volume, data intact', async ({ kube, ns, storageClass }) => {
    await givenStatefulSet(kube, ns, { storageClass })
    const volume = await Given(`"${quest.text}" written to ${quest.file} in demo-0, on its claim ${claimOf('demo-0')}`, async () => {
      await writeFileIn(kube, ns, 'demo-0', quest.file, quest.text)
      return (await waitForPvcBound(kube, ns, claimOf('demo-0'))).spec?.volumeName
    })
    const { before, after } = await When('demo-0 is deleted and comes back', () => deletePodAndWaitForReplacement(kube, ns, 'demo-0'))
    await Then(`the new demo-0 (uid ${after.metadata?.uid}, was ${before.metadata?.uid}) mounts claim ${claimOf('demo-0')}, still Bound to volume ${volume}`, async () => {
      expect(mountedClaim(after, 'vol1'), `${ns}/demo-0`).toBe(claimOf('demo-0'))
      const claim = await getPvc(kube, ns, claimOf('demo-0'))
      expect(claim.spec?.volumeName, `claim ${ns}/${claimOf('demo-0')} (class ${storageClass})`).toBe(volume)
      expect(claim.status?.phase).toBe('Bound')
    })
    await And(`cat ${quest.file} in demo-0 still prints "${quest.text}"`, async () => {
      const r = await catIn(kube, ns, 'demo-0', quest.file)
      expect(r.exitCode, `cat in ${ns}/demo-0 on ${after.spec?.nodeName} (class ${storageClass}): ${r.stderr}`).toBe(0)
      expect(r.stdout.trim()).toBe(quest.text)
    })
  })

  storageTest('Q2-04 claim-template claims remain after the StatefulSet is deleted', async ({ kube, ns, storageClass }) => {
    await givenStatefulSet(kube, ns, { storageClass })
    const claims = await Given('its claims, Bound', () => Promise.all(pods.map((p) => waitForPvcBound(kube, ns, claimOf(p)))))
    await When('the StatefulSet is deleted and its pods are gone', () => deleteStatefulSetAndWaitForPods(kube, ns))
    await Then(`claims ${pods.map(claimOf).join(' and ')} are still there: same objects, Bound to the same volumes, not terminating`, async () => {
      const now = await listPvcs(kube, ns)
      expect(now.map((c) => c.metadata?.name), `claims in ${ns} (class ${storageClass})`).toEqual(pods.map(claimOf))
      for (const [i, c] of now.entries()) {
        const where = `claim ${ns}/${c.metadata?.name} (class ${storageClass})`
        expect(c.metadata?.uid, `${where} was replaced`).toBe(claims[i]!.metadata?.uid)
        expect(c.metadata?.deletionTimestamp, `${where} is being deleted`).toBeUndefined()
        expect(c.status?.phase, where).toBe('Bound')
        expect(c.spec?.volumeName, where).toBe(claims[i]!.spec?.volumeName)
      }
    })
  })

  storageTest('Q2-05 deleting such a claim deletes its dynamically provisioned volume; a new claim of that name gets a new, empty volume', async ({ task, kube, ns, capabilities, storageClass }) => {
    if (capabilities.reclaimPolicy !== 'Delete') {
      skipClaim(task, `StorageClass ${storageClass} has reclaimPolicy ${capabilities.reclaimPolicy}, not Delete: deleting a claim keeps its volume and data`)
    }
    await givenStatefulSet(kube, ns, { storageClass })
    const claim = claimOf('demo-0')
    const volume = await Given(`"${quest.text}" written to ${quest.file} in demo-0, on its claim ${claim}`, async () => {
      await writeFileIn(kube, ns, 'demo-0', quest.file, quest.text)
      const name = (await waitForPvcBound(kube, ns, claim)).spec!.volumeName!
      const pv = await getPv(kube, name)
      progress(`volume ${name} provisioned by ${pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] ?? '(no provisioned-by annotation)'}, reclaim ${pv.spec?.persistentVolumeReclaimPolicy}`)
      return name
    })
    await When('the StatefulSet is deleted and its pods are gone', () => deleteStatefulSetAndWaitForPods(kube, ns))
    await And(`claim ${claim} is deleted explicitly`, async () => {
      await deletePvc(kube, ns, claim)
      await waitForPvcGone(kube, ns, claim)
    })
    await Then(`its volume ${volume} is deleted`, () => waitForPvGone(kube, volume))
    const fresh = await When(`the StatefulSet is created again, making a new claim ${claim}`, async () => {
      await applyFixture(kube, ns, '002/statefulset.yaml', { storageClass })
      await waitForReadyReplicas(kube, ns, 'app=demo', 2)
      return waitForPvcBound(kube, ns, claim)
    })
    await Then(`the new claim is Bound to a new volume, not ${volume}`, () => {
      expect(fresh.spec?.volumeName, `claim ${ns}/${claim} (class ${storageClass})`).toBeTruthy()
      expect(fresh.spec?.volumeName, `claim ${ns}/${claim} (class ${storageClass}) re-used the deleted volume`).not.toBe(volume)
    })
    await And(`${quest.file} is gone from demo-0: /mnt/vol1 is empty (filesystem metadata such as lost+found aside)`, async () => {
      const r = await catIn(kube, ns, 'demo-0', quest.file)
      const where = `${ns}/demo-0, volume ${fresh.spec?.volumeName} (class ${storageClass})`
      expect(isNoSuchFile(r), `cat ${quest.file} in ${where} exited ${r.exitCode}: ${r.stdout}${r.stderr}`).toBe(true)
      expect(await listFilesIn(kube, ns, 'demo-0', '/mnt/vol1'), `ls -A /mnt/vol1 in ${where}, lost+found aside`).toEqual([])
    })
  })

  test('Q2-06 pod names are <statefulset>-<ordinal> and each container\'s hostname is its pod name', async ({ kube, ns }) => {
    await givenStatefulSet(kube, ns)
    await Then('the pods are demo-0 and demo-1, owned by StatefulSet demo', async () => {
      const listed = await listPods(kube, ns, 'app=demo')
      expect(podNames(listed), `pods in ${ns}`).toEqual(pods)
      for (const p of listed) expect(p.metadata?.ownerReferences?.[0], `owner of ${ns}/${p.metadata?.name}`).toMatchObject({ kind: 'StatefulSet', name: 'demo' })
    })
    for (const pod of pods) {
      await And(`\`hostname\` in ${pod} prints ${pod}`, async () => {
        expect((await execOk(kube, ns, pod, ['hostname'])).trim(), `hostname in ${ns}/${pod}`).toBe(pod)
      })
    }
  })

  test('Q2-07 deleting demo-0 brings back a pod of the same name; its IP may change', async ({ task, kube, ns, podEvents }) => {
    await givenStatefulSet(kube, ns)
    const expected = [
      { pod: 'demo-0', kind: 'deleted', incarnation: 'old' },
      { pod: 'demo-0', kind: 'created', incarnation: 'new' },
      { pod: 'demo-0', kind: 'ready', incarnation: 'new' },
    ] as const
    const timeline = await recordTimeline(task, podEvents, 'app=demo', `pods app=demo in ${ns} as demo-0 is deleted`, [...expected])
    const { before, after } = await When('demo-0 is deleted', () => deletePodAndWaitForReplacement(kube, ns, 'demo-0'))
    await Then('a new pod named demo-0 (another uid) is created once the old one is gone, and becomes Ready', async () => {
      expect(after.metadata?.uid, `${ns}/demo-0`).not.toBe(before.metadata?.uid)
      // The replacement wait saw it Ready on its own watch; the recorder's may lag a moment.
      await waitForTimelineEvents(timeline, [expected[2]])
      expect(timeline.orderOf([...expected]), timeline.describe()).toEqual(['demo-0 deleted (old)', 'demo-0 created (new)', 'demo-0 ready (new)'])
      expect(timeline.orderOfFirst('created', undefined, ['demo-0']), timeline.describe()).toEqual(['demo-0'])
    })
    await And('the pods are still demo-0 and demo-1', async () => {
      expect(podNames(await listPods(kube, ns, 'app=demo')), `pods in ${ns}`).toEqual(pods)
      noteIpChange(ns, 'demo-0', before, after)
    })
  })

  test('Q2-08 the headless Service\'s endpoints list the current pod IPs', async ({ kube, ns }) => {
    let current = await givenStatefulSet(kube, ns, { service: true })
    const svc = await Then('Service demo is headless', async () => {
      const svc = await getService(kube, ns, 'demo')
      expect(svc.spec?.clusterIP, `Service ${ns}/demo`).toBe('None')
      return svc
    })
    // Every address of every Ready pod of the Service's families (spec.ipFamilies), per family:
    // a dual-stack pod has one of each, a single-stack Service lists one.
    const endpointsMatch = async (ready: V1Pod[]) => {
      const ips = podsAddressesVia(svc, ready)
      await waitForReadyAddresses(kube, ns, 'demo', `to be exactly the Ready pods' IPs [${ips.join(', ')}]`, (a) => !addressDifference(a, ips))
      const eps = await serviceEndpoints(kube, ns, 'demo')
      expect(eps.map((e) => [e.pod, e.address]).sort(), `Service ${ns}/demo: ${describeEndpoints(eps)}`)
        .toEqual(ready.flatMap((p) => podAddressesVia(svc, p).map((ip) => [p.metadata?.name, ip])).sort())
    }
    await Then('its endpoints are the Ready pods\' IPs, each pointing at its pod', () => endpointsMatch(current))
    const { after } = await When('demo-0 is deleted and comes back Ready', async () => {
      const r = await deletePodAndWaitForReplacement(kube, ns, 'demo-0')
      current = await waitForReadyReplicas(kube, ns, 'app=demo', 2)
      noteIpChange(ns, 'demo-0', r.before, r.after)
      return r
    })
    await Then(`the endpoints follow: the Ready pods' IPs now, demo-0 at ${podIp(after)}`, () => endpointsMatch(current))
  })

  test('Q2-09 a specific pod answers HTTP at <pod>.<service>.<namespace>.svc.<cluster domain>:8080 from inside the cluster', async ({ kube, ns, client }) => {
    const ready = await givenStatefulSet(kube, ns, { service: true })
    const svc = await getService(kube, ns, 'demo')
    for (const p of ready) {
      const pod = p.metadata!.name!
      const name = await fqdn(client, pod)
      const ips = podAddressesVia(svc, p) // those of the Service's families
      await Then(`from pod ${client.pod}, ${name} resolves to ${pod}'s IPs ${ips.join(', ')}`, async () => {
        const r = await client.waitForResolution(name, 'answers', (x) => x.status === 'ok', { method: 'nslookup' })
        expect(r.status === 'ok' ? addressDifference(r.addresses, ips) : r.status, `${name} from ${ns}/${client.pod}:\n${r.output}`).toBeUndefined()
      })
      await And(`GET http://${name}:${quest.port}/ is answered by ${pod} itself`, async () => {
        const url = `http://${name}:${quest.port}/`
        const res = await client.http(url)
        expect(res.status, `GET ${url} from ${ns}/${client.pod}: ${res.raw.slice(0, 500)}`).toBe(200)
        expect(podinfoField(res, 'hostname', url), `hostname in the answer to GET ${url}`).toBe(pod)
      })
    }
  })

  test('Q2-10 after demo-0 is recreated, the same DNS name reaches it at its new IP', async ({ task, kube, ns, client }) => {
    await givenStatefulSet(kube, ns, { service: true })
    const name = await fqdn(client, 'demo-0')
    const url = `http://${name}:${quest.port}/`
    await Given(`${name} answers the current demo-0 over HTTP`, async () => {
      await client.waitForResolution(name, 'answers', (x) => x.status === 'ok', { method: 'nslookup' })
      expect(podinfoField(await client.http(url), 'hostname', url), `hostname in the answer to GET ${url} from ${ns}/${client.pod}`).toBe('demo-0')
    })
    const { before, after } = await When('demo-0 is deleted and comes back Ready', () => deletePodAndWaitForReplacement(kube, ns, 'demo-0'))
    if (!noteIpChange(ns, 'demo-0', before, after)) {
      skipPart(task, `the recreated ${ns}/demo-0 got its old IP ${podIp(after)} back from the cluster's pod network, so following a new IP was not shown`)
    }
    await Then(`${name} resolves to the new pod's IP ${podIp(after)}`, async () => {
      // CoreDNS follows the endpoints with a lag: the check is that it comes
      // to answer the current IP only (the wait throws with its last answer).
      const ips = podAddressesVia(await getService(kube, ns, 'demo'), after) // those of the Service's families
      await client.waitForResolution(name, `answers ${ips.join(', ')} only`,
        (x) => x.status === 'ok' && !addressDifference(x.addresses, ips), { method: 'nslookup' })
    })
    await And(`GET ${url} is answered by demo-0`, async () => {
      const res = await client.http(url)
      expect(res.status, `GET ${url} from ${ns}/${client.pod}: ${res.raw.slice(0, 500)}`).toBe(200)
      expect(podinfoField(res, 'hostname', url), `hostname in the answer to GET ${url}`).toBe('demo-0')
      const now = await getPod(kube, ns, 'demo-0')
      expect(now.metadata?.uid, `${ns}/demo-0 was replaced again while the name was probed`).toBe(after.metadata?.uid)
    })
  })
})
