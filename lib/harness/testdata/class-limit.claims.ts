// Claim tests that claim-run.test.ts runs in a vitest of its own, wired as
// worker-setup.ts wires the specs, on a class that does not apply fsGroup
// (nfs-client) and one that does (fast).
import { aroundEach, expect, test } from 'vitest'
import { classCapabilities, type AccessModeProbe } from '../../storage/capabilities.ts'
import { runClaim } from '../claim-run.ts'
import { Given, Then } from '../steps.ts'

const accepted: AccessModeProbe = { result: 'accepted', detail: 'bound', ms: 1 }
const probes = { ReadWriteOnce: accepted, ReadWriteOncePod: accepted, ReadWriteMany: accepted }
const classes = {
  'nfs-client': classCapabilities({ metadata: { name: 'nfs-client' }, provisioner: 'nfs.csi.k8s.io' }, { name: 'nfs.csi.k8s.io', fsGroupPolicy: 'None' }, probes),
  fast: classCapabilities({ metadata: { name: 'fast' }, provisioner: 'disk.csi.example.com' }, { name: 'disk.csi.example.com', fsGroupPolicy: 'File' }, probes),
}

aroundEach((runTest, { task }) => runClaim(runTest, task, { waivers: {}, classOf: (t) => classes[t.meta.storageClass as keyof typeof classes] }))

const refusedWrite = () => { throw new Error('exec in ns/lunchbox failed (exit 1): sh: can\'t create /data/potato: Permission denied') }

test('Q1-04 a write refused on a class without fsGroup', { meta: { storageClass: 'nfs-client' } }, async () => {
  await Given('a file written through a pod', refusedWrite)
})

test('Q1-05 the same refusal on a class that applies fsGroup', { meta: { storageClass: 'fast' } }, async () => {
  await Given('a file written through a pod', refusedWrite)
})

test('Q1-06 another failure on a class without fsGroup', { meta: { storageClass: 'nfs-client' } }, async () => {
  await Then('the file is still there', () => expect('').toBe('tasty potatos'))
})
