// specs/storage-classes.spec.ts — mirrors no quest: the SC series of issue 6,
// what a platform team checks before putting stateful workloads on a
// cluster's storage classes (docs/storage-validation.md lists it). Every claim
// runs on each selected class (SC_STORAGE_CLASSES), the classes in parallel.
// What a class declares (StorageClass, CSIDriver) or showed in the capability
// probe at the start of the run is tested and must hold; what it lacks is
// skipped, naming the missing capability.
import { filesystemBytes, observeClaim, ownershipOf, sha256Of, waitForFilesystemBytes, writeRandomFile } from '../lib/apps/volumes.ts'
import { progress, requireCapability, skipClaim, unboundHoldMs } from '../lib/harness/claim-entry.ts'
import { applyFixture, claimRequestFor, describe, expect, type Kube, removeIfRetained, storageTest } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { describeNodeSelector, getNode, nodeSelectorAllows } from '../lib/resources/nodes.ts'
import { containerStatusOf, createPodFromFixture, execOk, getPod } from '../lib/resources/pods.ts'
import { bytesOf, claimCapacityBytes, deletePvc, getPv, getPvc, resizeClaim } from '../lib/resources/storage.ts'
import { waitForK8sEvent } from '../lib/wait/events.ts'
import { deletePodAndWaitGone, recreatePodFromFixture, waitForPod, waitForPodReady } from '../lib/wait/pods.ts'
import { waitForClaimCapacity, waitForPv, waitForPvcBound, waitForPvcGone, waitForPvGone } from '../lib/wait/storage.ts'

const sizes = { claim: '1Gi', growth: '1Gi' } // claim: as in fixtures/sc/claim.yaml
const blobMiB = 32

interface InUse {
  pod: string
  uid?: string
  node: string
  volume: string
  // What was provisioned, not what was asked: provisioners round a request up to their minimum.
  capacity: number
}

// Claim "data" of the class and a pod mounting it at /data, Ready and Bound.
async function givenClaimInUse(kube: Kube, ns: string, storageClass: string, pod = 'user', podFile = 'sc/pod.yaml'): Promise<InUse> {
  return Given(`claim "data" (${claimRequestFor(sizes.claim, storageClass)}, ReadWriteOnce) of class ${storageClass}, mounted at /data by pod ${pod}`, async () => {
    await applyFixture(kube, ns, 'sc/claim.yaml', { storageClass })
    await createPodFromFixture(kube, ns, podFile, pod)
    const ready = await waitForPodReady(kube, ns, pod)
    const pvc = await waitForPvcBound(kube, ns, 'data')
    return { pod, uid: ready.metadata?.uid, node: ready.spec?.nodeName ?? '', volume: pvc.spec?.volumeName ?? '', capacity: claimCapacityBytes(pvc) }
  })
}

describe('SC storage classes: what a platform team checks before running stateful workloads on them', () => {
  storageTest('SC-01 binding follows the class: WaitForFirstConsumer waits for a pod and binds on its node, Immediate binds without one', async ({ task, kube, ns, capabilities: caps, storageClass }) => {
    if (caps.bindingMode !== 'WaitForFirstConsumer' && caps.bindingMode !== 'Immediate') {
      skipClaim(task, `StorageClass ${storageClass} has volumeBindingMode ${caps.bindingMode}, which this claim does not cover`)
    }
    await Given(`claim "data" of class ${storageClass} (volumeBindingMode ${caps.bindingMode}) and no pod`, () =>
      applyFixture(kube, ns, 'sc/claim.yaml', { storageClass }))

    if (caps.bindingMode === 'Immediate') {
      await Then('the claim is Bound with no pod using it, provisioned for no particular node', async () => {
        const pvc = await waitForPvcBound(kube, ns, 'data')
        expect(pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node'], `claim ${ns}/data of class ${storageClass}: a node was chosen for it`).toBeUndefined()
      })
      return
    }

    await Then('the PV controller says the claim waits for its first consumer', async () =>
      waitForK8sEvent(kube, await getPvc(kube, ns, 'data'), 'reason WaitForFirstConsumer', (e) => e.reason === 'WaitForFirstConsumer', 'pvcBound'))
    const hold = unboundHoldMs(caps)
    await And(`it stays Pending, with no volume and no node chosen, for ${hold / 1000}s (twice what this class took to bind a claim with a consumer in the capability probe, at least 5s: a class that did not wait would bind within that)`, async () => {
      const seen = await observeClaim(kube, ns, 'data', hold)
      expect(seen, `claim ${ns}/data of class ${storageClass}, watched ${hold / 1000}s without a consumer`).toEqual({ phases: ['Pending'] })
    })
    const node = await When('a pod uses the claim', async () => {
      await createPodFromFixture(kube, ns, 'sc/pod.yaml', 'user')
      return (await waitForPodReady(kube, ns, 'user')).spec?.nodeName ?? ''
    })
    await Then(`the claim is Bound, provisioned for the pod's node`, async () => {
      const pvc = await waitForPvcBound(kube, ns, 'data')
      expect(pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node'], `claim ${ns}/data of class ${storageClass}: the node chosen for it`).toBe(node)
      const pv = await getPv(kube, pvc.spec?.volumeName ?? '')
      const affinity = pv.spec?.nodeAffinity?.required
      if (!affinity) {
        progress(`volume ${pv.metadata?.name} has no node affinity: any node can use it`)
        return
      }
      expect(nodeSelectorAllows(affinity, await getNode(kube, node)), `volume ${pv.metadata?.name} (${describeNodeSelector(affinity)}) must allow the pod's node ${node}`).toBe(true)
    })
  })

  storageTest(`SC-02 ${blobMiB} MiB of random data read back byte-exact (sha256) after the pod is deleted and recreated`, async ({ kube, ns, storageClass }) => {
    const first = await givenClaimInUse(kube, ns, storageClass)
    const written = await When(`${blobMiB} MiB from /dev/urandom are written to /data/blob with dd, their sha256 taken as they are written`, async () => {
      const w = await writeRandomFile(kube, ns, first.pod, '/data/blob', blobMiB)
      expect(w.bytes, `/data/blob in ${ns}/${first.pod} (class ${storageClass})`).toBe(blobMiB * 2 ** 20)
      return w
    })
    const node = await And('the pod is deleted and created again with the same claim', async () => {
      await recreatePodFromFixture(kube, ns, first.pod, 'sc/pod.yaml')
      return (await waitForPodReady(kube, ns, first.pod)).spec?.nodeName ?? ''
    })
    if (node !== first.node) progress(`the new pod runs on ${node}, the first one ran on ${first.node}`)
    await Then(`/data/blob has the same size and sha256 (${written.sha256.slice(0, 12)}…)`, async () => {
      expect(await sha256Of(kube, ns, first.pod, '/data/blob'), `/data/blob read back in ${ns}/${first.pod} on ${node} (class ${storageClass}, volume ${first.volume})`).toEqual(written)
    })
  })

  storageTest('SC-03 the pod\'s fsGroup is applied to the mounted volume: its root and the files a pod creates there belong to that group', async ({ task, kube, ns, capabilities, storageClass }) => {
    requireCapability(task, capabilities, 'fsGroup')
    const used = await givenClaimInUse(kube, ns, storageClass, 'fsgroup-user', 'sc/fsgroup-pod.yaml')
    // The ids the pod runs with, as the API server holds them: fixtures/sc/fsgroup-pod.yaml's 1000/1000/2345, or
    // the namespace's assigned range on OpenShift (lib/k8s/pod-ids.ts).
    const ids = (await getPod(kube, ns, used.pod)).spec?.securityContext ?? {}
    const fsGroup = { uid: ids.runAsUser, gid: ids.runAsGroup, fsGroup: ids.fsGroup }
    const where = `/data in ${ns}/${used.pod} (class ${storageClass}, volume ${used.volume})`
    await Then(`the mount root belongs to group ${fsGroup.fsGroup}, is group-writable and setgid`, async () => {
      const root = await ownershipOf(kube, ns, used.pod, '/data')
      expect(root.gid, `group of ${where}: ${root.perms}`).toBe(fsGroup.fsGroup)
      expect(root.perms.slice(4, 7), `group permissions of ${where}`).toMatch(/^rw[sS]$/)
    })
    await And(`a file the pod (uid ${fsGroup.uid}, gid ${fsGroup.gid}) creates there is its own, in group ${fsGroup.fsGroup}, and writable by it`, async () => {
      await execOk(kube, ns, used.pod, ['sh', '-c', 'echo created > /data/by-pod && echo appended >> /data/by-pod'])
      const file = await ownershipOf(kube, ns, used.pod, '/data/by-pod')
      expect({ uid: file.uid, gid: file.gid }, `owner of /data/by-pod in ${ns}/${used.pod} (class ${storageClass})`).toEqual({ uid: fsGroup.uid, gid: fsGroup.fsGroup })
      expect(await execOk(kube, ns, used.pod, ['cat', '/data/by-pod'])).toBe('created\nappended\n')
    })
  })

  storageTest(`SC-04 a class that allows expansion grows a claim online by ${sizes.growth}: the claim reports the new size and df in the running pod shows it`, async ({ task, kube, ns, capabilities, storageClass }) => {
    requireCapability(task, capabilities, 'expansion')
    const used = await givenClaimInUse(kube, ns, storageClass)
    const { uid, capacity } = used
    const target = capacity + bytesOf(sizes.growth)
    const before = await And(`df /data in the pod shows its filesystem size (the claim's capacity is ${capacity} bytes)`, () => filesystemBytes(kube, ns, used.pod, '/data'))
    await When(`the claim's request is raised to ${target / 2 ** 20}Mi while the pod runs`, () => resizeClaim(kube, ns, 'data', `${target / 2 ** 20}Mi`))
    await Then(`the claim reports a capacity of at least ${target / 2 ** 20}Mi`, () => waitForClaimCapacity(kube, ns, 'data', target))
    await And(`df /data in the same pod shows the filesystem grown by at least half of ${sizes.growth}`, async () => {
      const growth = bytesOf(sizes.growth) / 2
      const after = await waitForFilesystemBytes(kube, ns, used.pod, '/data', before + growth)
      expect(after - before, `df /data in ${ns}/${used.pod} (class ${storageClass}): ${before} → ${after} bytes`).toBeGreaterThanOrEqual(growth)
      const pod = await getPod(kube, ns, used.pod)
      expect({ uid: pod.metadata?.uid, restarts: containerStatusOf(pod, 'busybox')?.restartCount }, `pod ${ns}/${used.pod}: online means the same pod, not restarted`).toEqual({ uid, restarts: 0 })
    })
  })

  storageTest('SC-05 the reclaim policy is honoured: with Delete the volume goes with its claim, with Retain it stays Released', async ({ task, kube, ns, capabilities, storageClass, cleanup }) => {
    const declared = capabilities.reclaimPolicy
    if (declared !== 'Delete' && declared !== 'Retain') skipClaim(task, `StorageClass ${storageClass} has reclaimPolicy ${declared}, which this claim does not cover (Delete or Retain)`)
    const used = await givenClaimInUse(kube, ns, storageClass)
    removeIfRetained(cleanup, kube, used.volume, declared)
    await Then(`its volume ${used.volume} carries the class's reclaim policy ${declared}`, async () => {
      expect((await getPv(kube, used.volume)).spec?.persistentVolumeReclaimPolicy, `volume ${used.volume} of claim ${ns}/data (class ${storageClass})`).toBe(declared)
    })
    await When('the pod and then the claim are deleted', async () => {
      await deletePodAndWaitGone(kube, ns, used.pod)
      await deletePvc(kube, ns, 'data')
      await waitForPvcGone(kube, ns, 'data')
    })
    if (declared === 'Delete') {
      await Then(`volume ${used.volume} is deleted`, () => waitForPvGone(kube, used.volume))
      return
    }
    await Then(`volume ${used.volume} stays, Released, still naming its former claim`, async () => {
      const pv = await waitForPv(kube, used.volume, 'to be Released', (v) => v?.status?.phase === 'Released', 'pvcDeleted')
      expect(pv?.spec?.claimRef, `volume ${used.volume} (class ${storageClass})`).toMatchObject({ namespace: ns, name: 'data' })
    })
  })

  storageTest('SC-06 time to bound and time to first write, measured from creating a claim and its pod', async ({ kube, ns, storageClass, task }) => {
    const started = Date.now()
    await When(`claim "data" of class ${storageClass} and pod "user" using it are created together`, async () => {
      await applyFixture(kube, ns, 'sc/claim.yaml', { storageClass })
      await createPodFromFixture(kube, ns, 'sc/pod.yaml', 'user')
    })
    const timeToBoundMs = await Then('the claim is Bound', async () => {
      await waitForPvcBound(kube, ns, 'data')
      return Date.now() - started
    })
    const timeToFirstWriteMs = await And('the pod\'s first write to /data succeeds (exec, as soon as its container runs) and reads back', async () => {
      await waitForPod(kube, ns, 'user', 'to be running', (p) => p.status?.phase === 'Running')
      await execOk(kube, ns, 'user', ['sh', '-c', 'echo first > /data/first && sync'])
      const ms = Date.now() - started
      expect(await execOk(kube, ns, 'user', ['cat', '/data/first']), `/data/first in ${ns}/user (class ${storageClass})`).toBe('first\n')
      return ms
    })
    task.meta.measurements = { timeToBoundMs, timeToFirstWriteMs }
    progress(`class ${storageClass}: bound after ${(timeToBoundMs / 1000).toFixed(1)}s, first write after ${(timeToFirstWriteMs / 1000).toFixed(1)}s`)
  })
})
