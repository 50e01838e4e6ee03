// specs/001a-claim-and-pod.spec.ts — mirrors quest 001
// (shared/quests/001_e9b69f59e3a36be4.txt), part 1, "Hands-on practice quest
// #00: working with pvc and statefulset": the claim "sandwich-ingridients"
// (20Mi, ReadWriteOnce), a pod writing "tasty potatos" into <mount>/potato,
// deleted and recreated, a second pod on the same claim, deleting the pod and
// the claim — and the part's questions: which node, can the pod move, can a
// second pod use the claim, is the claim deleted with the pod, can it go first.
import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import { readFileIn, writeFileIn } from '../lib/apps/files.ts'
import { missingCapability, progress, skipClaim, skipPart } from '../lib/harness/claim-entry.ts'
import { applyFixture, claimRequestFor, describe, expect, type Kube, storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { describeEvent, isVolumeNodeAffinityConflict } from '../lib/resources/events.ts'
import { describeNodeSelector, getNode, isSchedulableLinux, listNodes, nodeSelectorAllows, nodesExcludedBy } from '../lib/resources/nodes.ts'
import { recordClaim, recordPod, removedAfter } from '../lib/observe/object-log.ts'
import { waitForRecording } from '../lib/observe/recordings.ts'
import { getPod } from '../lib/resources/pods.ts'
import { bytesOf, defaultStorageClass, deletePvc, describeQuantity, findPvc, getPv, getPvc, getStorageClass, isDefaultClass, listStorageClasses, ofClass } from '../lib/resources/storage.ts'
import { waitForK8sEvent } from '../lib/wait/events.ts'
import { deletePodAndWaitGone, recreatePodFromFixture, waitForPod, waitForPodReady, waitForSchedulerJudgement } from '../lib/wait/pods.ts'
import { waitForPvc, waitForPvcBound, waitForPvcGone } from '../lib/wait/storage.ts'
import { potato } from './001-quest.ts'

const claim = 'sandwich-ingridients'

const givenClaim = (kube: Kube, ns: string, storageClass?: string) =>
  Given(`the claim ${claim} (20Mi, ReadWriteOnce)${ofClass(storageClass)}`, () =>
    applyFixture(kube, ns, '001/sandwich-ingridients.yaml', { storageClass }))

// The claim and the pod "lunchbox" that mounts it at /ingridients: Ready, the claim Bound.
async function givenLunchbox(kube: Kube, ns: string, storageClass: string): Promise<{ pod: V1Pod; pvc: V1PersistentVolumeClaim }> {
  await givenClaim(kube, ns, storageClass)
  return Given('the pod lunchbox mounting it at /ingridients, Ready', async () => {
    await applyFixture(kube, ns, '001/lunchbox.yaml')
    const pvc = await waitForPvcBound(kube, ns, claim)
    return { pod: await waitForPodReady(kube, ns, 'lunchbox'), pvc }
  })
}

const recreateLunchbox = (kube: Kube, ns: string, edit?: (p: V1Pod) => void) =>
  recreatePodFromFixture(kube, ns, 'lunchbox', '001/lunchbox.yaml', edit)

// Each test has its own namespace: they run side by side.
describe.concurrent('Q1 PVC and StatefulSet quest, part 1: a claim and a pod', () => {
  test('Q1-01 the cluster lists its StorageClasses; a claim without storageClassName gets the default class', async ({ task, kube, ns }) => {
    const classes = await Given('the StorageClasses of the cluster (kubectl get storageclasses)', async () => {
      const list = await listStorageClasses(kube)
      progress(list.map((c) => `${c.metadata?.name}${isDefaultClass(c) ? ' (default)' : ''}: ${c.provisioner}, ${c.volumeBindingMode ?? 'Immediate'}`).join('; ') || 'none')
      return list
    })
    const def = defaultStorageClass(classes)
    if (!def) {
      skipClaim(task, `no StorageClass is marked default (annotation storageclass.kubernetes.io/is-default-class): a claim without storageClassName gets no class (classes: ${classes.map((c) => c.metadata?.name).join(', ') || 'none'})`)
    }
    await When(`the claim ${claim} is created without storageClassName`, () => applyFixture(kube, ns, '001/sandwich-ingridients.yaml', { storageClass: null }))
    await Then(`read back, it names the default class ${def.metadata?.name}`, async () => {
      const pvc = await getPvc(kube, ns, claim)
      expect(pvc.spec?.storageClassName, `storageClassName of claim ${ns}/${claim}`).toBe(def.metadata?.name)
    })
  })

  storageTest('Q1-02 a 20Mi ReadWriteOnce claim is accepted and becomes Bound with at least 20Mi', async ({ task, kube, ns, storageClass }) => {
    // A class with a minimum size is asked for that instead (SC_MIN_CLAIM_SIZE, or what the probe learned).
    const asked = claimRequestFor('20Mi', storageClass)
    if (asked !== '20Mi') skipPart(task, `a 20Mi claim: class ${storageClass} provisions no less than ${asked}, so the claim asked for ${asked}`)
    const binding = await Given(`the StorageClass ${storageClass}, read for its volumeBindingMode`, async () =>
      (await getStorageClass(kube, storageClass)).volumeBindingMode ?? 'Immediate')
    await When(`the claim ${claim} of class ${storageClass} (binding ${binding}) is applied`, () =>
      applyFixture(kube, ns, '001/sandwich-ingridients.yaml', { storageClass }))
    await Then(`it is accepted as asked: ReadWriteOnce, ${asked}`, async () => {
      const pvc = await getPvc(kube, ns, claim)
      expect(pvc.spec?.accessModes, `claim ${ns}/${claim}`).toEqual(['ReadWriteOnce'])
      expect(bytesOf(pvc.spec?.resources?.requests?.storage ?? '0'), `request of claim ${ns}/${claim}`).toBe(bytesOf(asked))
    })
    if (binding === 'WaitForFirstConsumer') {
      // The PV controller's WaitForFirstConsumer event is its decision not to
      // bind yet: after it, the claim must still be Pending with no volume.
      await Then('without a pod it waits: the PV controller says so, and the claim stays Pending with no volume', async () => {
        const e = await waitForK8sEvent(kube, await getPvc(kube, ns, claim), 'WaitForFirstConsumer',
          (x) => x.reason === 'WaitForFirstConsumer', 'pvcBound')
        progress(describeEvent(e))
        const pvc = await getPvc(kube, ns, claim)
        expect(pvc.status?.phase, `claim ${ns}/${claim} of class ${storageClass} before any pod uses it`).toBe('Pending')
        expect(pvc.spec?.volumeName, `volume of claim ${ns}/${claim} before any pod uses it`).toBeFalsy()
      })
      await When('a pod uses it', () => applyFixture(kube, ns, '001/lunchbox.yaml'))
    }
    const bound = await Then(binding === 'WaitForFirstConsumer' ? 'it becomes Bound' : 'it becomes Bound without any pod', () => waitForPvcBound(kube, ns, claim))
    await And(`its capacity is at least ${describeQuantity(asked)}`, () => {
      const capacity = bound.status?.capacity?.storage
      const where = `claim ${ns}/${claim} of class ${storageClass}, volume ${bound.spec?.volumeName}: capacity ${describeQuantity(capacity)}`
      expect(capacity, where).toBeDefined()
      expect(bytesOf(capacity!), where).toBeGreaterThanOrEqual(bytesOf(asked))
      progress(where)
    })
  })

  storageTest('Q1-03 a claim is namespaced, invisible from another namespace; its volume is cluster-scoped', async ({ kube, ns, otherNamespace, storageClass }) => {
    await givenLunchbox(kube, ns, storageClass)
    const other = await Given('another namespace', otherNamespace)
    const pvc = await Then(`reading ${claim} in ${ns} finds it`, async () => {
      const found = await findPvc(kube, ns, claim)
      expect(found?.metadata?.namespace, `claim ${ns}/${claim}`).toBe(ns)
      return found!
    })
    await And(`reading ${claim} in ${other} answers 404 Not Found`, async () => {
      expect(await findPvc(kube, other, claim), `claim ${other}/${claim}`).toBeUndefined()
    })
    await And(`its volume ${pvc.spec?.volumeName} is read without a namespace, and its claimRef points to ${ns}/${claim}`, async () => {
      const pv = await getPv(kube, pvc.spec!.volumeName!)
      expect(pv.metadata?.namespace, `volume ${pv.metadata?.name}`).toBeUndefined()
      expect(pv.spec?.claimRef, `claimRef of volume ${pv.metadata?.name}`).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: ns, name: claim, uid: pvc.metadata?.uid })
    })
  })

  storageTest('Q1-04 a file written through a pod is still there after the pod is deleted and recreated', async ({ kube, ns, storageClass }) => {
    const first = await givenLunchbox(kube, ns, storageClass)
    const volume = first.pvc.spec?.volumeName ?? ''
    await When(`"${potato.text}" is written to ${potato.file} in lunchbox`, () => writeFileIn(kube, ns, 'lunchbox', potato.file, potato.text))
    const again = await When('lunchbox is deleted and created again from the same manifest', async () => {
      await recreateLunchbox(kube, ns)
      return waitForPodReady(kube, ns, 'lunchbox')
    })
    await Then(`the new pod (another uid) reads "${potato.text}" from ${potato.file}`, async () => {
      expect(again.metadata?.uid, `pod ${ns}/lunchbox`).not.toBe(first.pod.metadata?.uid)
      expect(await readFileIn(kube, ns, 'lunchbox', potato.file), `${potato.file} in ${ns}/lunchbox (class ${storageClass})`).toBe(potato.text)
    })
    await And(`the claim is still bound to the same volume ${volume}`, async () => {
      expect((await getPvc(kube, ns, claim)).spec?.volumeName ?? '', `volume of claim ${ns}/${claim}`).toBe(volume)
    })
  })

  storageTest('Q1-05 the recreated pod runs on a node its volume allows; a node-local volume keeps it from moving', async ({ task, kube, ns, storageClass }) => {
    const { pvc } = await givenLunchbox(kube, ns, storageClass)
    const volume = pvc.spec?.volumeName ?? ''
    await Given(`"${potato.text}" written to ${potato.file}`, () => writeFileIn(kube, ns, 'lunchbox', potato.file, potato.text))
    // Placed, not yet Ready: a pod placed where its volume cannot follow never starts, and that is
    // the property's violation (a Then step's), not a cluster too slow to start it.
    const again = await When('lunchbox is deleted and created again, and the scheduler places it on a node', async () => {
      await recreateLunchbox(kube, ns)
      return waitForPod(kube, ns, 'lunchbox', 'to be placed on a node', (p) => Boolean(p.spec?.nodeName))
    })
    const nodeName = again.spec?.nodeName ?? ''
    const required = await Then(`it is placed on node ${nodeName}, which the node affinity of volume ${volume} allows`, async () => {
      const affinity = (await getPv(kube, volume)).spec?.nodeAffinity?.required
      if (!affinity) progress(`volume ${volume} (class ${storageClass}) has no node affinity: any node is allowed`)
      else {
        const node = await getNode(kube, nodeName)
        expect(nodeSelectorAllows(affinity, node), `pod ${ns}/lunchbox placed on node ${nodeName}; volume ${volume} (class ${storageClass}) allows ${describeNodeSelector(affinity)}`).toBe(true)
      }
      return affinity
    })
    await When(`lunchbox is Ready on node ${nodeName}`, () => waitForPodReady(kube, ns, 'lunchbox'))
    await Then(`it reads "${potato.text}" back there`, async () => {
      expect(await readFileIn(kube, ns, 'lunchbox', potato.file), `${potato.file} in ${ns}/lunchbox on ${nodeName}`).toBe(potato.text)
    })
    // What to expect of a move follows from the volume's node affinity and the
    // schedulable nodes: a node-local volume excludes every other node, a zonal
    // one the nodes of other zones, a volume without affinity none.
    const { excluded, schedulable } = await And(`the schedulable nodes that the node affinity of volume ${volume} excludes`, async () => {
      const nodes = await listNodes(kube)
      const out = { excluded: nodesExcludedBy(required, nodes), schedulable: nodes.filter(isSchedulableLinux).length }
      progress(out.excluded.length ? `excluded: ${out.excluded.map((n) => n.metadata?.name).join(', ')} (${describeNodeSelector(required)})` : `none of ${out.schedulable}: ${describeNodeSelector(required)}`)
      return out
    })
    const target = excluded[0]?.metadata?.name
    if (!target) {
      skipPart(task, `a move the volume's node affinity forbids: none of the ${schedulable} schedulable node${schedulable === 1 ? '' : 's'} is excluded by it (volume ${volume} of class ${storageClass}: ${describeNodeSelector(required)})`)
      return
    }
    // On a node full of the run's other pods the scheduler says "Insufficient cpu" before it looks at
    // the volume: that is a turn to wait (waitForSchedulerJudgement), not its verdict.
    const judged = await When(`lunchbox is recreated pinned to node ${target}, which the volume's node affinity excludes, and the scheduler judges it`, async () => {
      await recreateLunchbox(kube, ns, (p) => {
        p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [target] }] }] } } }
      })
      return waitForSchedulerJudgement(kube, ns, 'lunchbox', isVolumeNodeAffinityConflict)
    })
    await Then('it stays Pending: the scheduler reports a volume node affinity conflict', async () => {
      const where = `pod ${ns}/lunchbox pinned to node ${target}, which volume ${volume} excludes`
      expect(judged.spec?.nodeName, `node of ${where}`).toBeFalsy()
      const scheduled = judged.status?.conditions?.find((c) => c.type === 'PodScheduled')
      progress(`PodScheduled ${scheduled?.status} ${scheduled?.reason}: ${scheduled?.message}`)
      expect(isVolumeNodeAffinityConflict(scheduled?.message), `the scheduler's reason for ${where}: ${scheduled?.message}`).toBe(true)
      const p = await getPod(kube, ns, 'lunchbox')
      expect(p.status?.phase, where).toBe('Pending')
      expect(p.spec?.nodeName, `node of ${where}`).toBeFalsy()
    })
  })

  storageTest('Q1-06 a second pod on the same node shares a ReadWriteOnce claim; a ReadWriteOncePod claim refuses it', async ({ task, kube, ns, capabilities, storageClass }) => {
    const first = await givenLunchbox(kube, ns, storageClass)
    await Given(`"${potato.text}" written to ${potato.file} in lunchbox`, () => writeFileIn(kube, ns, 'lunchbox', potato.file, potato.text))
    const second = await When('a second pod, second-lunchbox, mounts the same claim on the same node', async () => {
      await applyFixture(kube, ns, '001/second-lunchbox.yaml')
      return waitForPodReady(kube, ns, 'second-lunchbox')
    })
    await Then(`it runs beside lunchbox on node ${first.pod.spec?.nodeName} and reads "${potato.text}"`, async () => {
      expect(second.spec?.nodeName, `node of pod ${ns}/second-lunchbox`).toBe(first.pod.spec?.nodeName)
      expect(await readFileIn(kube, ns, 'second-lunchbox', potato.file), `${potato.file} in ${ns}/second-lunchbox (class ${storageClass})`).toBe(potato.text)
    })
    await And('what it writes, lunchbox reads: one volume', async () => {
      await writeFileIn(kube, ns, 'second-lunchbox', '/ingridients/bacon', 'crispy bacon')
      expect(await readFileIn(kube, ns, 'lunchbox', '/ingridients/bacon'), `/ingridients/bacon written by second-lunchbox, read in ${ns}/lunchbox`).toBe('crispy bacon')
    })

    // Whether the class's provisioner binds a ReadWriteOncePod claim at all was
    // tried once for the run (lib/storage/probe.ts); one it bound must hold here.
    const rwopMissing = missingCapability(capabilities, 'ReadWriteOncePod')
    if (rwopMissing) {
      skipPart(task, rwopMissing)
      return
    }
    const rwop = 'sandwich-ingridients-rwop'
    await When(`a ReadWriteOncePod claim ${rwop} of class ${storageClass} is used by the pod lunchbox-rwop`, async () => {
      await applyFixture(kube, ns, '001/lunchbox-rwop.yaml', { storageClass })
      await waitForPvcBound(kube, ns, rwop)
      await waitForPodReady(kube, ns, 'lunchbox-rwop')
    })
    // The scheduler names the claim only for a node that has room for the pod: on a node full of the
    // run's other pods it says "Insufficient cpu" first. That is a turn to wait, not its verdict.
    const refused = await When('a second pod, second-lunchbox-rwop, asks for that claim on the same node, and the scheduler judges it', async () => {
      await applyFixture(kube, ns, '001/second-lunchbox-rwop.yaml')
      return waitForSchedulerJudgement(kube, ns, 'second-lunchbox-rwop', (m) => /ReadWriteOncePod/.test(m))
    })
    await Then('it is refused: it stays Pending, and the scheduler says the ReadWriteOncePod claim is in use', async () => {
      const where = `pod ${ns}/second-lunchbox-rwop`
      expect(refused.spec?.nodeName, `node of ${where}`).toBeFalsy()
      const scheduled = refused.status?.conditions?.find((c) => c.type === 'PodScheduled')
      progress(`PodScheduled ${scheduled?.status} ${scheduled?.reason}: ${scheduled?.message}`)
      expect(scheduled, `PodScheduled of ${where}`).toMatchObject({ status: 'False', reason: 'Unschedulable', message: expect.stringMatching(/ReadWriteOncePod/) })
      const p = await getPod(kube, ns, 'second-lunchbox-rwop')
      expect(p.status?.phase, where).toBe('Pending')
      expect(p.spec?.nodeName, `node of ${where}`).toBeFalsy()
    })
  })

  storageTest('Q1-07 deleting the pod does not delete its claim', async ({ kube, ns, storageClass }) => {
    const { pvc: before } = await givenLunchbox(kube, ns, storageClass)
    await When('lunchbox is deleted', () => deletePodAndWaitGone(kube, ns, 'lunchbox'))
    await Then(`the claim ${claim} is still there: the same claim, Bound to the same volume, not terminating`, async () => {
      const after = await findPvc(kube, ns, claim)
      const where = `claim ${ns}/${claim} (class ${storageClass}) after its pod was deleted`
      expect(after, where).toBeDefined()
      expect(after!.metadata?.uid, where).toBe(before.metadata?.uid)
      expect(after!.status?.phase, where).toBe('Bound')
      expect(after!.spec?.volumeName, where).toBe(before.spec?.volumeName)
      expect(after!.metadata?.deletionTimestamp, where).toBeUndefined()
    })
  })

  storageTest('Q1-08 a claim in use can be deleted, but stays Terminating, its data usable, until the pod is gone', async ({ kube, ns, storageClass, onTestFinished }) => {
    await givenLunchbox(kube, ns, storageClass)
    await Given(`"${potato.text}" written to ${potato.file}`, () => writeFileIn(kube, ns, 'lunchbox', potato.file, potato.text))
    // Both watched from before the claim's deletion: which went first is read from their removals, not sampled.
    const [claimLog, podLog] = await Promise.all([recordClaim(kube, ns, claim), recordPod(kube, ns, 'lunchbox')])
    onTestFinished(() => { claimLog.stop(); podLog.stop() })
    await When(`the claim ${claim} is deleted while lunchbox uses it`, () => deletePvc(kube, ns, claim))
    await Then('the delete is accepted: the claim has a deletion timestamp, and the finalizer kubernetes.io/pvc-protection holds it', async () => {
      // Deleted outright (no finalizer held it) is an answer too: the claim is gone, not Terminating.
      const pvc = await waitForPvc(kube, ns, claim, 'to be Terminating', (p) => !!p.metadata?.deletionTimestamp, 'pvcBound', { absentIsFinal: true })
      expect(pvc.metadata?.finalizers, `finalizers of claim ${ns}/${claim} (class ${storageClass})`).toContain('kubernetes.io/pvc-protection')
    })
    await And(`lunchbox still reads "${potato.text}", and can write more`, async () => {
      expect(await readFileIn(kube, ns, 'lunchbox', potato.file), `${potato.file} in ${ns}/lunchbox`).toBe(potato.text)
      await writeFileIn(kube, ns, 'lunchbox', '/ingridients/more-potatos', 'more potatos')
      expect(await readFileIn(kube, ns, 'lunchbox', '/ingridients/more-potatos'), `/ingridients/more-potatos in ${ns}/lunchbox`).toBe('more potatos')
    })
    await And('the claim is still there afterwards, Terminating and Bound', async () => {
      const pvc = await findPvc(kube, ns, claim)
      expect(pvc?.metadata?.deletionTimestamp, `claim ${ns}/${claim} while lunchbox runs`).toBeTruthy()
      expect(pvc?.status?.phase, `claim ${ns}/${claim} while lunchbox runs`).toBe('Bound')
    })
    await When('lunchbox is deleted', () => deletePodAndWaitGone(kube, ns, 'lunchbox'))
    await Then(`the claim ${claim} disappears, and only after lunchbox is gone`, async () => {
      await waitForPvcGone(kube, ns, claim)
      // The recorders' watches may trail the waits'.
      await waitForRecording(podLog.log, 'lunchbox removed', (l) => !!l.removal(), 'podDeleted')
      await waitForRecording(claimLog.log, `${claim} removed`, (l) => !!l.removal(), 'pvcDeleted')
      const problem = removedAfter(claimLog.log, podLog.log)
      expect(problem, problem).toBeUndefined()
    })
  })
})
