import type { V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { affinityNode, capabilityRow, describeAdvanced, missingAdvanced, nodeLocalVerdict, snapshotAndCloneHalves, snapshotClassInfo, snapshotSupport } from './advanced.ts'
import { type AccessModeProbe, classCapabilities, describeCapabilities, missingCapability, observedVolume } from './capabilities.ts'

const accepted: AccessModeProbe = { result: 'accepted', detail: 'bound to pv-1', ms: 1200 }
const probes = { ReadWriteOnce: accepted, ReadWriteOncePod: accepted, ReadWriteMany: accepted }
const sc = (o: Partial<V1StorageClass> = {}): V1StorageClass => ({ metadata: { name: 'fast' }, provisioner: 'hostpath.csi.k8s.io', ...o })
const pinned = (terms: object[]): V1PersistentVolume => ({ metadata: { name: 'pv-1' }, spec: { csi: { driver: 'd', volumeHandle: 'h' }, nodeAffinity: { required: { nodeSelectorTerms: terms } } } as V1PersistentVolume['spec'] })
const host = (values: string[]) => ({ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values }] })

describe('node-local volumes', () => {
  test('a volume whose node affinity names one node is node-local', () => {
    expect(affinityNode(pinned([host(['node-a'])]))).toBe('node-a')
    expect(observedVolume(pinned([host(['node-a'])])).node).toBe('node-a')
    expect(nodeLocalVerdict(observedVolume(pinned([host(['node-a'])])))).toEqual({ supported: true, reason: 'its volume pv-1 has node affinity for node node-a only' })
  })

  test('a zone, several nodes, or no affinity: not node-local (unless hostPath or local)', () => {
    expect(affinityNode(pinned([{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-1a'] }] }]))).toBeUndefined()
    expect(affinityNode(pinned([host(['a', 'b'])]))).toBeUndefined()
    expect(nodeLocalVerdict({ pv: 'pv-1', source: 'csi', nodeAffinity: true }).supported).toBe(false)
    expect(nodeLocalVerdict({ pv: 'pv-1', source: 'hostPath', nodeAffinity: false }).supported).toBe(true)
    expect(nodeLocalVerdict(undefined).supported).toBeUndefined()
  })

  test('SC-11 needs volumes shared across nodes, and points node-local classes to Q1-05', () => {
    const local = { ...classCapabilities(sc(), null, probes), nodeLocal: nodeLocalVerdict({ pv: 'pv-1', source: 'hostPath', nodeAffinity: true, node: 'n1' }) }
    expect(missingCapability(local, 'sharedAcrossNodes')).toMatch(/node-local .*node n1 only.*Q1-05 covers/)
    const shared = { ...local, nodeLocal: nodeLocalVerdict({ pv: 'pv-1', source: 'csi', nodeAffinity: false }) }
    expect(missingCapability(shared, 'sharedAcrossNodes')).toBeUndefined()
  })
})

describe('snapshots', () => {
  const classes = [
    snapshotClassInfo({ metadata: { name: 'other' }, driver: 'ebs.csi.aws.com', deletionPolicy: 'Delete' }),
    snapshotClassInfo({ metadata: { name: 'hp-retain' }, driver: 'hostpath.csi.k8s.io', deletionPolicy: 'Retain' }),
    snapshotClassInfo({ metadata: { name: 'hp', annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } }, driver: 'hostpath.csi.k8s.io' }),
  ]

  test('the classes of the driver, the default one first', () => {
    const s = snapshotSupport(true, classes, 'hostpath.csi.k8s.io')
    expect(s.classes.map((c) => c.name)).toEqual(['hp', 'hp-retain'])
    expect(s.detail).toBe('hp (default), deletionPolicy Delete; hp-retain, deletionPolicy Retain')
  })

  test('missing: API not served, no class of the driver (naming the others), or not known', () => {
    const caps = (s: ReturnType<typeof snapshotSupport>) => ({ ...classCapabilities(sc(), null, probes), snapshots: s })
    expect(missingCapability(caps(snapshotSupport(false, [], 'd')), 'snapshot')).toMatch(/no VolumeSnapshot API: the API server does not serve snapshot.storage.k8s.io\/v1/)
    expect(missingCapability(caps(snapshotSupport(true, classes, 'rancher.io/local-path')), 'snapshot')).toMatch(/no VolumeSnapshotClass for its driver: no VolumeSnapshotClass names driver rancher.io\/local-path \(there are: other \(ebs.csi.aws.com\)/)
    expect(missingCapability(caps(snapshotSupport('could not read: HTTP 403', [], 'd')), 'snapshot')).toMatch(/HTTP 403/)
    expect(missingCapability(caps(snapshotSupport(true, classes, 'hostpath.csi.k8s.io')), 'snapshot')).toBeUndefined()
  })
})

describe('Block volumes and clones', () => {
  test('missing with the probe\'s words, or "not probed" when the probe did not run', () => {
    const csi = { name: 'hostpath.csi.k8s.io' }
    const c = { ...classCapabilities(sc(), csi, probes), block: { result: 'refused' as const, detail: 'ProvisioningFailed: Block not supported' }, clone: accepted }
    expect(missingAdvanced(c, 'block')).toMatch(/refused a volumeMode Block claim whose raw device a pod opens and reads \(volumeDevices\): ProvisioningFailed: Block not supported$/)
    expect(missingAdvanced(c, 'clone')).toBeUndefined()
    expect(missingAdvanced(classCapabilities(sc(), null, probes), 'block')).toMatch(/was not probed/)
  })
})

test('cloning is a CSI feature: a non-CSI class that binds a clone claim (empty, as local-path does) lacks it, saying so', () => {
  const localPath = { ...classCapabilities(sc({ provisioner: 'rancher.io/local-path' }), null, probes), clone: accepted }
  expect(missingAdvanced(localPath, 'clone')).toMatch(/is not a CSI driver .*volume cloning is a CSI feature: it bound the probe's clone claim, but a non-CSI provisioner does not copy the source/)
})

describe('the capability table', () => {
  test('prints a line per capability and a cell per capability', () => {
    const c = {
      ...classCapabilities(sc(), null, probes, { pv: 'pv-1', source: 'csi', nodeAffinity: true, node: 'n1' }),
      block: accepted, clone: { result: 'unknown' as const, detail: 'no answer within 180s' },
      snapshots: snapshotSupport(false, [], 'd'), nodeLocal: nodeLocalVerdict({ pv: 'pv-1', source: 'csi', nodeAffinity: true, node: 'n1' }),
    }
    expect(describeAdvanced(c)).toEqual([
      '    block volumes: accepted (1.2s)',
      '    snapshots: API not served',
      '    clones: unknown: no answer within 180s',
      '    node-local: yes (its volume pv-1 has node affinity for node n1 only)',
    ])
    expect(describeCapabilities([c])).toContain('    block volumes: accepted (1.2s)')
    expect(Object.keys(capabilityRow(c).cells)).toEqual(['binding', 'expansion', 'RWO', 'RWOP', 'RWX', 'fsGroup', 'block', 'snapshots', 'clone', 'node-local', 'min size'])
    expect(capabilityRow(c).cells['min size']!.value).toBe('none named')
    expect(capabilityRow({ ...c, minimumSize: { size: '4Gi', refusal: 'c0-rwo (1Gi): ProvisioningFailed: size must be at least 4Gi' } }).cells['min size'])
      .toEqual({ value: '4Gi', detail: 'c0-rwo (1Gi): ProvisioningFailed: size must be at least 4Gi' })
    expect(capabilityRow(c).cells['node-local']).toEqual({ value: 'yes', detail: 'its volume pv-1 has node affinity for node n1 only' })
  })
})

describe('SC-08: a half the class lacks does not apply, one the probe could not tell about is not checked', () => {
  const csi = { name: 'hostpath.csi.k8s.io' }
  const withSnapshots = snapshotSupport(true, [snapshotClassInfo({ metadata: { name: 'hp' }, driver: 'hostpath.csi.k8s.io' })], 'hostpath.csi.k8s.io')
  const unknownClone = { result: 'unknown' as const, detail: 'no answer within 180s' }
  const caps = (snapshots: ReturnType<typeof snapshotSupport>, clone: AccessModeProbe, driver: typeof csi | null = csi) => ({ ...classCapabilities(sc(), driver, probes), snapshots, clone })

  test('both halves run where the class has both', () => {
    expect(snapshotAndCloneHalves(caps(withSnapshots, accepted))).toEqual({})
  })

  test('a clone the probe got no answer about: the claim is partial, naming the clone half, even where the snapshot half does not apply', () => {
    expect(snapshotAndCloneHalves(caps(withSnapshots, unknownClone))).toEqual({ clone: expect.stringMatching(/could not be shown to accept a clone .*no answer within 180s/) })
    const halves = snapshotAndCloneHalves(caps(snapshotSupport(false, [], 'd'), unknownClone))
    expect(halves).not.toHaveProperty('skip')
    expect(halves).toEqual({ snapshot: expect.stringMatching(/no VolumeSnapshot API/), clone: expect.stringMatching(/no answer within 180s/) })
  })

  test('skipped only where the class lacks both: no snapshot API, and a clone refused or a driver that is not CSI', () => {
    const refused = { result: 'refused' as const, detail: 'ProvisioningFailed: cloning not supported' }
    expect(snapshotAndCloneHalves(caps(snapshotSupport(false, [], 'd'), refused))).toEqual({ skip: expect.stringMatching(/no VolumeSnapshot API.*; and .*refused a clone/) })
    expect(snapshotAndCloneHalves(caps(snapshotSupport(false, [], 'd'), accepted, null))).toEqual({ skip: expect.stringMatching(/not a CSI driver/) })
    // The snapshot API could not be read: not known to be lacking.
    expect(snapshotAndCloneHalves(caps(snapshotSupport('could not read snapshot.storage.k8s.io: HTTP 503', [], 'd'), refused))).not.toHaveProperty('skip')
  })
})
