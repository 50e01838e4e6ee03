// specs/000-podinfo-deployment-vs-statefulset.spec.ts — mirrors quest 000
// (shared/quests/000_e92d5665c24ee214.txt): podinfo as a Deployment with an
// emptyDir, then as a StatefulSet with a headless Service and a claim per pod.
// The quest's own values are asserted as printed there: the sha1 hashes, /data
// through exec, the restart count, the rollout order 1 → 0.
import { podAddressesVia, waitForAddresses } from '../lib/apps/dns-answers.ts'
import { panic, podinfoField, podinfoVersionOfImage, readStored, sha1, storeOn, versionOf } from '../lib/apps/podinfo.ts'
import { recordTimeline } from '../lib/harness/claim-entry.ts'
import { describe, expect, storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { waitForRecording, waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { replacedInTurn, type Timeline } from '../lib/observe/timeline.ts'
import { byName, containerStatusOf, deletePod, execIn, execOk, getPod, isPodReady, listPods, mountedClaim, podNamed } from '../lib/resources/pods.ts'
import { getService } from '../lib/resources/services.ts'
import { getPv } from '../lib/resources/storage.ts'
import { getStatefulSet, setImage } from '../lib/resources/workloads.ts'
import { deletePodAndWaitGone, waitForPod, waitForPods, waitForReplacement } from '../lib/wait/pods.ts'
import { waitForPvcBound } from '../lib/wait/storage.ts'
import { waitForStatefulSetRolledOut } from '../lib/wait/workloads.ts'
import { describeUpdate, forwardTo, givenDeploymentPod, givenStatefulSet, lsData, podinfoContainer, quest, storeThroughForward } from './000-quest.ts'

describe('Q0 podinfo: Deployment with emptyDir vs StatefulSet', () => {
  test('Q0-01 a one-replica Deployment runs exactly one pod named <deployment>-<template-hash>-<suffix>', async ({ kube, ns }) => {
    await givenDeploymentPod(kube, ns)
    await Then('there is exactly one pod, named podinfo-<pod-template-hash>-<5 characters>', async () => {
      const pods = await listPods(kube, ns, 'app=podinfo')
      expect(pods.map((p) => p.metadata?.name), `pods in ${ns}`).toHaveLength(1)
      const hash = pods[0]!.metadata?.labels?.['pod-template-hash']
      expect(hash, 'pod-template-hash label').toMatch(/^[a-z0-9]+$/)
      expect(pods[0]!.metadata?.name).toMatch(new RegExp(`^podinfo-${hash}-[a-z0-9]{5}$`))
      expect(pods[0]!.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: `podinfo-${hash}` })
    })
  })

  test('Q0-02 POST /store answers the sha1 of the body', async ({ kube, ns, cleanup }) => {
    const pod = await givenDeploymentPod(kube, ns)
    const hash = await When(`${quest.body} is POSTed to /store through a port-forward`, async () =>
      storeOn(await forwardTo(kube, ns, pod, cleanup), quest.body))
    await Then(`the answer is {"hash": "${quest.hash}"}, the sha1 of the body`, () => {
      expect(hash).toBe(sha1(quest.body))
      expect(hash).toBe(quest.hash)
    })
  })

  test('Q0-03 the stored value is a file named by its hash under /data, and GET /store/<hash> returns it', async ({ kube, ns, cleanup }) => {
    const pod = await givenDeploymentPod(kube, ns)
    const pf = await When(`${quest.body} is stored through a port-forward`, () => storeThroughForward(kube, ns, pod, cleanup, quest.body))
    await Then(`exec ls /data shows ${quest.hash}`, async () => {
      expect(await lsData(kube, ns, pod)).toEqual([quest.hash])
    })
    await And(`exec cat /data/${quest.hash} prints the body`, async () => {
      expect(await execOk(kube, ns, pod, ['cat', `/data/${quest.hash}`])).toBe(quest.body)
    })
    await And(`GET /store/${quest.hash} returns the body`, async () => {
      const res = await readStored(pf, quest.hash)
      expect(res.error, `${ns}/${pod}`).toBeUndefined()
      expect(res.body).toBe(quest.body)
    })
  })

  test('Q0-04 GET /panic restarts the container in the same pod: restarts 0 → 1, Ready again', async ({ task, kube, ns, cleanup, podEvents }) => {
    const pod = await givenDeploymentPod(kube, ns)
    const before = await And('its container has not restarted yet', async () => {
      const p = await getPod(kube, ns, pod)
      expect(containerStatusOf(p, 'podinfo')?.restartCount, `restarts of ${ns}/${pod} before /panic`).toBe(0)
      return p
    })
    const timeline = await recordTimeline(task, podEvents, 'app=podinfo', `pods app=podinfo in ${ns} around GET /panic`, [{ pod, kind: 'restarted' }])
    await When('GET /panic is sent to it', async () => panic(await forwardTo(kube, ns, pod, cleanup)))
    const after = await Then('the same pod shows 1 restart and is Ready again', async () => {
      const p = await waitForPod(kube, ns, pod, 'to have restarted and be Ready again',
        (p) => (containerStatusOf(p, 'podinfo')?.restartCount ?? 0) >= 1 && isPodReady(p), 'containerRestart')
      expect(containerStatusOf(p, 'podinfo')?.restartCount, timeline.describe()).toBe(1)
      return p
    })
    await And('the watch saw that same pod restart and become Ready again, and no other pod appear', async () => {
      // The recorder has its own watch: wait until it has seen what the status wait saw.
      // (The restart and the return to Ready may come in one update: their order within it means nothing.)
      const restartedAndReady = (t: Timeline) =>
        t.events.some((e) => e.kind === 'restarted') && t.events.filter((e) => e.kind === 'ready' || e.kind === 'unready').at(-1)?.kind === 'ready'
      await waitForRecording(timeline, `${pod} restarted and Ready again`, restartedAndReady, 'containerRestart')
      expect(after.metadata?.uid, `${ns}/${pod}`).toBe(before.metadata?.uid)
      const events = timeline.completeEvents(`that no pod other than ${pod} (uid ${before.metadata?.uid}) appeared`)
      expect([...new Set(events.map((e) => e.uid))], timeline.describe()).toEqual([before.metadata?.uid])
      expect(timeline.orderOfFirst('created', undefined, []), timeline.describe()).toEqual([])
    })
  })

  test('Q0-05 data in the emptyDir survives the container restart', async ({ kube, ns, cleanup }) => {
    const pod = await givenDeploymentPod(kube, ns)
    const pf = await Given(`${quest.body} stored in /data through a port-forward`, () => storeThroughForward(kube, ns, pod, cleanup, quest.body))
    await When('the container is made to crash with GET /panic, and comes back', async () => {
      await panic(pf)
      await waitForPod(kube, ns, pod, 'to have restarted and be Ready again',
        (p) => (containerStatusOf(p, 'podinfo')?.restartCount ?? 0) >= 1 && isPodReady(p), 'containerRestart')
    })
    await Then(`exec ls /data still shows ${quest.hash}`, async () => {
      expect(await lsData(kube, ns, pod)).toEqual([quest.hash])
      expect(await execOk(kube, ns, pod, ['cat', `/data/${quest.hash}`])).toBe(quest.body)
    })
  })

  test('Q0-06 deleting the pod brings a replacement with another name and an empty /data', async ({ kube, ns, cleanup }) => {
    const pod = await givenDeploymentPod(kube, ns)
    await Given(`${quest.body} stored in /data of ${pod}`, async () => storeOn(await forwardTo(kube, ns, pod, cleanup), quest.body))
    await When(`pod ${pod} is deleted`, () => deletePod(kube, ns, pod))
    // The wait is the check: it fails, with what it saw, unless such a pod appears.
    const replacement = await Then(`the Deployment starts a Ready replacement with a name other than ${pod}`, async () => {
      const [p] = await waitForPods(kube, ns, 'app=podinfo', `a Ready replacement not named ${pod}`, (pods) =>
        pods.length === 1 && pods[0]!.metadata?.name !== pod && isPodReady(pods[0]!))
      return p!.metadata!.name!
    })
    await And('its /data is empty', async () => {
      expect(await lsData(kube, ns, replacement)).toEqual([])
    })
  })

  test('Q0-07 StatefulSet pods are named <statefulset>-<ordinal>, and a recreated pod gets the same name', async ({ kube, ns }) => {
    await givenStatefulSet(kube, ns)
    await Then('the pods are podinfo-0 and podinfo-1', async () => {
      expect((await listPods(kube, ns, 'app=podinfo')).map((p) => p.metadata?.name)).toEqual(['podinfo-0', 'podinfo-1'])
    })
    const deleted = await When('podinfo-0 is deleted', () => deletePodAndWaitGone(kube, ns, 'podinfo-0'))
    await Then('a new pod (another uid) named podinfo-0 is Ready', async () => {
      await waitForReplacement(kube, ns, 'podinfo-0', deleted.metadata?.uid)
      expect((await listPods(kube, ns, 'app=podinfo')).map((x) => x.metadata?.name)).toEqual(['podinfo-0', 'podinfo-1'])
    })
  })

  test('Q0-08 through the headless Service a client resolves one specific pod by its name', async ({ kube, ns, client }) => {
    const pods = await givenStatefulSet(kube, ns)
    const svc = await Then('the Service is headless', async () => {
      const s = await getService(kube, ns, 'podinfo')
      expect(s.spec?.clusterIP, `Service ${ns}/podinfo`).toBe('None')
      return s
    })
    for (const p of byName(pods)) {
      // Of each of the Service's IP families: a dual-stack pod has two addresses.
      const ips = podAddressesVia(svc, p)
      // The waits are the check: each polls (answers may be cached) and fails with the last answer.
      await Then(`${p.metadata?.name}.podinfo, and its full name ${p.metadata?.name}.podinfo.${ns}.svc.<cluster domain>, resolve to that pod's IPs only (${ips.join(', ')})`, async () => {
        await waitForAddresses(client, `${p.metadata?.name}.podinfo`, ips, 'resolve')
        await waitForAddresses(client, await client.fqdn(`${p.metadata?.name}.podinfo`), ips, 'nslookup')
      })
    }
    await And('podinfo-0 answers GET / by that name with its own hostname', async () => {
      const res = await client.http('http://podinfo-0.podinfo:9000/')
      expect(res.status, res.raw).toBe(200)
      expect(podinfoField(res, 'hostname', 'http://podinfo-0.podinfo:9000/')).toBe('podinfo-0')
    })
  })

  storageTest('Q0-09 each StatefulSet pod gets its own claim <template>-<pod>, bound to its own volume', async ({ kube, ns, storageClass }) => {
    await givenStatefulSet(kube, ns, storageClass)
    await Then('claims data-podinfo-0 and data-podinfo-1 are Bound to two different volumes', async () => {
      const [c0, c1] = await Promise.all([waitForPvcBound(kube, ns, 'data-podinfo-0'), waitForPvcBound(kube, ns, 'data-podinfo-1')])
      expect(c0.spec?.storageClassName).toBe(storageClass)
      expect(c0.spec?.volumeName).toBeTruthy()
      expect(c1.spec?.volumeName).toBeTruthy()
      expect(c0.spec?.volumeName).not.toBe(c1.spec?.volumeName)
      const pv = await getPv(kube, c0.spec!.volumeName!)
      expect(pv.spec?.claimRef).toMatchObject({ namespace: ns, name: 'data-podinfo-0' })
    })
    await And('each pod mounts its own claim', async () => {
      for (const i of [0, 1]) {
        expect(mountedClaim(await getPod(kube, ns, `podinfo-${i}`), 'data')).toBe(`data-podinfo-${i}`)
      }
    })
  })

  test('Q0-10 changing the image rolls ordinal 1 (terminated, recreated, Ready) before ordinal 0 is terminated', async ({ task, kube, ns, podEvents, images, cleanup }) => {
    await givenStatefulSet(kube, ns)
    const expected = replacedInTurn('podinfo-1', 'podinfo-0')
    const timeline = await recordTimeline(task, podEvents, 'app=podinfo', `pods app=podinfo in ${ns} while the image changes`, [...expected])
    // The version the new image reports, from its tag; a mirror's tag that names none: any version but the old one.
    const newVersion = podinfoVersionOfImage(images.podinfo)
    const oldVersion = newVersion ? undefined : await Given('the version podinfo-0 answers before the update', async () =>
      versionOf(await forwardTo(kube, ns, 'podinfo-0', cleanup)))
    await When(`the image changes to ${images.podinfo}`, async () => {
      await setImage(kube, ns, 'StatefulSet', 'podinfo', 'podinfo', images.podinfo)
      await waitForStatefulSetRolledOut(kube, ns, 'podinfo')
    })
    await Then('old podinfo-1 terminates, new podinfo-1 is Ready, and only then old podinfo-0 terminates', async () => {
      await waitForTimelineEvents(timeline, [...expected]) // the recorder's watch may trail the rollout wait's
      expect(timeline.orderOf([...expected]), timeline.describe()).toEqual([
        'podinfo-1 terminating (old)', 'podinfo-1 ready (new)', 'podinfo-0 terminating (old)', 'podinfo-0 ready (new)',
      ])
      expect(timeline.replacementOrder(['podinfo-1', 'podinfo-0']), timeline.describe()).toEqual(['podinfo-1', 'podinfo-0'])
    })
    await And(`both pods run the new revision and answer /version ${newVersion ?? `with one version, not ${oldVersion}`}`, async () => {
      const sts = await getStatefulSet(kube, ns, 'podinfo')
      const answered: string[] = []
      for (const name of ['podinfo-0', 'podinfo-1']) {
        const pod = await getPod(kube, ns, name)
        expect(pod.metadata?.labels?.['controller-revision-hash'], `${ns}/${name}`).toBe(sts.status?.updateRevision)
        answered.push(await versionOf(await forwardTo(kube, ns, name, cleanup)))
      }
      const context = `${ns}/podinfo-0 and podinfo-1 on ${images.podinfo} answered /version ${answered.join(' and ')}`
      if (newVersion) expect(answered, context).toEqual([newVersion, newVersion])
      else {
        expect(answered[1], context).toBe(answered[0])
        expect(answered[0], `${context}; before the update: ${oldVersion}`).not.toBe(oldVersion)
      }
    })
  })

  storageTest('Q0-11 after the update each pod still serves what was stored on it before', async ({ kube, ns, images, cleanup, storageClass }) => {
    const pods = await givenStatefulSet(kube, ns, storageClass)
    await Given('a value stored on each pod through its own port-forward', async () => {
      expect(await storeOn(await forwardTo(kube, ns, 'podinfo-0', cleanup), quest.pod0.body)).toBe(quest.pod0.hash)
      expect(await storeOn(await forwardTo(kube, ns, 'podinfo-1', cleanup), quest.pod1.body)).toBe(quest.pod1.hash)
    })
    const sts = await When(`the image changes to ${images.podinfo} and the rollout completes`, async () => {
      await setImage(kube, ns, 'StatefulSet', 'podinfo', 'podinfo', images.podinfo)
      return waitForStatefulSetRolledOut(kube, ns, 'podinfo')
    })
    for (const [i, v] of [[0, quest.pod0], [1, quest.pod1]] as const) {
      // Else the data could be read back from pods the update never touched.
      await Then(`podinfo-${i} was replaced: another uid, at the update revision ${sts.status?.updateRevision}, running ${images.podinfo}`, async () => {
        const old = podNamed(pods, `podinfo-${i}`)
        const now = await getPod(kube, ns, `podinfo-${i}`)
        const context = describeUpdate(ns, sts, old, now)
        expect(now.metadata?.uid, context).not.toBe(old.metadata?.uid)
        expect(now.metadata?.labels?.['controller-revision-hash'], context).toBe(sts.status?.updateRevision)
        expect(old.metadata?.labels?.['controller-revision-hash'], context).not.toBe(sts.status?.updateRevision)
        expect(podinfoContainer(now).spec?.image, context).toBe(images.podinfo)
        // The runtime's account: the container runs, Ready, from another image than before.
        expect(podinfoContainer(now).status?.ready, context).toBe(true)
        expect(podinfoContainer(now).status?.imageID, context).not.toBe(podinfoContainer(old).status?.imageID)
      })
      await And(`GET /store/${v.hash} on podinfo-${i} returns ${v.body}`, async () => {
        const res = await readStored(await forwardTo(kube, ns, `podinfo-${i}`, cleanup), v.hash)
        expect(res.error, `podinfo-${i} in ${ns} (class ${storageClass})`).toBeUndefined()
        expect(res.body).toBe(v.body)
      })
    }
  })

  storageTest('Q0-12 what is stored on pod 0 cannot be read from pod 1', async ({ kube, ns, cleanup, storageClass }) => {
    await givenStatefulSet(kube, ns, storageClass)
    const pf0 = await Given(`${quest.pod0.body} stored on podinfo-0`, async () => {
      const pf = await forwardTo(kube, ns, 'podinfo-0', cleanup)
      expect(await storeOn(pf, quest.pod0.body)).toBe(quest.pod0.hash)
      return pf
    })
    // The control: the value can be read where it was stored, so "not found" on podinfo-1 means something.
    await Then(`GET /store/${quest.pod0.hash} on podinfo-0 returns it, and its /data holds the file`, async () => {
      const res = await readStored(pf0, quest.pod0.hash)
      expect(res.error, `podinfo-0 in ${ns} (class ${storageClass})`).toBeUndefined()
      expect(res.body).toBe(quest.pod0.body)
      expect(await lsData(kube, ns, 'podinfo-0'), `/data of ${ns}/podinfo-0`).toContain(quest.pod0.hash)
    })
    await And(`GET /store/${quest.pod0.hash} on podinfo-1 finds nothing`, async () => {
      const res = await readStored(await forwardTo(kube, ns, 'podinfo-1', cleanup), quest.pod0.hash)
      expect(res.body, `podinfo-1 in ${ns} (class ${storageClass})`).not.toContain('pod index')
      expect(res.error, `podinfo-1 answered ${res.body.slice(0, 200)}`).toBe('reading file failed')
    })
    await And(`/data of podinfo-1 has no ${quest.pod0.hash}`, async () => {
      const r = await execIn(kube, ns, 'podinfo-1', ['ls', '-A', '/data'])
      expect(r.exitCode).toBe(0)
      expect(r.stdout).not.toContain(quest.pod0.hash)
    })
  })
})
