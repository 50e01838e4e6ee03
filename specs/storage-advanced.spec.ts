// specs/storage-advanced.spec.ts — mirrors no quest: SC-07…SC-12 of issue 15,
// what a platform team checks beyond plain volumes before trusting a storage
// class: raw Block devices, snapshots and clones, expansion both ways, I/O
// performance, and what two nodes may and may not do with one volume
// (docs/storage-validation.md compares them with kubestr and upstream's
// storage e2e suites). Every claim runs on each selected class; what the
// capability probe found missing is skipped naming it. Every pod here is
// ready for the restricted Pod Security level (fixtures/sc/restricted-pod.yaml).
import { belowThresholds, describeIo, parseIoOptions, runFio } from '../lib/apps/fio.ts'
import { describeRawDeviceAccess, rawDeviceProblem } from '../lib/apps/raw-device.ts'
import { removeSnapshot } from '../lib/apps/snapshots.ts'
import {
  blockSize, bytesMismatch, cloneMismatch, heldByAffinityOnly, heldPodWindowMs, holdReason, observeHeldPod, readBlocksAt, resizeAnswer, resizeVerdict, restoreMismatch, rwxMismatch,
  secondPodVerdict, sha256IfPresent, writeBlocksAt,
} from '../lib/apps/storage-checks.ts'
import { filesystemBytes, sha256Of, writeRandomFile } from '../lib/apps/volumes.ts'
import { claimNote, progress, requireCapability, skipClaim, skipPart, snapshotAndCloneHalves } from '../lib/harness/claim-entry.ts'
import { applyFixture, describe, expect, storageTest } from '../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../lib/harness/steps.ts'
import { createPodFromFixture, execOk, getPod } from '../lib/resources/pods.ts'
import { bytesOf, claimCapacityBytes, getPvc, requestResize } from '../lib/resources/storage.ts'
import { deletePodAndWaitGone, waitForPodReady } from '../lib/wait/pods.ts'
import { waitForSnapshotReady } from '../lib/wait/snapshots.ts'
import { waitForClaimCapacity, waitForPvcBound } from '../lib/wait/storage.ts'
import { block, blockUserReady, createUser, deleteClaimAfter, firstUserReady, otherNodesForClaim, rawDeviceAccess, requestAtLeast, requireWritable, twoNodes, userReady } from './storage-advanced-pods.ts'

const growth = '1Gi'

// A decision of lib/apps/storage-checks.ts: its failure message, if any, is the assertion's.
const holds = (failure: string | undefined) => expect(failure, failure).toBeUndefined()

describe('SC storage classes beyond plain volumes: Block, snapshots, clones, expansion both ways, I/O, two nodes', () => {
  storageTest(`SC-07 volumeMode Block gives the pod a raw device: ${block.blocks * blockSize / 2 ** 20} MiB written at block ${block.offset} read back byte-exact after the pod is recreated`, async ({ task, kube, ns, capabilities, storageClass }) => {
    requireCapability(task, capabilities, 'block')
    // The device's group as the probe read it, if it did; block-user checks it on its own device.
    const probedGroup = capabilities.block?.deviceGroup
    const first = await Given(`claim "block" (volumeMode Block) of class ${storageClass}, the raw device ${block.device} of restricted pod block-user, in the device's group`, async () => {
      await applyFixture(kube, ns, 'sc/block-claim.yaml', { storageClass })
      const user = await blockUserReady(kube, ns, probedGroup === undefined ? [] : [probedGroup])
      const pvc = await waitForPvcBound(kube, ns, 'block')
      return { ...user, volume: pvc.spec?.volumeName ?? '' }
    })
    await And(`${block.device} is a block device, not a mounted filesystem, and the pod opens it and reads a block`, async () => {
      const access = await rawDeviceAccess(kube, ns, 'block-user')
      progress(describeRawDeviceAccess(access))
      holds(rawDeviceProblem(access, `${block.device} in ${ns}/block-user on ${first.node} (class ${storageClass}, volume ${first.volume}, supplementalGroups [${first.groups.join(', ')}])`))
    })
    const written = await When(`${block.blocks} random 4 KiB blocks are written at block ${block.offset} with dd (O_DIRECT, fsync), their sha256 taken`, () =>
      writeBlocksAt(kube, ns, 'block-user', block.device, block.offset, block.blocks))
    const node = await And('the pod is deleted and created again with the same claim', async () => {
      await deletePodAndWaitGone(kube, ns, 'block-user')
      return (await blockUserReady(kube, ns, first.groups)).node
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

  storageTest('SC-11 a ReadWriteOnce volume in use on one node is not used on another at the same time: a pod on another node that the volume admits starts only after the first is gone, with the data', async ({ task, kube, ns, capabilities, storageClass }) => {
    await twoNodes(task, kube)
    requireCapability(task, capabilities, 'sharedAcrossNodes')
    const first = await Given(`claim "data" (ReadWriteOnce) of class ${storageClass} in use by restricted pod first (on a node whose zone has another, where one has), which wrote /data/marker`, async () => {
      await applyFixture(kube, ns, 'sc/claim.yaml', { storageClass })
      return firstUserReady(kube, ns, { name: 'first', claim: 'data' }, storageClass)
    })
    await requireWritable(task, kube, ns, 'first', capabilities)
    await execOk(kube, ns, 'first', ['sh', '-c', `echo "written by first on ${first.node}" > /data/marker && sync`])
    // Another node the volume's node affinity admits (its zone's, on a multi-zone cloud), so that
    // only ReadWriteOnce can hold the second pod, not a volume node affinity conflict.
    const others = await otherNodesForClaim(task, kube, ns, 'data', first.node, storageClass)
    const on = others.length === 1 ? `node ${others[0]}` : `one of nodes ${others.join(', ')}`
    await When(`pod second of the same claim is kept to ${on}, which the volume admits, not ${first.node}`, () => createUser(kube, ns, { name: 'second', nodes: others }))
    const window = heldPodWindowMs()
    const held = await Then(`second does not start while first runs on ${first.node} (watched up to ${window / 1000}s, or until a controller says why)`, async () => {
      const held = await observeHeldPod(kube, ns, 'second', window)
      holds(secondPodVerdict(held, `pod ${ns}/second kept to ${on} (class ${storageClass}), first on ${first.node}`))
      return held
    })
    // Held only because the volume cannot go there: no evidence about ReadWriteOnce either way.
    const conflict = heldByAffinityOnly(held.reasons)
    if (conflict) skipClaim(task, `pod ${ns}/second, kept to ${on}, was held by the scheduler's volume node affinity conflict, not by ReadWriteOnce (${conflict}), although the suite read those nodes as admitted by the node affinity of the claim's volume`)
    claimNote(task, `second held on ${(await getPod(kube, ns, 'second')).spec?.nodeName || on}: ${holdReason(held.reasons)}`)
    await When('first is deleted', () => deletePodAndWaitGone(kube, ns, 'first'))
    await Then(`second starts on ${on} and reads /data/marker as first wrote it`, async () => {
      const node = (await waitForPodReady(kube, ns, 'second')).spec?.nodeName ?? ''
      expect(others, `node of pod ${ns}/second`).toContain(node)
      expect(await execOk(kube, ns, 'second', ['cat', '/data/marker']), `/data/marker in ${ns}/second on ${node} (class ${storageClass})`).toBe(`written by first on ${first.node}\n`)
    })
  })

  storageTest('SC-12 where the class offers ReadWriteMany, pods on two different nodes write to one claim and each sees the other\'s files', async ({ task, kube, ns, capabilities, storageClass }) => {
    await twoNodes(task, kube)
    requireCapability(task, capabilities, 'ReadWriteMany')
    requireCapability(task, capabilities, 'sharedAcrossNodes')
    const a = await Given(`claim "shared" (ReadWriteMany) of class ${storageClass}, mounted by restricted pod a (on a node whose zone has another, where one has)`, async () => {
      await applyFixture(kube, ns, 'sc/rwx-claim.yaml', { storageClass })
      return firstUserReady(kube, ns, { name: 'a', claim: 'shared' }, storageClass)
    })
    // Another node the volume's node affinity admits (a zonal file share is reachable from its zone only).
    const others = await otherNodesForClaim(task, kube, ns, 'shared', a.node, storageClass)
    const b = await And(`restricted pod b mounts it on another node that the volume admits (${others.join(', ')})`, () =>
      userReady(kube, ns, { name: 'b', claim: 'shared', nodes: others }))
    const pods = [a, b]
    const [nodeA, nodeB] = [a.node, b.node]
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
