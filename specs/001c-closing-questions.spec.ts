// specs/001c-closing-questions.spec.ts — mirrors quest 001
// (shared/quests/001_e9b69f59e3a36be4.txt), part 3, the questions that close
// quest #01 ("Подведите итоги"): what serviceName is for, whether a
// StatefulSet pod's IP may change, what a Service with clusterIP: None is for,
// when claims are deleted, when to use a static volume, in which order the
// pods start. Each answer is shown on the StatefulSet "sandwich" of part 2.
import { podAddressesVia, podsAddressesVia } from '../lib/apps/dns-answers.ts'
import { readFileIn, writeFileIn } from '../lib/apps/files.ts'
import { applyStaticVolumePart, keepStorage, releaseForNewClaim, staticVolumeOf } from '../lib/apps/static-volume.ts'
import { progress, recordTimeline, skipPart } from '../lib/harness/claim-entry.ts'
import { applyFixture, describe, expect, storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { orderedStartViolations } from '../lib/observe/ordered-start.ts'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { addressDifference, byName, execOk, isPodReady, podIp, podNamed } from '../lib/resources/pods.ts'
import { getService } from '../lib/resources/services.ts'
import { deletePvc, findPvc, listPvcs } from '../lib/resources/storage.ts'
import { deleteStatefulSet, getStatefulSet, scale } from '../lib/resources/workloads.ts'
import { deletePodAndWaitForReplacement, deletePodAndWaitGone, waitForPod, waitForPodGone, waitForPodReady, waitForPods, waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForReadyAddresses } from '../lib/wait/services.ts'
import { waitForPv, waitForPvcBound, waitForPvcGone } from '../lib/wait/storage.ts'
import { claimOf, createStatefulSet, expectPodNameResolves, fqdnOf, givenStatefulSet, podOf, potato, sts } from './001-quest.ts'

// Q1-16's second claim and pod, which recover the Released volume.
const recovered = { claim: 'sandwich-recovered', pod: 'recovered-lunchbox' }

// Each test has its own namespace (and the static volume its own name): they run side by side.
describe.concurrent('Q1 PVC and StatefulSet quest, part 3: the closing questions', () => {
  test('Q1-12 serviceName names the governing Service: hostname = pod name, subdomain = service, FQDN <pod>.<service>.<ns>.svc.<cluster domain>', async ({ task, kube, ns, client }) => {
    const pods = await givenStatefulSet(kube, ns)
    await Then(`the StatefulSet's serviceName is ${sts.service}, a headless Service`, async () => {
      expect((await getStatefulSet(kube, ns, sts.name)).spec?.serviceName, `StatefulSet ${ns}/${sts.name}`).toBe(sts.service)
      expect((await getService(kube, ns, sts.service)).spec?.clusterIP, `Service ${ns}/${sts.service}`).toBe('None')
    })
    for (const pod of byName(pods)) {
      const name = pod.metadata!.name!
      await Then(`${name}: the controller set hostname ${name} and subdomain ${sts.service} on the pod`, () => {
        expect(pod.spec?.hostname, `spec.hostname of ${ns}/${name}`).toBe(name)
        expect(pod.spec?.subdomain, `spec.subdomain of ${ns}/${name}`).toBe(sts.service)
      })
      await And(`\`hostname\` in ${name} prints ${name}`, async () => {
        expect((await execOk(kube, ns, name, ['hostname'])).trim(), `hostname in ${ns}/${name}`).toBe(name)
      })
      await And(`its FQDN is ${name}.${sts.service}.${ns}.svc.<cluster domain>: \`hostname -f\` prints it, and DNS answers it with the pod's IP`, async () => {
        const f = (await execOk(kube, ns, name, ['hostname', '-f'])).trim()
        if (f.includes('.')) expect(f, `hostname -f in ${ns}/${name}`).toBe(await fqdnOf(client, name))
        else skipPart(task, `hostname -f in ${ns}/${name} printed "${f}" (no domain): the FQDN is checked through DNS only`)
        await expectPodNameResolves(kube, client, ns, pod)
      })
    }
  })

  test('Q1-13 a recreated StatefulSet pod keeps its name and DNS names, which resolve to its current IP', async ({ kube, ns, client }) => {
    const before = podNamed(await givenStatefulSet(kube, ns), podOf(0))
    await Given(`${podOf(0)}.${sts.service} resolves to its IP ${podIp(before)}`, () => expectPodNameResolves(kube, client, ns, before))
    const { after } = await When(`${podOf(0)} is deleted and the StatefulSet recreates it`, () => deletePodAndWaitForReplacement(kube, ns, podOf(0)))
    await Then(`it is ${podOf(0)} again (another uid); its IP may have changed`, () => {
      expect(after.metadata?.name, `pod in ${ns}`).toBe(podOf(0))
      expect(after.metadata?.uid, `pod ${ns}/${podOf(0)}`).not.toBe(before.metadata?.uid)
      progress(podIp(after) === podIp(before)
        ? `the IP stayed ${podIp(after)} this time (allowed: it may change, it need not)`
        : `the IP changed: ${podIp(before)} → ${podIp(after)}`)
    })
    await And(`${podOf(0)}.${sts.service} and its FQDN resolve to its current IP ${podIp(after)}`, () => expectPodNameResolves(kube, client, ns, after))
  })

  test('Q1-14 a Service with clusterIP None has no virtual IP; its name answers with the IPs of the ready pods', async ({ kube, ns, client }) => {
    const pods = await givenStatefulSet(kube, ns)
    const name = await client.fqdn(sts.service)
    const svc = await Then(`the Service ${sts.service} has clusterIP None`, async () => {
      const svc = await getService(kube, ns, sts.service)
      expect(svc.spec?.clusterIP, `Service ${ns}/${sts.service}`).toBe('None')
      expect(svc.spec?.clusterIPs ?? ['None'], `Service ${ns}/${sts.service}`).toEqual(['None'])
      return svc
    })
    // The names answer what the EndpointSlices list; both lag the pods a little: wait, then compare.
    // Per family, of the Service's families: on a dual-stack cluster each pod has an address of each,
    // and the name answers those of the families the Service carries (spec.ipFamilies).
    const answers = async (ips: string[]) => {
      await waitForReadyAddresses(kube, ns, sts.service, `to list exactly [${ips.join(', ')}]`, (a) => !addressDifference(a, ips))
      await client.waitForResolution(name, `answers exactly [${ips.join(', ')}]`, (r) => r.status === 'ok' && !addressDifference(r.addresses, ips), { method: 'nslookup' })
    }
    const ips = podsAddressesVia(svc, pods)
    await And(`${name} answers the IPs of both ready pods [${ips.join(', ')}], as its EndpointSlices list them`, () => answers(ips))
    await When(`${podOf(1)} is taken out of service: its readiness probe fails, it keeps running`, async () => {
      await execOk(kube, ns, podOf(1), ['rm', '/tmp/www/ready'])
      await waitForPod(kube, ns, podOf(1), 'to be not Ready', (p) => !isPodReady(p) && p.status?.phase === 'Running')
    })
    const ready = podAddressesVia(svc, podNamed(pods, podOf(0)))
    await Then(`${name} answers only ${podOf(0)}'s IP [${ready.join(', ')}]; the EndpointSlices agree`, () => answers(ready))
  })

  storageTest('Q1-15 claims are kept through pod deletion, scale-down and StatefulSet deletion by default, and removed with retention policy Delete', async ({ task, kube, ns, storageClass }) => {
    await Given(`two StatefulSets of 2 replicas with claims of class ${storageClass}: sandwich keeps its claims (default retention), snack deletes them (persistentVolumeClaimRetentionPolicy Delete)`, async () => {
      await createStatefulSet(kube, ns, 2, storageClass)
      await applyFixture(kube, ns, '001/statefulset-delete-claims.yaml', { storageClass })
    })
    const policies = await Given('the server kept both retention policies (read back)', async () => {
      const [sandwich, snack] = await Promise.all([getStatefulSet(kube, ns, sts.name), getStatefulSet(kube, ns, 'snack')])
      const p = { sandwich: sandwich.spec?.persistentVolumeClaimRetentionPolicy, snack: snack.spec?.persistentVolumeClaimRetentionPolicy }
      progress(`sandwich: ${JSON.stringify(p.sandwich ?? 'unset')}; snack: ${JSON.stringify(p.snack ?? 'unset')}`)
      return p
    })
    // A server without StatefulSet PVC auto-deletion drops the field: the default half is still shown.
    const withDelete = policies.snack?.whenDeleted === 'Delete' && policies.snack?.whenScaled === 'Delete'
    if (!withDelete) {
      skipPart(task, `removal with retention policy Delete: the API server dropped persistentVolumeClaimRetentionPolicy from StatefulSet ${ns}/snack (read back: ${JSON.stringify(policies.snack ?? 'unset')}), so it lacks StatefulSet PVC auto-deletion (feature StatefulSetAutoDeletePVC)`)
    }
    const snackClaims = (names: string[]) => (withDelete ? names : [])
    const before = await Given('both are Ready, with a claim per pod', async () => {
      await Promise.all([waitForReadyReplicas(kube, ns, sts.selector, 2), waitForReadyReplicas(kube, ns, 'app=snack', 2)])
      return Object.fromEntries((await listPvcs(kube, ns)).map((c) => [c.metadata!.name!, c.metadata!.uid!]))
    })
    await Then('sandwich, which sets no policy, reads the default: Retain when deleted, Retain when scaled', () => {
      expect(policies.sandwich, `persistentVolumeClaimRetentionPolicy of StatefulSet ${ns}/${sts.name}`).toMatchObject({ whenDeleted: 'Retain', whenScaled: 'Retain' })
    })
    const kept = (names: string[], when: string) => {
      for (const name of names) expect(before[name], `claim ${ns}/${name} ${when} (class ${storageClass})`).toBeDefined()
      return Promise.all(names.map(async (name) => {
        expect((await findPvc(kube, ns, name))?.metadata?.uid, `claim ${ns}/${name} ${when} (class ${storageClass})`).toBe(before[name])
      }))
    }

    await When('pod 1 of each is deleted, and comes back', () =>
      Promise.all([podOf(1), 'snack-1'].map((p) => deletePodAndWaitForReplacement(kube, ns, p))))
    await Then('the claims are the same claims as before: a pod deletion keeps claims under either policy', () =>
      kept([claimOf(0), claimOf(1), ...snackClaims(['ingridients-snack-0', 'ingridients-snack-1'])], 'after its pod was deleted'))

    await When('both are scaled down to 1 replica', async () => {
      await Promise.all([scale(kube, ns, 'StatefulSet', sts.name, 1), scale(kube, ns, 'StatefulSet', 'snack', 1)])
      await Promise.all([waitForPodGone(kube, ns, podOf(1)), waitForPodGone(kube, ns, 'snack-1')])
    })
    if (withDelete) await Then('snack\'s claim ingridients-snack-1 is removed (whenScaled: Delete)', () => waitForPvcGone(kube, ns, 'ingridients-snack-1'))
    await And(`sandwich's claim ${claimOf(1)} stays (default: Retain)`, () => kept([claimOf(1)], 'after scale-down'))

    await When('both StatefulSets are deleted', async () => {
      await Promise.all([deleteStatefulSet(kube, ns, sts.name), deleteStatefulSet(kube, ns, 'snack')])
      await waitForPods(kube, ns, 'app in (sandwich, snack)', 'all gone', (pods) => pods.length === 0, 'podDeleted')
    })
    if (withDelete) await Then('snack\'s last claim ingridients-snack-0 is removed (whenDeleted: Delete)', () => waitForPvcGone(kube, ns, 'ingridients-snack-0'))
    await Then(`sandwich's claims ${claimOf(0)} and ${claimOf(1)} stay (default: Retain)`, () => kept([claimOf(0), claimOf(1)], 'after the StatefulSet was deleted'))
  })

  test('Q1-16 a static volume (made by hand, storageClassName "") binds to a matching claim, and with Retain goes Released, data kept', async ({ kube, ns }) => {
    const volume = staticVolumeOf(ns)
    const { pv } = volume
    const storage = await Given('storage that exists without a claim: a volume of the run\'s first class, provisioned, then retained and its PV object deleted', async () => {
      const kept = await keepStorage(kube, ns)
      progress(`kept the storage of volume ${kept.was} (class ${kept.storageClass}, provisioner ${kept.provisionedBy ?? 'unknown'})`)
      return kept
    })
    await Given(`a volume made by hand for it: PersistentVolume ${pv}, storageClassName "", reclaim Retain, 20Mi`, () =>
      applyStaticVolumePart(kube, volume, 'PersistentVolume', { storage }))
    await When(`a claim sandwich-static with storageClassName "" asks for volume ${pv}`, () => applyStaticVolumePart(kube, volume, 'PersistentVolumeClaim'))
    await Then(`it binds: the claim is Bound to ${pv}, whose claimRef is ${ns}/sandwich-static`, async () => {
      const c = await waitForPvcBound(kube, ns, 'sandwich-static')
      expect(c.spec?.volumeName, `claim ${ns}/sandwich-static`).toBe(pv)
      const v = await waitForPv(kube, pv, 'to be Bound', (x) => x?.status?.phase === 'Bound', 'pvcBound')
      expect(v?.spec?.claimRef, `claimRef of volume ${pv}`).toMatchObject({ namespace: ns, name: 'sandwich-static', uid: c.metadata?.uid })
      expect(v?.spec?.storageClassName ?? '', `class of volume ${pv}`).toBe('')
    })
    await When(`the pod static-lunchbox writes "${potato.text}" through the claim`, async () => {
      await applyStaticVolumePart(kube, volume, 'Pod')
      await waitForPodReady(kube, ns, 'static-lunchbox')
      await writeFileIn(kube, ns, 'static-lunchbox', potato.file, potato.text)
    })
    await When('the pod and then the claim are deleted', async () => {
      await deletePodAndWaitGone(kube, ns, 'static-lunchbox')
      await deletePvc(kube, ns, 'sandwich-static')
      await waitForPvcGone(kube, ns, 'sandwich-static')
    })
    await Then(`the volume ${pv} goes Released, and stays (reclaim policy Retain)`, async () => {
      const v = await waitForPv(kube, pv, 'to be Released', (x) => x?.status?.phase === 'Released', 'pvcDeleted')
      expect(v?.spec?.persistentVolumeReclaimPolicy, `volume ${pv}`).toBe('Retain')
    })
    // The administrator's way back to the data: clear the claimRef, bind a new claim.
    await When(`an administrator makes the Released volume ${pv} available again (claimRef removed) and the claim sandwich-recovered asks for it`, async () => {
      await releaseForNewClaim(kube, pv)
      await applyStaticVolumePart(kube, volume, 'PersistentVolumeClaim', { as: recovered })
      await waitForPvcBound(kube, ns, recovered.claim)
      await applyStaticVolumePart(kube, volume, 'Pod', { as: recovered })
      await waitForPodReady(kube, ns, recovered.pod)
    })
    await Then(`the data is still there: ${potato.file}, read through the new claim, says "${potato.text}"`, async () => {
      expect(await readFileIn(kube, ns, recovered.pod, potato.file), `${potato.file} in ${ns}/${recovered.pod}, volume ${pv}`).toBe(potato.text)
    })
  })

  test('Q1-17 by default (OrderedReady) pods start in order 0, 1, 2, each only after the previous is Running and Ready', async ({ task, kube, ns, podEvents }) => {
    const all = [0, 1, 2].map(podOf)
    const timeline = await recordTimeline(task, podEvents, sts.selector, `start of StatefulSet ${sts.name} (OrderedReady) in ${ns}`,
      [{ pod: podOf(0), kind: 'ready' }, { pod: podOf(1), kind: 'created' }, { pod: podOf(1), kind: 'ready' }, { pod: podOf(2), kind: 'created' }])
    await When('the StatefulSet sandwich is created with 3 replicas and no podManagementPolicy', async () => {
      await createStatefulSet(kube, ns, 3)
      await waitForReadyReplicas(kube, ns, sts.selector, 3)
    })
    await Then('its podManagementPolicy reads OrderedReady (the default)', async () => {
      expect((await getStatefulSet(kube, ns, sts.name)).spec?.podManagementPolicy, `StatefulSet ${ns}/${sts.name}`).toBe('OrderedReady')
    })
    await And(`the pods are created in the order ${all.join(', ')}`, async () => {
      await waitForTimelineEvents(timeline, [{ pod: podOf(2), kind: 'ready' }])
      expect(timeline.orderOfFirst('created', undefined, all), timeline.describe()).toEqual(all)
    })
    await And('each is created only after the previous one is Running and Ready', () => {
      expect(orderedStartViolations(timeline, all), timeline.describe()).toEqual([])
    })
  })
})
