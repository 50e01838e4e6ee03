// specs/001-pvc-and-statefulset-quest.spec.ts — mirrors quest 001
// (shared/quests/001_e9b69f59e3a36be4.txt), the Russian hands-on quest on PVCs
// and StatefulSets. Part 1: the claim "sandwich-ingridients" (20Mi,
// ReadWriteOnce), a pod writing "tasty potatos" into <mount>/potato, deleted and
// recreated, a second pod on the same claim, deleting the pod and the claim.
// Part 2: the app as a StatefulSet behind the headless Service "kitchen", looked
// up from a debug pod (the `client` fixture) with nslookup <pod>.<service>,
// written to, deleted and scaled. Then the quest's closing questions:
// serviceName, pod IPs, clusterIP: None, when claims are deleted, static
// volumes, the start order.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import { inject } from 'vitest'
import { missingCapability } from '../lib/storage/capabilities.ts'
import { describeEvent } from '../lib/resources/events.ts'
import { waitForK8sEvent } from '../lib/wait/events.ts'
import { execOk } from '../lib/k8s/exec.ts'
import type { ClusterClient } from '../lib/apps/cluster-client.ts'
import type { Kube } from '../lib/k8s/kube.ts'
import { applyFixture, applyObjects, loadManifest } from '../lib/k8s/manifests.ts'
import { createNamespace, deleteNamespace, managedBy } from '../lib/k8s/namespaces.ts'
import { describeNodeSelector, nodeSelectorAllows } from '../lib/resources/nodes.ts'
import { orderedStartViolations } from '../lib/observe/ordered-start.ts'
import { bytesOf, describeQuantity } from '../lib/k8s/quantity.ts'
import { capabilitiesOf } from '../lib/harness/claim-entry.ts'
import { getService } from '../lib/resources/services.ts'
import { getNode } from '../lib/resources/nodes.ts'
import { defaultStorageClass, deletePv, findPvc, getStorageClass, listStorageClasses } from '../lib/resources/storage.ts'
import { isDefaultClass } from '../lib/resources/storage.ts'
import { waitForTimelineEvents } from '../lib/observe/recordings.ts'
import { attachTimeline, skipClaim, skipPart } from '../lib/harness/claim-entry.ts'
import { storageTest, test } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { progress } from '../lib/k8s/progress.ts'
import { describe, expect } from 'vitest'
import { isPodReady } from '../lib/resources/pods.ts'
import { waitForPod, waitForPodGone, waitForPodReady, waitForPods, waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForReadyAddresses } from '../lib/wait/services.ts'
import { waitForPv, waitForPvc, waitForPvcBound, waitForPvcGone } from '../lib/wait/storage.ts'
import { createPodFromFixture, deletePod, findPod, getPod, listPods, podIp, podNames } from '../lib/resources/pods.ts'
import { deletePvc, getPv, getPvc, listPvcs } from '../lib/resources/storage.ts'
import { deleteStatefulSet, getStatefulSet, scale } from '../lib/resources/workloads.ts'

// The quest's own names and values.
const claim = 'sandwich-ingridients'
const potato = { file: '/ingridients/potato', text: 'tasty potatos' }
const sts = { name: 'sandwich', service: 'kitchen', selector: 'app=sandwich' }
const podOf = (i: number) => `${sts.name}-${i}`
const claimOf = (i: number) => `ingridients-${podOf(i)}`
const fqdnOf = (pod: string, ns: string) => `${pod}.${sts.service}.${ns}.svc.cluster.local`

// ---- part 1: a claim and a pod -----------------------------------------------

const givenClaim = (kube: Kube, ns: string, storageClass?: string) =>
  Given(`the claim ${claim} (20Mi, ReadWriteOnce)${storageClass ? ` of class ${storageClass}` : ''}`, () =>
    applyFixture(kube, ns, '001/sandwich-ingridients.yaml', { storageClass }))

// The claim and the pod "lunchbox" that mounts it at /ingridients: Ready, the claim Bound.
async function givenLunchbox(kube: Kube, ns: string, storageClass: string): Promise<V1Pod> {
  await givenClaim(kube, ns, storageClass)
  return Given('the pod lunchbox mounting it at /ingridients, Ready', async () => {
    await applyFixture(kube, ns, '001/lunchbox.yaml')
    await waitForPvcBound(kube, ns, claim)
    return waitForPodReady(kube, ns, 'lunchbox')
  })
}

const write = (kube: Kube, ns: string, pod: string, file: string, text: string) =>
  execOk(kube, ns, pod, ['sh', '-c', `echo "${text}" > ${file}`])
const read = async (kube: Kube, ns: string, pod: string, file: string) => (await execOk(kube, ns, pod, ['cat', file])).trim()

// Deletes the pod, waits until it is gone, and creates it again from its fixture.
async function recreate(kube: Kube, ns: string, pod: string, fixture: string, edit?: (p: V1Pod) => void): Promise<V1Pod> {
  const uid = (await deletePod(kube, ns, pod)).metadata?.uid
  await waitForPodGone(kube, ns, pod, uid)
  return createPodFromFixture(kube, ns, fixture, pod, edit)
}

const volumeOf = async (kube: Kube, ns: string, name: string) => (await getPvc(kube, ns, name)).spec?.volumeName ?? ''

// ---- part 2: the StatefulSet -------------------------------------------------

const createStatefulSet = (kube: Kube, ns: string, replicas: number, storageClass?: string) =>
  applyFixture(kube, ns, '001/statefulset.yaml', {
    storageClass,
    patch: (o) => { if (o.kind === 'StatefulSet') (o as V1StatefulSet).spec!.replicas = replicas },
  })

async function givenStatefulSet(kube: Kube, ns: string, { replicas = 2, storageClass }: { replicas?: number; storageClass?: string } = {}): Promise<V1Pod[]> {
  return Given(`the StatefulSet sandwich (${replicas} replica${replicas > 1 ? 's' : ''}, a claim per pod from the template ingridients${storageClass ? ` of class ${storageClass}` : ''}) governed by the headless Service kitchen`, async () => {
    await createStatefulSet(kube, ns, replicas, storageClass)
    return waitForReadyReplicas(kube, ns, sts.selector, replicas)
  })
}

// What `nslookup <pod>.<service>` in the debug pod shows: the short name
// through the pod's resolver (search list), the full name through DNS. DNS
// follows the EndpointSlices with a delay: wait until the pod's current IP is
// answered, then the full name must answer that IP and no other.
async function expectPodNameResolves(client: ClusterClient, ns: string, pod: V1Pod): Promise<void> {
  const name = pod.metadata!.name!
  const ip = podIp(pod)
  await client.waitForResolution(`${name}.${sts.service}`, `answers ${ip}, the IP of pod ${ns}/${name}`, (r) => r.status === 'ok' && r.addresses.includes(ip))
  const full = await client.waitForResolution(fqdnOf(name, ns), `answers ${ip}, the IP of pod ${ns}/${name}`,
    (r) => r.status === 'ok' && r.addresses.includes(ip), { method: 'nslookup' })
  expect(full.status === 'ok' ? full.addresses : full.output, `nslookup ${fqdnOf(name, ns)} from ${ns}/${client.pod}:\n${full.output}`).toEqual([ip])
}

const claimUids = async (kube: Kube, ns: string) =>
  Object.fromEntries((await listPvcs(kube, ns)).map((c) => [c.metadata!.name!, c.metadata!.uid!]))

// Each test has its own namespace (and the static volume its own name): they run side by side.
describe.concurrent('Q1 PVC and StatefulSet quest', () => {
  test('Q1-01 the cluster lists its StorageClasses; a claim without storageClassName gets the default class', async ({ task, skip, kube, ns }) => {
    const classes = await Given('the StorageClasses of the cluster (kubectl get storageclasses)', async () => {
      const list = await listStorageClasses(kube)
      progress(list.map((c) => `${c.metadata?.name}${isDefaultClass(c) ? ' (default)' : ''}: ${c.provisioner}, ${c.volumeBindingMode ?? 'Immediate'}`).join('; ') || 'none')
      return list
    })
    const def = defaultStorageClass(classes)
    if (!def) {
      skipClaim({ task, skip }, `no StorageClass is marked default (annotation storageclass.kubernetes.io/is-default-class): a claim without storageClassName gets no class (classes: ${classes.map((c) => c.metadata?.name).join(', ') || 'none'})`)
    }
    await When(`the claim ${claim} is created without storageClassName`, () => applyFixture(kube, ns, '001/sandwich-ingridients.yaml'))
    await Then(`read back, it names the default class ${def.metadata?.name}`, async () => {
      const pvc = await getPvc(kube, ns, claim)
      expect(pvc.spec?.storageClassName, `storageClassName of claim ${ns}/${claim}`).toBe(def.metadata?.name)
    })
  })

  storageTest('Q1-02 a 20Mi ReadWriteOnce claim is accepted and becomes Bound with at least 20Mi', async ({ kube, ns, storageClass }) => {
    const binding = (await getStorageClass(kube, storageClass)).volumeBindingMode ?? 'Immediate'
    await When(`the claim ${claim} of class ${storageClass} (binding ${binding}) is applied`, () =>
      applyFixture(kube, ns, '001/sandwich-ingridients.yaml', { storageClass }))
    await Then('it is accepted as asked: ReadWriteOnce, 20Mi', async () => {
      const pvc = await getPvc(kube, ns, claim)
      expect(pvc.spec?.accessModes, `claim ${ns}/${claim}`).toEqual(['ReadWriteOnce'])
      expect(bytesOf(pvc.spec?.resources?.requests?.storage ?? '0'), `request of claim ${ns}/${claim}`).toBe(bytesOf('20Mi'))
    })
    if (binding === 'WaitForFirstConsumer') {
      // The PV controller's WaitForFirstConsumer event is its decision not to
      // bind yet: after it, the claim must still be Pending with no volume.
      await Then('without a pod it waits: the PV controller says so, and the claim stays Pending with no volume', async () => {
        const e = await waitForK8sEvent(kube, ns, { kind: 'PersistentVolumeClaim', name: claim }, 'WaitForFirstConsumer',
          (x) => x.reason === 'WaitForFirstConsumer', 'pvcBound')
        progress(describeEvent(e))
        const pvc = await getPvc(kube, ns, claim)
        expect(pvc.status?.phase, `claim ${ns}/${claim} of class ${storageClass} before any pod uses it`).toBe('Pending')
        expect(pvc.spec?.volumeName, `volume of claim ${ns}/${claim} before any pod uses it`).toBeFalsy()
      })
      await When('a pod uses it', () => applyFixture(kube, ns, '001/lunchbox.yaml'))
    }
    const bound = await Then(binding === 'WaitForFirstConsumer' ? 'it becomes Bound' : 'it becomes Bound without any pod', () => waitForPvcBound(kube, ns, claim))
    await And('its capacity is at least 20Mi (20971520 bytes)', () => {
      const capacity = bound.status?.capacity?.storage
      const where = `claim ${ns}/${claim} of class ${storageClass}, volume ${bound.spec?.volumeName}: capacity ${describeQuantity(capacity)}`
      expect(capacity, where).toBeDefined()
      expect(bytesOf(capacity!), where).toBeGreaterThanOrEqual(bytesOf('20Mi'))
      progress(where)
    })
  })

  storageTest('Q1-03 a claim is namespaced, invisible from another namespace; its volume is cluster-scoped', async ({ task, kube, ns, cleanup, storageClass }) => {
    await givenLunchbox(kube, ns, storageClass)
    const other = await Given('another namespace', async () => {
      const name = await createNamespace(kube, `${task.name} other`, inject('runId'), 'Q1-03')
      cleanup.add(`namespace ${name}`, () => deleteNamespace(kube, name))
      return name
    })
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
    const volume = await volumeOf(kube, ns, claim)
    await When(`"${potato.text}" is written to ${potato.file} in lunchbox`, () => write(kube, ns, 'lunchbox', potato.file, potato.text))
    const again = await When('lunchbox is deleted and created again from the same manifest', async () => {
      await recreate(kube, ns, 'lunchbox', '001/lunchbox.yaml')
      return waitForPodReady(kube, ns, 'lunchbox')
    })
    await Then(`the new pod (another uid) reads "${potato.text}" from ${potato.file}`, async () => {
      expect(again.metadata?.uid, `pod ${ns}/lunchbox`).not.toBe(first.metadata?.uid)
      expect(await read(kube, ns, 'lunchbox', potato.file), `${potato.file} in ${ns}/lunchbox (class ${storageClass})`).toBe(potato.text)
    })
    await And(`the claim is still bound to the same volume ${volume}`, async () => {
      expect(await volumeOf(kube, ns, claim), `volume of claim ${ns}/${claim}`).toBe(volume)
    })
  })

  storageTest('Q1-05 the recreated pod runs on a node its volume allows; a node-local volume keeps it from moving', async (ctx) => {
    const { kube, ns, storageClass } = ctx
    await givenLunchbox(kube, ns, storageClass)
    await Given(`"${potato.text}" written to ${potato.file}`, () => write(kube, ns, 'lunchbox', potato.file, potato.text))
    const again = await When('lunchbox is deleted and created again', async () => {
      await recreate(kube, ns, 'lunchbox', '001/lunchbox.yaml')
      return waitForPodReady(kube, ns, 'lunchbox')
    })
    const pv = await getPv(kube, await volumeOf(kube, ns, claim))
    const affinity = pv.spec?.nodeAffinity?.required
    const nodeName = again.spec?.nodeName ?? ''
    await Then(`it runs on node ${nodeName}, which the node affinity of volume ${pv.metadata?.name} allows`, async () => {
      if (!affinity) progress(`volume ${pv.metadata?.name} (class ${storageClass}) has no node affinity: any node is allowed`)
      else {
        const node = await getNode(kube, nodeName)
        expect(nodeSelectorAllows(affinity, node), `pod ${ns}/lunchbox on node ${nodeName}; volume ${pv.metadata?.name} (class ${storageClass}) allows ${describeNodeSelector(affinity)}`).toBe(true)
      }
      expect(await read(kube, ns, 'lunchbox', potato.file), `${potato.file} in ${ns}/lunchbox on ${nodeName}`).toBe(potato.text)
    })
    const schedulable = inject('cluster').schedulableNodes
    if (schedulable < 2) {
      skipPart(ctx, `moving the pod to another node needs 2 or more schedulable nodes; the cluster has ${schedulable}`)
      return
    }
    if (!affinity) {
      skipPart(ctx, `volume ${pv.metadata?.name} (class ${storageClass}) has no node affinity: nothing ties it to node ${nodeName}, so there is no move to refuse`)
      return
    }
    await When(`lunchbox is recreated with a node affinity that excludes node ${nodeName}`, () =>
      recreate(kube, ns, 'lunchbox', '001/lunchbox.yaml', (p) => {
        p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: [nodeName] }] }] } } }
      }))
    await Then('it stays Pending: the scheduler reports a volume node affinity conflict', async () => {
      const e = await waitForK8sEvent(kube, ns, { kind: 'Pod', name: 'lunchbox' }, 'FailedScheduling with a volume node affinity conflict',
        (x) => x.reason === 'FailedScheduling' && /volume node affinity conflict/i.test(x.message ?? ''), 'podReady')
      progress(describeEvent(e))
      const p = await getPod(kube, ns, 'lunchbox')
      expect(p.status?.phase, `pod ${ns}/lunchbox kept off node ${nodeName}`).toBe('Pending')
      expect(p.spec?.nodeName, `node of pod ${ns}/lunchbox`).toBeFalsy()
    })
  })

  storageTest('Q1-06 a second pod on the same node shares a ReadWriteOnce claim; a ReadWriteOncePod claim refuses it', async (ctx) => {
    const { kube, ns, storageClass } = ctx
    const first = await givenLunchbox(kube, ns, storageClass)
    await Given(`"${potato.text}" written to ${potato.file} in lunchbox`, () => write(kube, ns, 'lunchbox', potato.file, potato.text))
    const second = await When('a second pod, second-lunchbox, mounts the same claim on the same node', async () => {
      await applyFixture(kube, ns, '001/second-lunchbox.yaml')
      return waitForPodReady(kube, ns, 'second-lunchbox')
    })
    await Then(`it runs beside lunchbox on node ${first.spec?.nodeName} and reads "${potato.text}"`, async () => {
      expect(second.spec?.nodeName, `node of pod ${ns}/second-lunchbox`).toBe(first.spec?.nodeName)
      expect(await read(kube, ns, 'second-lunchbox', potato.file), `${potato.file} in ${ns}/second-lunchbox (class ${storageClass})`).toBe(potato.text)
    })
    await And('what it writes, lunchbox reads: one volume', async () => {
      await write(kube, ns, 'second-lunchbox', '/ingridients/bacon', 'crispy bacon')
      expect(await read(kube, ns, 'lunchbox', '/ingridients/bacon'), `/ingridients/bacon written by second-lunchbox, read in ${ns}/lunchbox`).toBe('crispy bacon')
    })

    // Whether the class's provisioner binds a ReadWriteOncePod claim at all was
    // tried once for the run (lib/capability-probe.ts); one it bound must hold here.
    const rwopMissing = missingCapability(capabilitiesOf(storageClass), 'ReadWriteOncePod')
    if (rwopMissing) {
      skipPart(ctx, rwopMissing)
      return
    }
    const rwop = 'sandwich-ingridients-rwop'
    await Given(`a ReadWriteOncePod claim ${rwop} of class ${storageClass}, used by the pod lunchbox-rwop`, async () => {
      await applyFixture(kube, ns, '001/lunchbox-rwop.yaml', { storageClass })
      await waitForPvcBound(kube, ns, rwop)
      await waitForPodReady(kube, ns, 'lunchbox-rwop')
    })
    await When('a second pod, second-lunchbox-rwop, asks for that claim on the same node', () => applyFixture(kube, ns, '001/second-lunchbox-rwop.yaml'))
    await Then('it is refused: it stays Pending, and the scheduler says the ReadWriteOncePod claim is in use', async () => {
      const e = await waitForK8sEvent(kube, ns, { kind: 'Pod', name: 'second-lunchbox-rwop' }, 'FailedScheduling naming ReadWriteOncePod',
        (x) => x.reason === 'FailedScheduling' && /ReadWriteOncePod/.test(x.message ?? ''), 'podReady')
      progress(describeEvent(e))
      const p = await getPod(kube, ns, 'second-lunchbox-rwop')
      expect(p.status?.phase, `pod ${ns}/second-lunchbox-rwop`).toBe('Pending')
      expect(p.spec?.nodeName, `node of pod ${ns}/second-lunchbox-rwop`).toBeFalsy()
      expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled'), `PodScheduled of ${ns}/second-lunchbox-rwop`).toMatchObject({ status: 'False', reason: 'Unschedulable' })
    })
  })

  storageTest('Q1-07 deleting the pod does not delete its claim', async ({ kube, ns, storageClass }) => {
    const pod = await givenLunchbox(kube, ns, storageClass)
    const before = await getPvc(kube, ns, claim)
    await When('lunchbox is deleted', async () => {
      await deletePod(kube, ns, 'lunchbox')
      await waitForPodGone(kube, ns, 'lunchbox', pod.metadata?.uid)
    })
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

  storageTest('Q1-08 a claim in use can be deleted, but stays Terminating, its data usable, until the pod is gone', async ({ kube, ns, storageClass }) => {
    const pod = await givenLunchbox(kube, ns, storageClass)
    await Given(`"${potato.text}" written to ${potato.file}`, () => write(kube, ns, 'lunchbox', potato.file, potato.text))
    await When(`the claim ${claim} is deleted while lunchbox uses it`, () => deletePvc(kube, ns, claim))
    await Then('the delete is accepted: the claim has a deletion timestamp, and the finalizer kubernetes.io/pvc-protection holds it', async () => {
      const pvc = await waitForPvc(kube, ns, claim, 'to be Terminating', (p) => !!p.metadata?.deletionTimestamp)
      expect(pvc.metadata?.finalizers, `finalizers of claim ${ns}/${claim} (class ${storageClass})`).toContain('kubernetes.io/pvc-protection')
    })
    await And(`lunchbox still reads "${potato.text}", and can write more`, async () => {
      expect(await read(kube, ns, 'lunchbox', potato.file), `${potato.file} in ${ns}/lunchbox`).toBe(potato.text)
      await write(kube, ns, 'lunchbox', '/ingridients/more-potatos', 'more potatos')
      expect(await read(kube, ns, 'lunchbox', '/ingridients/more-potatos'), `/ingridients/more-potatos in ${ns}/lunchbox`).toBe('more potatos')
    })
    await And('the claim is still there afterwards, Terminating and Bound', async () => {
      const pvc = await findPvc(kube, ns, claim)
      expect(pvc?.metadata?.deletionTimestamp, `claim ${ns}/${claim} while lunchbox runs`).toBeTruthy()
      expect(pvc?.status?.phase, `claim ${ns}/${claim} while lunchbox runs`).toBe('Bound')
    })
    await When('lunchbox is deleted', async () => {
      await deletePod(kube, ns, 'lunchbox')
      await waitForPodGone(kube, ns, 'lunchbox', pod.metadata?.uid)
    })
    await Then(`the claim ${claim} disappears`, () => waitForPvcGone(kube, ns, claim))
  })

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
        const pod = await getPod(kube, ns, podOf(i))
        expect(pod.spec?.volumes?.find((v) => v.name === 'ingridients')?.persistentVolumeClaim?.claimName, `claim mounted by ${ns}/${podOf(i)}`).toBe(claimOf(i))
      }
    })
    for (const pod of pods.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))) {
      await Then(`from the debug pod, ${pod.metadata?.name}.${sts.service} resolves to ${pod.metadata?.name}'s IP ${podIp(pod)}`, () =>
        expectPodNameResolves(client, ns, pod))
    }
  })

  storageTest('Q1-10 data written in a StatefulSet pod survives deleting the pod: same name, same claim', async ({ kube, ns, podEvents, storageClass }) => {
    await givenStatefulSet(kube, ns, { replicas: 1, storageClass })
    const before = await getPod(kube, ns, podOf(0))
    const claimBefore = await getPvc(kube, ns, claimOf(0))
    await Given(`"${potato.text}" written to ${potato.file} in ${podOf(0)}`, () => write(kube, ns, podOf(0), potato.file, potato.text))
    const timeline = await podEvents.record({ selector: sts.selector })
    await When(`${podOf(0)} is deleted`, async () => {
      await deletePod(kube, ns, podOf(0))
      await waitForPodGone(kube, ns, podOf(0), before.metadata?.uid)
    })
    const after = await Then(`the StatefulSet brings back a pod named ${podOf(0)} (another uid), Ready`, async () => {
      const p = await waitForPod(kube, ns, podOf(0), 'to be back and Ready', (x) => x.metadata?.uid !== before.metadata?.uid && isPodReady(x))
      await waitForTimelineEvents(timeline, [{ pod: podOf(0), kind: 'ready', incarnation: 'new' }])
      expect(timeline.orderOf([{ pod: podOf(0), kind: 'deleted', incarnation: 'old' }, { pod: podOf(0), kind: 'ready', incarnation: 'new' }]), timeline.describe())
        .toEqual([`${podOf(0)} deleted (old)`, `${podOf(0)} ready (new)`])
      return p
    })
    await And(`it mounts the same claim ${claimOf(0)}, Bound to the same volume ${claimBefore.spec?.volumeName}`, async () => {
      expect(after.spec?.volumes?.find((v) => v.name === 'ingridients')?.persistentVolumeClaim?.claimName, `claim mounted by ${ns}/${podOf(0)}`).toBe(claimOf(0))
      const c = await getPvc(kube, ns, claimOf(0))
      expect(c.metadata?.uid, `claim ${ns}/${claimOf(0)}`).toBe(claimBefore.metadata?.uid)
      expect(c.spec?.volumeName, `claim ${ns}/${claimOf(0)}`).toBe(claimBefore.spec?.volumeName)
    })
    await And(`it reads "${potato.text}"`, async () => {
      expect(await read(kube, ns, podOf(0), potato.file), `${potato.file} in ${ns}/${podOf(0)} (class ${storageClass})`).toBe(potato.text)
    })
  })

  storageTest('Q1-11 scaling up goes in ordinal order, each pod after the previous is Ready; scaling down removes the highest first; claims stay and come back with their data', async ({ task, kube, ns, podEvents, storageClass }) => {
    const all = [0, 1, 2].map(podOf)
    await givenStatefulSet(kube, ns, { replicas: 1, storageClass })
    const up = await podEvents.record({ selector: sts.selector })
    attachTimeline(task, `scale-up 1 → 3 of StatefulSet ${sts.name} in ${ns}`, up,
      [{ pod: podOf(0), kind: 'ready' }, { pod: podOf(1), kind: 'created' }, { pod: podOf(1), kind: 'ready' }, { pod: podOf(2), kind: 'created' }])
    await When('it is scaled to 3 replicas', async () => {
      await scale(kube, ns, 'StatefulSet', sts.name, 3)
      await waitForReadyReplicas(kube, ns, sts.selector, 3)
    })
    await Then(`${podOf(1)} is created only after ${podOf(0)} is Running and Ready, ${podOf(2)} only after ${podOf(1)}`, async () => {
      await waitForTimelineEvents(up, [{ pod: podOf(2), kind: 'ready', incarnation: 'new' }])
      expect(up.orderOfFirst('created', 'new'), up.describe()).toEqual([podOf(1), podOf(2)])
      expect(orderedStartViolations(up, all), up.describe()).toEqual([])
    })
    const claims = await Given('each pod writes its own name into its volume', async () => {
      for (const pod of all) await write(kube, ns, pod, potato.file, `${potato.text} from ${pod}`)
      return Object.fromEntries(await Promise.all([1, 2].map(async (i) => [claimOf(i), await getPvc(kube, ns, claimOf(i))] as const)))
    })
    const down = await podEvents.record({ selector: sts.selector })
    attachTimeline(task, `scale-down 3 → 1 of StatefulSet ${sts.name} in ${ns}`, down,
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
      expect(down.orderOfFirst('terminating'), down.describe()).toEqual([podOf(2), podOf(1)])
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
      for (const pod of all) expect(await read(kube, ns, pod, potato.file), `${potato.file} in ${ns}/${pod} (class ${storageClass})`).toBe(`${potato.text} from ${pod}`)
    })
  })

  test('Q1-12 serviceName names the governing Service: hostname = pod name, subdomain = service, FQDN <pod>.<service>.<ns>.svc.cluster.local', async ({ task, kube, ns, client }) => {
    const ctx = { task }
    const pods = await givenStatefulSet(kube, ns)
    await Then(`the StatefulSet's serviceName is ${sts.service}, a headless Service`, async () => {
      expect((await getStatefulSet(kube, ns, sts.name)).spec?.serviceName, `StatefulSet ${ns}/${sts.name}`).toBe(sts.service)
      expect((await getService(kube, ns, sts.service)).spec?.clusterIP, `Service ${ns}/${sts.service}`).toBe('None')
    })
    for (const pod of pods.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))) {
      const name = pod.metadata!.name!
      await Then(`${name}: the controller set hostname ${name} and subdomain ${sts.service} on the pod`, () => {
        expect(pod.spec?.hostname, `spec.hostname of ${ns}/${name}`).toBe(name)
        expect(pod.spec?.subdomain, `spec.subdomain of ${ns}/${name}`).toBe(sts.service)
      })
      await And(`\`hostname\` in ${name} prints ${name}`, async () => {
        expect((await execOk(kube, ns, name, ['hostname'])).trim(), `hostname in ${ns}/${name}`).toBe(name)
      })
      await And(`its FQDN is ${fqdnOf(name, ns)}: \`hostname -f\` prints it, and DNS answers it with the pod's IP`, async () => {
        const f = (await execOk(kube, ns, name, ['hostname', '-f'])).trim()
        if (f.includes('.')) expect(f, `hostname -f in ${ns}/${name}`).toBe(fqdnOf(name, ns))
        else skipPart(ctx, `hostname -f in ${ns}/${name} printed "${f}" (no domain): the FQDN is checked through DNS only`)
        await expectPodNameResolves(client, ns, pod)
      })
    }
  })

  test('Q1-13 a recreated StatefulSet pod keeps its name and DNS names, which resolve to its current IP', async ({ kube, ns, client }) => {
    await givenStatefulSet(kube, ns)
    const before = await getPod(kube, ns, podOf(0))
    await Given(`${podOf(0)}.${sts.service} resolves to its IP ${podIp(before)}`, () => expectPodNameResolves(client, ns, before))
    const after = await When(`${podOf(0)} is deleted and the StatefulSet recreates it`, async () => {
      await deletePod(kube, ns, podOf(0))
      return waitForPod(kube, ns, podOf(0), 'to be back and Ready', (p) => p.metadata?.uid !== before.metadata?.uid && isPodReady(p))
    })
    await Then(`it is ${podOf(0)} again (another uid); its IP may have changed`, () => {
      expect(after.metadata?.name, `pod in ${ns}`).toBe(podOf(0))
      expect(after.metadata?.uid, `pod ${ns}/${podOf(0)}`).not.toBe(before.metadata?.uid)
      progress(podIp(after) === podIp(before)
        ? `the IP stayed ${podIp(after)} this time (allowed: it may change, it need not)`
        : `the IP changed: ${podIp(before)} → ${podIp(after)}`)
    })
    await And(`${podOf(0)}.${sts.service} and ${fqdnOf(podOf(0), ns)} resolve to its current IP ${podIp(after)}`, () => expectPodNameResolves(client, ns, after))
  })

  test('Q1-14 a Service with clusterIP None has no virtual IP; its name answers with the IPs of the ready pods', async ({ kube, ns, client }) => {
    await givenStatefulSet(kube, ns)
    const name = `${sts.service}.${ns}.svc.cluster.local`
    await Then(`the Service ${sts.service} has clusterIP None`, async () => {
      const svc = await getService(kube, ns, sts.service)
      expect(svc.spec?.clusterIP, `Service ${ns}/${sts.service}`).toBe('None')
      expect(svc.spec?.clusterIPs ?? ['None'], `Service ${ns}/${sts.service}`).toEqual(['None'])
    })
    // The names answer what the EndpointSlices list; both lag the pods a little: wait, then compare.
    const answers = async (ips: string[]) => {
      await waitForReadyAddresses(kube, ns, sts.service, `to list exactly [${ips.join(', ')}]`, (a) => a.join() === ips.join())
      await client.waitForResolution(name, `answers exactly [${ips.join(', ')}]`, (r) => r.status === 'ok' && r.addresses.join() === ips.join(), { method: 'nslookup' })
    }
    const ips = (await listPods(kube, ns, sts.selector)).map(podIp).sort()
    await And(`${name} answers the IPs of both ready pods [${ips.join(', ')}], as its EndpointSlices list them`, () => answers(ips))
    await When(`${podOf(1)} is taken out of service: its readiness probe fails, it keeps running`, async () => {
      await execOk(kube, ns, podOf(1), ['touch', '/tmp/out-of-service'])
      await waitForPod(kube, ns, podOf(1), 'to be not Ready', (p) => !isPodReady(p) && p.status?.phase === 'Running')
    })
    const ready = [podIp(await getPod(kube, ns, podOf(0)))]
    await Then(`${name} answers only ${podOf(0)}'s IP [${ready.join(', ')}]; the EndpointSlices agree`, () => answers(ready))
  })

  storageTest('Q1-15 claims are kept through pod deletion, scale-down and StatefulSet deletion by default, and removed with retention policy Delete', async (ctx) => {
    const { kube, ns, storageClass } = ctx
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
    if (policies.snack?.whenDeleted !== 'Delete' || policies.snack?.whenScaled !== 'Delete') {
      skipClaim(ctx, `the API server dropped persistentVolumeClaimRetentionPolicy from StatefulSet ${ns}/snack (read back: ${JSON.stringify(policies.snack ?? 'unset')}): it lacks StatefulSet PVC auto-deletion (feature StatefulSetAutoDeletePVC)`)
    }
    await Then('sandwich, which sets no policy, reads the default: Retain when deleted, Retain when scaled', () => {
      expect(policies.sandwich, `persistentVolumeClaimRetentionPolicy of StatefulSet ${ns}/${sts.name}`).toMatchObject({ whenDeleted: 'Retain', whenScaled: 'Retain' })
    })
    await Given('both are Ready', () => Promise.all([waitForReadyReplicas(kube, ns, sts.selector, 2), waitForReadyReplicas(kube, ns, 'app=snack', 2)]))
    const before = await claimUids(kube, ns)
    const kept = (names: string[], when: string) => {
      for (const name of names) expect(before[name], `claim ${ns}/${name} ${when} (class ${storageClass})`).toBeDefined()
      return Promise.all(names.map(async (name) => {
        expect((await findPvc(kube, ns, name))?.metadata?.uid, `claim ${ns}/${name} ${when} (class ${storageClass})`).toBe(before[name])
      }))
    }

    await When('pod 1 of each is deleted, and comes back', async () => {
      const old = await Promise.all([podOf(1), 'snack-1'].map((p) => getPod(kube, ns, p)))
      await Promise.all(old.map((p) => deletePod(kube, ns, p.metadata!.name!)))
      await Promise.all(old.map((p) => waitForPod(kube, ns, p.metadata!.name!, 'to be back and Ready', (x) => x.metadata?.uid !== p.metadata?.uid && isPodReady(x))))
    })
    await Then('all four claims are the same claims as before: a pod deletion keeps claims under either policy', () =>
      kept([claimOf(0), claimOf(1), 'ingridients-snack-0', 'ingridients-snack-1'], 'after its pod was deleted'))

    await When('both are scaled down to 1 replica', async () => {
      await Promise.all([scale(kube, ns, 'StatefulSet', sts.name, 1), scale(kube, ns, 'StatefulSet', 'snack', 1)])
      await Promise.all([waitForPodGone(kube, ns, podOf(1)), waitForPodGone(kube, ns, 'snack-1')])
    })
    await Then('snack\'s claim ingridients-snack-1 is removed (whenScaled: Delete)', () => waitForPvcGone(kube, ns, 'ingridients-snack-1'))
    await And(`sandwich's claim ${claimOf(1)} stays (default: Retain)`, () => kept([claimOf(1)], 'after scale-down'))

    await When('both StatefulSets are deleted', async () => {
      await Promise.all([deleteStatefulSet(kube, ns, sts.name), deleteStatefulSet(kube, ns, 'snack')])
      await waitForPods(kube, ns, 'app in (sandwich, snack)', 'all gone', (pods) => pods.length === 0, 'podDeleted')
    })
    await Then('snack\'s last claim ingridients-snack-0 is removed (whenDeleted: Delete)', () => waitForPvcGone(kube, ns, 'ingridients-snack-0'))
    await And(`sandwich's claims ${claimOf(0)} and ${claimOf(1)} stay (default: Retain)`, () => kept([claimOf(0), claimOf(1)], 'after the StatefulSet was deleted'))
  })

  test('Q1-16 a static volume (made by hand, storageClassName "") binds to a matching claim, and with Retain goes Released, data kept', async ({ kube, ns, cleanup }) => {
    // PersistentVolumes are cluster-wide: one name (and host directory) per test run.
    const pv = `sandwich-static-${ns}`
    const dir = `/tmp/stateful-conformance-static/${ns}`
    const applyStatic = async (kind: string) => applyObjects(kube, ns, (await loadManifest('001/static-pv.yaml', {
      patch: (o) => {
        if (o.kind === 'PersistentVolume') {
          o.metadata!.name = pv
          // Labelled like the suite's namespaces, so that `npm run clean` finds it after a killed run.
          o.metadata!.labels = { ...o.metadata!.labels, ...managedBy }
          ;(o as V1PersistentVolume).spec!.hostPath!.path = dir
        }
        if (o.kind === 'PersistentVolumeClaim') (o as V1PersistentVolumeClaim).spec!.volumeName = pv
      },
    })).filter((o) => o.kind === kind))

    // A pod that mounts the node's static-volume folder directly, without the claim.
    const startInspector = async (node: string) => {
      if (!(await findPod(kube, ns, 'potato-inspector'))) {
        await createPodFromFixture(kube, ns, '001/potato-inspector.yaml', 'potato-inspector', (p) => { p.spec!.nodeName = node })
      }
      await waitForPodReady(kube, ns, 'potato-inspector')
    }
    const removeHostDir = async (node: string) => {
      await startInspector(node)
      await execOk(kube, ns, 'potato-inspector', ['rm', '-rf', `/static-volumes/${ns}`])
    }

    await Given(`a volume made by hand: PersistentVolume ${pv}, storageClassName "", reclaim Retain, 20Mi, hostPath ${dir}`, async () => {
      cleanup.add(`volume ${pv}`, () => deletePv(kube, pv))
      await applyStatic('PersistentVolume')
    })
    await When(`a claim sandwich-static with storageClassName "" asks for volume ${pv}`, () => applyStatic('PersistentVolumeClaim'))
    await Then(`it binds: the claim is Bound to ${pv}, whose claimRef is ${ns}/sandwich-static`, async () => {
      const c = await waitForPvcBound(kube, ns, 'sandwich-static')
      expect(c.spec?.volumeName, `claim ${ns}/sandwich-static`).toBe(pv)
      const v = await waitForPv(kube, pv, 'to be Bound', (x) => x?.status?.phase === 'Bound', 'pvcBound')
      expect(v?.spec?.claimRef, `claimRef of volume ${pv}`).toMatchObject({ namespace: ns, name: 'sandwich-static', uid: c.metadata?.uid })
      expect(v?.spec?.storageClassName ?? '', `class of volume ${pv}`).toBe('')
    })
    const node = await When(`the pod static-lunchbox writes "${potato.text}" through the claim`, async () => {
      await applyStatic('Pod')
      const p = await waitForPodReady(kube, ns, 'static-lunchbox')
      // Retain means nobody else removes the data: the test tidies the node itself, whatever happens next.
      cleanup.add(`${dir} on node ${p.spec!.nodeName}`, () => removeHostDir(p.spec!.nodeName!))
      await write(kube, ns, 'static-lunchbox', potato.file, potato.text)
      return p.spec!.nodeName!
    })
    await When('the pod and then the claim are deleted', async () => {
      await deletePod(kube, ns, 'static-lunchbox')
      await waitForPodGone(kube, ns, 'static-lunchbox')
      await deletePvc(kube, ns, 'sandwich-static')
      await waitForPvcGone(kube, ns, 'sandwich-static')
    })
    await Then(`the volume ${pv} goes Released, and stays (reclaim policy Retain)`, async () => {
      const v = await waitForPv(kube, pv, 'to be Released', (x) => x?.status?.phase === 'Released', 'pvcDeleted')
      expect(v?.spec?.persistentVolumeReclaimPolicy, `volume ${pv}`).toBe('Retain')
    })
    await And(`the data is still there: ${dir}/potato on node ${node}, read without the claim, says "${potato.text}"`, async () => {
      await startInspector(node)
      expect(await read(kube, ns, 'potato-inspector', `/static-volumes/${ns}/potato`), `${dir}/potato on node ${node}`).toBe(potato.text)
    })
  })

  test('Q1-17 by default (OrderedReady) pods start in order 0, 1, 2, each only after the previous is Running and Ready', async ({ task, kube, ns, podEvents }) => {
    const all = [0, 1, 2].map(podOf)
    const timeline = await podEvents.record({ selector: sts.selector })
    attachTimeline(task, `start of StatefulSet ${sts.name} (OrderedReady) in ${ns}`, timeline,
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
      expect(timeline.orderOfFirst('created'), timeline.describe()).toEqual(all)
    })
    await And('each is created only after the previous one is Running and Ready', () => {
      expect(orderedStartViolations(timeline, all), timeline.describe()).toEqual([])
    })
  })
})
