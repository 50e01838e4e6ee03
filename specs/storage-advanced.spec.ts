// specs/storage-advanced.spec.ts — mirrors no quest: SC-07…SC-12 of issue 15,
// what a platform team checks beyond plain volumes before trusting a storage
// class: raw Block devices, snapshots and clones, expansion both ways, I/O
// performance, and what two nodes may and may not do with one volume
// (docs/storage-validation.md compares them with kubestr and upstream's
// storage e2e suites). Every claim runs on each selected class; what the
// capability probe found missing is skipped naming it. Every pod here is
// ready for the restricted Pod Security level (fixtures/sc/restricted-pod.yaml).
import { belowThresholds, describeIo, parseIoOptions, runFio } from '../lib/apps/fio.ts'
import { removeSnapshot } from '../lib/apps/snapshots.ts'
import {
  blockSize, bytesMismatch, cloneMismatch, heldPodWindowMs, holdReason, notWritable, observeHeldPod, readBlocksAt, resizeAnswer, resizeVerdict, restoreMismatch, rwxMismatch,
  secondPodVerdict, sha256IfPresent, writeBlocksAt,
} from '../lib/apps/storage-checks.ts'
import { filesystemBytes, sha256Of, writeRandomFile } from '../lib/apps/volumes.ts'
import { claimNote, type Capabilities, progress, requireCapability, skipClaim, skipPart, snapshotAndCloneHalves } from '../lib/harness/claim-entry.ts'
import { applyFixture, type Cleanup, describe, expect, type Kube, storageTest } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { listSchedulableNodes } from '../lib/resources/nodes.ts'
import { createPodFromFixture, execOk, getPod } from '../lib/resources/pods.ts'
import { bytesOf, claimCapacityBytes, deletePvc, getPvc, requestResize } from '../lib/resources/storage.ts'
import { deletePodAndWaitGone, waitForPodReady } from '../lib/wait/pods.ts'
import { waitForSnapshotReady } from '../lib/wait/snapshots.ts'
import { waitForClaimCapacity, waitForPvcBound, waitForPvcGone } from '../lib/wait/storage.ts'

const growth = '1Gi'

// A decision of lib/apps/storage-checks.ts: its failure message, if any, is the assertion's.
const holds = (failure: string | undefined) => expect(failure, failure).toBeUndefined()
const block = { device: '/dev/xvda', offset: 4099, blocks: 256 } // 1 MiB at an odd 4 KiB block, about 16 MiB in

interface PodSpec {
  name: string
  claim?: string
  // Pinned by hostname (nodeSelector), so that the scheduler's volume checks still apply.
  node?: string
}

// A restricted pod (fixtures/sc/restricted-pod.yaml) named and pinned as asked, mounting `claim` at /data.
function createUser(kube: Kube, ns: string, p: PodSpec) {
  return createPodFromFixture(kube, ns, 'sc/restricted-pod.yaml', 'user', (pod) => {
    pod.metadata!.name = p.name
    pod.spec!.volumes![0]!.persistentVolumeClaim!.claimName = p.claim ?? 'data'
    if (p.node) pod.spec!.nodeSelector = { ...pod.spec!.nodeSelector, 'kubernetes.io/hostname': p.node }
  })
}

async function userReady(kube: Kube, ns: string, p: PodSpec): Promise<{ name: string; node: string }> {
  await createUser(kube, ns, p)
  const pod = await waitForPodReady(kube, ns, p.name)
  return { name: p.name, node: pod.spec?.nodeName ?? '' }
}

// Raises a fixture claim's request to at least `bytes` (in Mi).
const requestAtLeast = (bytes: number) => (o: { kind?: string }) => {
  const spec = (o as { spec?: { resources?: { requests?: { storage?: string } } } }).spec
  const requests = spec?.resources?.requests
  if (requests && bytes > bytesOf(requests.storage ?? '0')) requests.storage = `${Math.ceil(bytes / 2 ** 20)}Mi`
}

// The claim is deleted after the test (its pods first: a claim in use is not let go).
function deleteClaimAfter(cleanup: Cleanup, kube: Kube, ns: string, claim: string, pods: string[]): void {
  cleanup.add(`claim ${ns}/${claim}`, async () => {
    for (const pod of pods) await deletePodAndWaitGone(kube, ns, pod).catch(() => undefined)
    await deletePvc(kube, ns, claim).catch(() => undefined)
    await waitForPvcGone(kube, ns, claim)
  })
}

// A class whose volumes a non-root pod cannot write lacks what the restricted Pod Security level needs.
async function requireWritable(task: Parameters<typeof skipClaim>[0], kube: Kube, ns: string, pod: string, caps: Capabilities): Promise<void> {
  const refused = await notWritable(kube, ns, pod, '/data')
  if (refused) skipClaim(task, `StorageClass ${caps.storageClass} (provisioner ${caps.provisioner}): its volumes are not writable by a non-root pod: ${refused}; fsGroup ${caps.fsGroup.supported === true ? 'is applied' : `is not applied (${caps.fsGroup.reason})`}`)
}

async function twoNodes(task: Parameters<typeof skipClaim>[0], kube: Kube): Promise<[string, string[]]> {
  const nodes = await listSchedulableNodes(kube)
  if (nodes.length < 2) skipClaim(task, `needs 2 schedulable nodes; the cluster has ${nodes.length} (${nodes.join(', ') || 'none'})`)
  return [nodes[0]!, nodes]
}

describe('SC storage classes beyond plain volumes: Block, snapshots, clones, expansion both ways, I/O, two nodes', () => {
  storageTest(`SC-07 volumeMode Block gives the pod a raw device: ${block.blocks * blockSize / 2 ** 20} MiB written at block ${block.offset} read back byte-exact after the pod is recreated`, async ({ task, kube, ns, capabilities, storageClass }) => {
    requireCapability(task, capabilities, 'block')
    const first = await Given(`claim "block" (volumeMode Block) of class ${storageClass}, the raw device ${block.device} of restricted pod block-user`, async () => {
      await applyFixture(kube, ns, 'sc/block-claim.yaml', { storageClass })
      await createPodFromFixture(kube, ns, 'sc/block-pod.yaml', 'block-user')
      const pod = await waitForPodReady(kube, ns, 'block-user')
      const pvc = await waitForPvcBound(kube, ns, 'block')
      return { node: pod.spec?.nodeName ?? '', volume: pvc.spec?.volumeName ?? '' }
    })
    await And(`${block.device} is a block device, not a mounted filesystem`, async () => {
      const kind = await execOk(kube, ns, 'block-user', ['sh', '-c', `[ -b ${block.device} ] && echo block || ls -l ${block.device}`])
      expect(kind.trim(), `${block.device} in ${ns}/block-user (class ${storageClass}, volume ${first.volume})`).toBe('block')
    })
    const written = await When(`${block.blocks} random 4 KiB blocks are written at block ${block.offset} with dd (O_DIRECT, fsync), their sha256 taken`, () =>
      writeBlocksAt(kube, ns, 'block-user', block.device, block.offset, block.blocks))
    const node = await And('the pod is deleted and created again with the same claim', async () => {
      await deletePodAndWaitGone(kube, ns, 'block-user')
      await createPodFromFixture(kube, ns, 'sc/block-pod.yaml', 'block-user')
      return (await waitForPodReady(kube, ns, 'block-user')).spec?.nodeName ?? ''
    })
    await Then(`the same ${block.blocks * blockSize} bytes are read at block ${block.offset} (O_DIRECT, sha256 ${written.sha256.slice(0, 12)}…)`, async () => {
      const read = await readBlocksAt(kube, ns, 'block-user', block.device, block.offset, block.blocks)
      holds(bytesMismatch(written, read, `${block.device} of ${ns}/block-user on ${node} (class ${storageClass}, volume ${first.volume})`))
    })
  })

  storageTest('SC-08 a snapshot restores the data as it was when it was taken, not as it is later; a clone holds its source\'s data', async ({ task, kube, ns, capabilities, storageClass, cleanup }) => {
    // A half the class lacks does not apply; one the probe could not tell about is not checked (partial).
    const halves = snapshotAndCloneHalves(capabilities)
    if ('skip' in halves) skipClaim(task, halves.skip)
    const { snapshot: noSnapshot, clone: noClone } = halves
    await Given(`claim "data" of class ${storageClass} in use by restricted pod user`, async () => {
      await applyFixture(kube, ns, 'sc/claim.yaml', { storageClass })
      await userReady(kube, ns, { name: 'user' })
    })
    await requireWritable(task, kube, ns, 'user', capabilities)
    const before = await And('1 MiB of random data in /data/blob', () => writeRandomFile(kube, ns, 'user', '/data/blob', 1))
    // A restore or clone may not be smaller than its source: the provisioner may have rounded the source up.
    const sourceBytes = claimCapacityBytes(await getPvc(kube, ns, 'data'))

    let after = before
    if (noSnapshot) skipPart(task, `the snapshot half: ${noSnapshot}`)
    else {
      const snapshotClass = capabilities.snapshots!.classes[0]!
      const snapshot = await When(`a VolumeSnapshot "snap" of the claim is taken with snapshot class ${snapshotClass.name} (deletionPolicy ${snapshotClass.deletionPolicy}) and is ready`, async () => {
        await applyFixture(kube, ns, 'sc/snapshot.yaml', { patch: (o) => { (o as { spec: { volumeSnapshotClassName: string } }).spec.volumeSnapshotClassName = snapshotClass.name } })
        cleanup.add(`VolumeSnapshot ${ns}/snap and its content`, () => removeSnapshot(kube, ns, 'snap'))
        return waitForSnapshotReady(kube, ns, 'snap')
      })
      after = await And('/data/blob is overwritten with other random data', () => writeRandomFile(kube, ns, 'user', '/data/blob', 1))
      await Then(`a claim restored from the snapshot holds /data/blob as it was at the snapshot (sha256 ${before.sha256.slice(0, 12)}…), not the newer bytes`, async () => {
        await applyFixture(kube, ns, 'sc/restored-claim.yaml', { storageClass, patch: requestAtLeast(Math.max(sourceBytes, bytesOf(snapshot.status?.restoreSize ?? '0'))) })
        deleteClaimAfter(cleanup, kube, ns, 'restored', ['restored-user'])
        await userReady(kube, ns, { name: 'restored-user', claim: 'restored' })
        const restored = await sha256Of(kube, ns, 'restored-user', '/data/blob')
        holds(restoreMismatch({ atSnapshot: before, overwritten: after, restored, where: `/data/blob of claim ${ns}/restored (class ${storageClass}, from VolumeSnapshot snap)` }))
      })
    }

    if (noClone) {
      skipPart(task, `the clone half: ${noClone}`)
      return
    }
    await Then(`a clone of the claim (dataSource claim "data") holds /data/blob as the source holds it now (sha256 ${after.sha256.slice(0, 12)}…)`, async () => {
      await applyFixture(kube, ns, 'sc/clone-claim.yaml', { storageClass, patch: requestAtLeast(sourceBytes) })
      deleteClaimAfter(cleanup, kube, ns, 'clone', ['clone-user'])
      await userReady(kube, ns, { name: 'clone-user', claim: 'clone' })
      const cloned = await sha256IfPresent(kube, ns, 'clone-user', '/data/blob')
      holds(cloneMismatch(after, cloned, `/data/blob of clone ${ns}/clone (class ${storageClass})`))
    })
  })

  storageTest(`SC-09 a resize is refused where the class does not allow expansion; where it does, a claim grown by ${growth} while no pod uses it shows the new size to the next pod`, async ({ kube, ns, capabilities, storageClass }) => {
    const allowed = capabilities.allowVolumeExpansion
    const { before } = await Given(`claim "data" of class ${storageClass} (allowVolumeExpansion ${allowed}), Bound, then unused (its first pod gone)`, async () => {
      await applyFixture(kube, ns, 'sc/claim.yaml', { storageClass })
      await userReady(kube, ns, { name: 'first' })
      const size = await filesystemBytes(kube, ns, 'first', '/data')
      await deletePodAndWaitGone(kube, ns, 'first')
      return { before: size, pvc: await waitForPvcBound(kube, ns, 'data') }
    })
    const pvc = await getPvc(kube, ns, 'data')
    const request = pvc.spec?.resources?.requests?.storage ?? '1Gi'
    const target = claimCapacityBytes(pvc) + bytesOf(growth)
    const targetMi = `${Math.ceil(target / 2 ** 20)}Mi`
    const where = `claim ${ns}/data of class ${storageClass}`
    // An RBAC denial or an error is no verdict on the resize: the claim could not be checked (broken).
    const outcome = await When(`its request is raised from ${request} to ${targetMi}`, async () => {
      const o = await requestResize(kube, ns, 'data', targetMi)
      const answer = resizeAnswer(o)
      if (answer.answer === 'none') throw new Error(`${where}: the resize got no verdict from the API server: ${answer.why}`)
      return o
    })
    if (!allowed) {
      await Then('the API server refuses it (its validation or admission), and the claim keeps its request', async () => {
        holds(resizeVerdict(false, outcome, where))
        const answer = resizeAnswer(outcome)
        progress(answer.answer === 'refused' ? `refused by ${answer.by}` : 'accepted')
        expect((await getPvc(kube, ns, 'data')).spec?.resources?.requests?.storage, `${where}: its request after the refused resize`).toBe(request)
      })
      return
    }
    await Then('the API server accepts it', () => { holds(resizeVerdict(true, outcome, where)) })
    await And(`the next pod sees the claim at ${targetMi} or more, and df /data shows the filesystem grown by at least half of ${growth}`, async () => {
      await userReady(kube, ns, { name: 'next' })
      await waitForClaimCapacity(kube, ns, 'data', target)
      const after = await filesystemBytes(kube, ns, 'next', '/data')
      expect(after - before, `df /data in ${ns}/next (class ${storageClass}): ${before} → ${after} bytes`).toBeGreaterThanOrEqual(bytesOf(growth) / 2)
    })
  })

  storageTest('SC-10 I/O performance: sequential write and read throughput, 4 KiB random read and write IOPS with p50 and p99 completion latency, with fio', async ({ task, kube, ns, capabilities, storageClass }) => {
    const o = parseIoOptions(process.env)
    await Given(`claim "io" (${o.claimSize}, SC_IO_CLAIM_SIZE) of class ${storageClass} mounted at /data by the restricted fio pod`, async () => {
      await applyFixture(kube, ns, 'sc/io-claim.yaml', { storageClass, patch: (c) => { (c as { spec: { resources: { requests: { storage: string } } } }).spec.resources.requests.storage = o.claimSize } })
      await createPodFromFixture(kube, ns, 'sc/fio-pod.yaml', 'fio')
      await waitForPodReady(kube, ns, 'fio')
    })
    await requireWritable(task, kube, ns, 'fio', capabilities)
    // Sized from what the claim asked (SC_IO_CLAIM_SIZE), not from a class minimum that raised it: the file stays what the claim needs.
    const claimBytes = Math.min(claimCapacityBytes(await waitForPvcBound(kube, ns, 'io')), bytesOf(o.claimSize))
    const io = await When(`fio runs four ${o.runtimeSeconds}s jobs one after another on a file of a quarter of the claim: 1 MiB sequential write, read, 4 KiB random read, write (iodepth 16)`, () =>
      runFio(kube, ns, 'fio', { dir: '/data', claimBytes, claimSize: o.claimSize, runtimeSeconds: o.runtimeSeconds }))
    task.meta.measurements = { ...task.meta.measurements, io }
    progress(`class ${storageClass}: ${describeIo(io)}`)
    if (!io.directIo) claimNote(task, `direct I/O is not possible on this class's filesystem (${io.directIoRefused}): buffered I/O, flushed at the end of writes; reads may come from the page cache`)
    await Then(`no job reported an I/O error, and no figure is below an SC_IO_MIN_* threshold (${Object.keys(o.min).length ? JSON.stringify(o.min) : 'none set'})`, () => {
      expect(belowThresholds(io, o.min), `fio on class ${storageClass} in ${ns}/fio: ${describeIo(io)}`).toEqual([])
    })
  })

  storageTest('SC-11 a ReadWriteOnce volume in use on one node is not used on another at the same time: a pod pinned to another node starts only after the first is gone, with the data', async ({ task, kube, ns, capabilities, storageClass }) => {
    const [, nodes] = await twoNodes(task, kube)
    requireCapability(task, capabilities, 'sharedAcrossNodes')
    const first = await Given(`claim "data" (ReadWriteOnce) of class ${storageClass} in use by restricted pod first, which wrote /data/marker`, async () => {
      await applyFixture(kube, ns, 'sc/claim.yaml', { storageClass })
      return userReady(kube, ns, { name: 'first' })
    })
    await requireWritable(task, kube, ns, 'first', capabilities)
    await execOk(kube, ns, 'first', ['sh', '-c', `echo "written by first on ${first.node}" > /data/marker && sync`])
    const other = nodes.find((n) => n !== first.node)!
    await When(`pod second of the same claim is pinned to node ${other}`, () => createUser(kube, ns, { name: 'second', node: other }))
    const window = heldPodWindowMs()
    await Then(`second does not start while first runs on ${first.node} (watched up to ${window / 1000}s, or until a controller says why)`, async () => {
      const held = await observeHeldPod(kube, ns, 'second', window)
      holds(secondPodVerdict(held, `pod ${ns}/second pinned to ${other} (class ${storageClass}), first on ${first.node}`))
      claimNote(task, `second held on ${other}: ${holdReason(held.reasons)}`)
    })
    await When('first is deleted', () => deletePodAndWaitGone(kube, ns, 'first'))
    await Then(`second starts on ${other} and reads /data/marker as first wrote it`, async () => {
      const pod = await waitForPodReady(kube, ns, 'second')
      expect(pod.spec?.nodeName, `pod ${ns}/second`).toBe(other)
      expect(await execOk(kube, ns, 'second', ['cat', '/data/marker']), `/data/marker in ${ns}/second on ${other} (class ${storageClass})`).toBe(`written by first on ${first.node}\n`)
    })
  })

  storageTest('SC-12 where the class offers ReadWriteMany, pods on two different nodes write to one claim and each sees the other\'s files', async ({ task, kube, ns, capabilities, storageClass }) => {
    const [, nodes] = await twoNodes(task, kube)
    requireCapability(task, capabilities, 'ReadWriteMany')
    requireCapability(task, capabilities, 'sharedAcrossNodes')
    const [nodeA, nodeB] = [nodes[0]!, nodes[1]!]
    const pods = await Given(`claim "shared" (ReadWriteMany) of class ${storageClass}, mounted by restricted pods a on ${nodeA} and b on ${nodeB}`, async () => {
      await applyFixture(kube, ns, 'sc/rwx-claim.yaml', { storageClass })
      return Promise.all([userReady(kube, ns, { name: 'a', claim: 'shared', node: nodeA }), userReady(kube, ns, { name: 'b', claim: 'shared', node: nodeB })])
    })
    await requireWritable(task, kube, ns, 'a', capabilities)
    const written = await When('each pod writes /data/from-<pod> naming itself and its node', async () => {
      const out: Record<string, Record<string, string>> = {}
      for (const p of pods) {
        const content = `${p.name} on ${p.node}`
        await execOk(kube, ns, p.name, ['sh', '-c', `echo "${content}" > /data/from-${p.name} && sync`])
        out[p.name] = { [`from-${p.name}`]: `${content}\n` }
      }
      return out
    })
    await Then('each pod reads the file the other wrote, as written', async () => {
      const seen: Record<string, Record<string, string>> = {}
      for (const p of pods) {
        seen[p.name] = {}
        for (const file of ['from-a', 'from-b']) {
          const r = await execOk(kube, ns, p.name, ['sh', '-c', `cat /data/${file} 2>/dev/null || true`])
          if (r) seen[p.name]![file] = r
        }
      }
      const missing = rwxMismatch(seen, written)
      holds(missing && `claim ${ns}/shared of class ${storageClass}, pods a on ${nodeA} and b on ${nodeB}: ${missing}`)
      expect((await getPod(kube, ns, 'a')).spec?.nodeName).not.toBe((await getPod(kube, ns, 'b')).spec?.nodeName)
    })
  })
})
