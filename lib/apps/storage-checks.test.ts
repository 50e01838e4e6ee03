import { describe, expect, test } from 'vitest'
import type { V1Node, V1PersistentVolume } from '@kubernetes/client-node'
import { allowedTopologiesSelector, bytesMismatch, cloneMismatch, heldByAffinityOnly, holdReason, nodesWithZonePeer, otherAdmittedNodes, resizeAnswer, resizeVerdict, restoreMismatch, rwxMismatch, secondPodVerdict } from './storage-checks.ts'

const a = { sha256: 'a'.repeat(64), bytes: 1048576 }
const b = { sha256: 'b'.repeat(64), bytes: 1048576 }
const c = { sha256: 'c'.repeat(64), bytes: 4096 }

describe('SC-07 bytes at an offset of a raw device', () => {
  test('holds when the same bytes come back', () => {
    expect(bytesMismatch(a, { ...a }, 'dev')).toBeUndefined()
  })

  test('fails when a Block read returns other bytes, or fewer', () => {
    expect(bytesMismatch(a, b, '/dev/xvda of ns/user')).toMatch(/^\/dev\/xvda of ns\/user: read back 1048576 bytes with sha256 bbbb.*but 1048576 bytes with sha256 aaaa.* were written$/)
    expect(bytesMismatch(a, { ...a, bytes: 4096 }, 'dev')).toMatch(/read back 4096 bytes/)
  })
})

describe('SC-08 a claim restored from a snapshot', () => {
  test('holds the bytes as they were at the snapshot', () => {
    expect(restoreMismatch({ atSnapshot: a, overwritten: b, restored: a, where: 'claim restored' })).toBeUndefined()
  })

  test('fails when it holds the newer bytes, written after the snapshot', () => {
    expect(restoreMismatch({ atSnapshot: a, overwritten: b, restored: b, where: 'claim restored' }))
      .toMatch(/holds the bytes written AFTER the snapshot .*did not capture a point in time/)
  })

  test('fails when it holds anything else', () => {
    expect(restoreMismatch({ atSnapshot: a, overwritten: b, restored: c, where: 'w' })).toMatch(/holds other bytes/)
  })
})

describe('SC-08 a clone', () => {
  test('holds its source\'s bytes', () => {
    expect(cloneMismatch(a, { ...a }, 'clone')).toBeUndefined()
  })

  test('fails when it came up empty (a provisioner that ignored the dataSource) or holds other bytes', () => {
    expect(cloneMismatch(a, undefined, '/data/blob of clone ns/clone')).toBe('/data/blob of clone ns/clone: the file is not there: the clone was provisioned empty, its dataSource ignored')
    expect(cloneMismatch(a, b, 'w')).toMatch(/read back .* but .* were written/)
  })
})

describe('SC-09 resize refused or accepted by the API', () => {
  const refused = { accepted: false as const, status: 422, reason: 'Invalid', message: 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests' }
  const byAdmission = { accepted: false as const, status: 403, reason: 'Forbidden', message: 'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize' }
  const byWebhook = { accepted: false as const, status: 403, reason: 'Forbidden', message: 'admission webhook "pvc-policy.example.com" denied the request: claims of class slow may not grow' }
  const byRbac = { accepted: false as const, status: 403, reason: 'Forbidden', message: 'persistentvolumeclaims "data" is forbidden: User "system:serviceaccount:ci:suite" cannot patch resource "persistentvolumeclaims" in API group "" in the namespace "sc-09-x"' }

  test('a class without expansion: a refusal by validation (422) or by admission (a plugin, a webhook) holds', () => {
    expect(resizeVerdict(false, refused, 'claim ns/data')).toBeUndefined()
    expect(resizeVerdict(false, byAdmission, 'claim ns/data')).toBeUndefined()
    expect(resizeVerdict(false, byWebhook, 'claim ns/data')).toBeUndefined()
    expect(resizeAnswer(byAdmission)).toEqual({ answer: 'refused', by: `admission (HTTP 403 Forbidden: ${byAdmission.message})` })
  })

  test('a class without expansion: a resize the API accepted fails the claim', () => {
    expect(resizeVerdict(false, { accepted: true }, 'claim ns/data')).toBe('claim ns/data: the API server accepted a resize although the class does not allow volume expansion (allowVolumeExpansion is not true)')
  })

  test('an RBAC denial, another status, or no HTTP answer is no verdict on the resize, whatever the class', () => {
    expect(resizeAnswer(byRbac)).toEqual({ answer: 'none', why: expect.stringMatching(/^RBAC denied the patch before admission could judge the resize \(HTTP 403 Forbidden: .*cannot patch resource/) })
    expect(resizeVerdict(false, byRbac, 'w')).toMatch(/^w: the resize got no verdict from the API server: RBAC denied/)
    expect(resizeVerdict(true, byRbac, 'w')).toMatch(/no verdict/)
    expect(resizeAnswer({ accepted: false, status: 500, reason: 'InternalError', message: 'etcd timeout' })).toEqual({ answer: 'none', why: 'the patch failed without a verdict on the resize (HTTP 500 InternalError: etcd timeout)' })
    expect(resizeAnswer({ accepted: false, message: 'fetch failed: connect ECONNREFUSED' })).toEqual({ answer: 'none', why: 'the patch failed without a verdict on the resize (no HTTP answer: fetch failed: connect ECONNREFUSED)' })
  })

  test('a class with expansion: accepted holds, refused fails', () => {
    expect(resizeVerdict(true, { accepted: true }, 'w')).toBeUndefined()
    expect(resizeVerdict(true, refused, 'w')).toMatch(/allows volume expansion, but the API server refused the resize: its validation \(HTTP 422 Invalid/)
  })
})

describe('SC-11 and SC-12: the second pod goes to another node that the volume admits', () => {
  const node = (name: string, zone: string): V1Node =>
    ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } } })
  // A managed cloud's node names sort across zones: the first other node by name is in another zone.
  const nodes = [node('ip-10-0-1-5', 'eu-west-1a'), node('ip-10-0-2-7', 'eu-west-1b'), node('ip-10-0-3-9', 'eu-west-1a')]
  const zonal = (zone: string): V1PersistentVolume => ({ metadata: { name: 'pvc-1' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }] } } } })

  test('a zonal volume: another node of its zone, never the first other node by name in another zone', () => {
    expect(otherAdmittedNodes(zonal('eu-west-1a'), nodes, 'ip-10-0-1-5')).toEqual({ nodes: ['ip-10-0-3-9'] })
  })
  test('a volume without node affinity: every other schedulable node', () => {
    expect(otherAdmittedNodes({ metadata: { name: 'pvc-2' }, spec: {} }, nodes, 'ip-10-0-1-5')).toEqual({ nodes: ['ip-10-0-2-7', 'ip-10-0-3-9'] })
  })
  test('no other node in the volume\'s zone: says why, naming the affinity and the nodes', () => {
    const r = otherAdmittedNodes(zonal('eu-west-1b'), nodes, 'ip-10-0-2-7')
    expect(r).toEqual({ none: 'no schedulable node but ip-10-0-2-7 is admitted by the node affinity of volume pvc-1 (topology.kubernetes.io/zone In [eu-west-1b]); schedulable nodes: ip-10-0-1-5 (zone eu-west-1a), ip-10-0-2-7 (zone eu-west-1b), ip-10-0-3-9 (zone eu-west-1a)' })
  })
  test('the first pod goes to a node whose zone has another (before the volume exists, or within the bound volume\'s zone), so that the second has somewhere to go', () => {
    expect(nodesWithZonePeer(nodes)).toEqual(['ip-10-0-1-5', 'ip-10-0-3-9'])
    expect(nodesWithZonePeer(nodes, zonal('eu-west-1a').spec!.nodeAffinity!.required)).toBeUndefined() // every admitted node has a peer: no need to choose
    // A class allowed in zone b only, whose one node has no peer: no node to choose, the scheduler places it.
    const inB = allowedTopologiesSelector({ provisioner: 'p', allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['eu-west-1b'] }] }] })
    expect(inB).toEqual({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1b'] }] }] })
    expect(nodesWithZonePeer([...nodes, node('ip-10-0-5-2', 'eu-west-1c')], inB)).toBeUndefined()
    expect(allowedTopologiesSelector({ provisioner: 'p' })).toBeUndefined()
    // A zone's second node tainted NoExecute (the strict shape's zone-b) counts for nothing.
    const tainted = { ...node('ip-10-0-4-1', 'eu-west-1b'), spec: { taints: [{ key: 'quarantine', effect: 'NoExecute' }] } }
    expect(nodesWithZonePeer([...nodes, tainted])).toEqual(['ip-10-0-1-5', 'ip-10-0-3-9'])
    // One node per zone, or no zones at all: nothing to choose, the scheduler places it.
    expect(nodesWithZonePeer([node('a', 'z1'), node('b', 'z2')])).toBeUndefined()
    expect(nodesWithZonePeer([{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }])).toBeUndefined()
  })
})

describe('SC-11 a second pod of a ReadWriteOnce claim on another node', () => {
  test('holds while that pod is not running, whatever holds it', () => {
    expect(secondPodVerdict({ phase: 'Pending', reasons: [] }, 'w')).toBeUndefined()
  })

  test('fails when it runs beside the first', () => {
    expect(secondPodVerdict({ phase: 'Running', reasons: [] }, 'pod ns/second on node-b')).toMatch(/^pod ns\/second on node-b: the second pod is Running on another node .* used on two nodes at once$/)
  })

  test('says what held it: Multi-Attach, volume node affinity, or nothing', () => {
    expect(holdReason(['FailedAttachVolume: Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) first'])).toMatch(/^held by the attach\/detach controller: .*Multi-Attach/)
    expect(holdReason(['FailedScheduling: 0/2 nodes are available: 1 node(s) had volume node affinity conflict'])).toMatch(/^held by the scheduler/)
    expect(holdReason([])).toBe('not running, and nothing said why')
  })

  test('a hold by a volume node affinity conflict alone is no evidence of ReadWriteOnce', () => {
    const conflict = 'FailedScheduling: 0/3 nodes are available: 1 node(s) had volume node affinity conflict'
    expect(heldByAffinityOnly([conflict])).toBe(conflict)
    expect(heldByAffinityOnly([conflict, 'FailedAttachVolume: Multi-Attach error for volume "pvc-1"'])).toBeUndefined()
    expect(heldByAffinityOnly([])).toBeUndefined()
  })
})

describe('SC-12 two pods on two nodes share one ReadWriteMany claim', () => {
  const written = { a: { 'from-a': 'A' }, b: { 'from-b': 'B' } }

  test('holds when each sees the other\'s file', () => {
    expect(rwxMismatch({ a: { 'from-a': 'A', 'from-b': 'B' }, b: { 'from-a': 'A', 'from-b': 'B' } }, written)).toBeUndefined()
  })

  test('fails naming who does not see what', () => {
    expect(rwxMismatch({ a: { 'from-a': 'A' }, b: { 'from-a': 'stale', 'from-b': 'B' } }, written))
      .toBe('a does not see from-b written by b; b sees other content in ("stale") from-a written by a')
  })
})
