import type { V1CSIDriver, V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { type AccessMode, type AccessModeProbe, classCapabilities, type CsiDriverInfo, csiDriverInfo, describeCapabilities, fsGroupVerdict, missingCapability, observedVolume, writeRefusedByClass, onUnprovisionableClass, provisioningFailure } from './capabilities.ts'

const accepted: AccessModeProbe = { result: 'accepted', detail: 'bound to pv-1', ms: 1200 }
const probes = (o: Partial<Record<AccessMode, AccessModeProbe>> = {}): Record<AccessMode, AccessModeProbe> =>
  ({ ReadWriteOnce: accepted, ReadWriteOncePod: accepted, ReadWriteMany: accepted, ...o })

const sc = (o: Partial<V1StorageClass> = {}): V1StorageClass => ({ metadata: { name: 'fast' }, provisioner: 'disk.csi.example.com', ...o })
const pv = (spec: object): V1PersistentVolume => ({ metadata: { name: 'pv-1' }, spec: spec as V1PersistentVolume['spec'] })
const driver = (o: Partial<CsiDriverInfo> = {}): CsiDriverInfo => ({ name: 'disk.csi.example.com', ...o })

describe('observed volume', () => {
  test('names the PV\'s volume source, its fsType and whether it has node affinity', () => {
    expect(observedVolume(pv({ csi: { driver: 'd', volumeHandle: 'h', fsType: 'ext4' } }))).toEqual({ pv: 'pv-1', source: 'csi', fsType: 'ext4', nodeAffinity: false })
    expect(observedVolume(pv({ hostPath: { path: '/x' }, nodeAffinity: { required: { nodeSelectorTerms: [] } } })))
      .toEqual({ pv: 'pv-1', source: 'hostPath', nodeAffinity: true })
    expect(observedVolume(pv({})).source).toBe('unknown')
  })

  test('names the zones its node affinity names, and none for a volume tied to a node', () => {
    const term = (key: string, values: string[]) => ({ matchExpressions: [{ key, operator: 'In', values }] })
    const zonal = pv({ csi: { driver: 'd', volumeHandle: 'h' }, nodeAffinity: { required: { nodeSelectorTerms: [term('topology.kubernetes.io/zone', ['eu-west-1b']), term('topology.ebs.csi.aws.com/zone', ['eu-west-1b', 'eu-west-1a'])] } } })
    expect(observedVolume(zonal)).toMatchObject({ nodeAffinity: true, zones: ['eu-west-1a', 'eu-west-1b'] })
    expect(observedVolume(zonal)).not.toHaveProperty('node')
    expect(observedVolume(pv({ local: { path: '/x' }, nodeAffinity: { required: { nodeSelectorTerms: [term('kubernetes.io/hostname', ['n1'])] } } }))).not.toHaveProperty('zones')
  })
})

describe('declared class', () => {
  test('keeps the StorageClass\'s parameters (none: {}) and mount options (none: left out)', () => {
    const declared = classCapabilities(sc({ parameters: { type: 'gp3', iops: '3000' }, mountOptions: ['noatime'] }), null, probes())
    expect(declared).toMatchObject({ parameters: { type: 'gp3', iops: '3000' }, mountOptions: ['noatime'] })
    const bare = classCapabilities(sc({ parameters: {}, mountOptions: [] }), null, probes())
    expect(bare.parameters).toEqual({})
    expect(classCapabilities(sc(), null, probes()).parameters).toEqual({})
    expect(bare).not.toHaveProperty('mountOptions')
  })
})

describe('CSIDriver capabilities', () => {
  test('are copied from the spec, unset ones left out of the description as "unset"', () => {
    const d: V1CSIDriver = { metadata: { name: 'x' }, spec: { attachRequired: true, fsGroupPolicy: 'File', volumeLifecycleModes: ['Persistent'] } }
    expect(csiDriverInfo(d)).toMatchObject({ name: 'x', attachRequired: true, fsGroupPolicy: 'File', volumeLifecycleModes: ['Persistent'] })
    const text = describeCapabilities([classCapabilities(sc({ provisioner: 'x' }), csiDriverInfo(d), probes())])
    expect(text).toContain('CSI driver x: attachRequired true, podInfoOnMount unset, fsGroupPolicy File, volumeLifecycleModes Persistent')
  })
})

describe('fsGroup verdict', () => {
  test('a CSIDriver with fsGroupPolicy None: not applied; File: applied', () => {
    expect(fsGroupVerdict('p', driver({ fsGroupPolicy: 'None' }), undefined)).toMatchObject({ supported: false, reason: expect.stringContaining('fsGroupPolicy None') })
    expect(fsGroupVerdict('p', driver({ fsGroupPolicy: 'File' }), undefined).supported).toBe(true)
  })

  test('ReadWriteOnceWithFSType (also the default): applied when the volume has an fsType, not without, unknown without a volume', () => {
    expect(fsGroupVerdict('p', driver(), { pv: 'v', source: 'csi', fsType: 'ext4', nodeAffinity: false }).supported).toBe(true)
    expect(fsGroupVerdict('p', driver({ fsGroupPolicy: 'ReadWriteOnceWithFSType' }), { pv: 'v', source: 'csi', nodeAffinity: false }).supported).toBe(false)
    expect(fsGroupVerdict('p', driver(), undefined).supported).toBeUndefined()
  })

  test('not CSI: decided by the kind of volume the provisioner made', () => {
    const hostPath = fsGroupVerdict('rancher.io/local-path', null, { pv: 'pvc-1', source: 'hostPath', nodeAffinity: true })
    expect(hostPath.supported).toBe(false)
    expect(hostPath.reason).toBe('not a CSI driver (no CSIDriver named rancher.io/local-path); its volumes (e.g. pvc-1) are hostPath volumes, which kubelet mounts as they are (their volume plugin ignores fsGroup)')
    expect(fsGroupVerdict('p', null, { pv: 'v', source: 'nfs', nodeAffinity: false }).supported).toBe(false)
    expect(fsGroupVerdict('p', null, { pv: 'v', source: 'local', nodeAffinity: true }).supported).toBe(true)
    expect(fsGroupVerdict('p', null, undefined).supported).toBeUndefined()
    expect(fsGroupVerdict('p', 'could not list CSIDrivers: HTTP 403', { pv: 'v', source: 'hostPath', nodeAffinity: false }).reason).toMatch(/^CSI status unknown \(could not list CSIDrivers: HTTP 403\)/)
  })
})

describe('missing capabilities', () => {
  const hostPathClass = classCapabilities(sc({ metadata: { name: 'hostpath-immediate' }, provisioner: 'kubernetes.io/host-path' }), null,
    probes({ ReadWriteMany: { result: 'refused', detail: 'ProvisioningFailed: only ReadWriteOnce' }, ReadWriteOncePod: { result: 'unknown', detail: 'no answer within 180s' } }),
    { pv: 'pvc-1', source: 'hostPath', nodeAffinity: false })

  test('expansion: missing unless allowVolumeExpansion is true', () => {
    expect(missingCapability(hostPathClass, 'expansion')).toBe('StorageClass hostpath-immediate (provisioner kubernetes.io/host-path) does not allow volume expansion (allowVolumeExpansion is not true)')
    expect(missingCapability(classCapabilities(sc({ allowVolumeExpansion: true }), null, probes()), 'expansion')).toBeUndefined()
  })

  test('access modes: missing when refused (with the provisioner\'s words) or not shown; present when accepted', () => {
    expect(missingCapability(hostPathClass, 'ReadWriteOnce')).toBeUndefined()
    expect(missingCapability(hostPathClass, 'ReadWriteMany')).toMatch(/refused a ReadWriteMany claim: ProvisioningFailed: only ReadWriteOnce$/)
    expect(missingCapability(hostPathClass, 'ReadWriteOncePod')).toMatch(/could not be shown to accept a ReadWriteOncePod claim: no answer within 180s$/)
  })

  test('fsGroup: missing with the verdict\'s reason', () => {
    expect(missingCapability(hostPathClass, 'fsGroup')).toMatch(/fsGroup is not applied: not a CSI driver .* hostPath volumes/)
  })

  test('defaults: binding Immediate and reclaim Delete when the class leaves them unset', () => {
    expect(hostPathClass).toMatchObject({ bindingMode: 'Immediate', reclaimPolicy: 'Delete', allowVolumeExpansion: false, isDefault: false })
  })
})

describe('a class that cannot provision', () => {
  const caps = (rwo: AccessModeProbe) => classCapabilities(sc(), null, probes({ ReadWriteOnce: rwo }))

  test('fails every claim with the probe\'s evidence, SC-01 plainly and the others pointing to it', () => {
    const stuck = caps({ result: 'unknown', detail: 'no answer within 180s (claim still Pending; last event: ProvisioningFailed: quota exceeded)' })
    expect(onUnprovisionableClass(stuck, 'SC-01')).toEqual({ fail: expect.stringContaining('did not provision the capability probe\'s plain ReadWriteOnce claim: no answer within 180s') })
    expect(onUnprovisionableClass(stuck, 'Q1-04')).toEqual({ fail: expect.stringMatching(/ProvisioningFailed: quota exceeded.*SC-01 \[fast\] fails on the same/) })
  })

  test('a claim that does not apply to the class by its declaration is skipped for that, not failed', () => {
    const stuck = caps({ result: 'unknown', detail: 'no answer within 180s' })
    expect(onUnprovisionableClass(stuck, 'SC-04')).toEqual({ skip: expect.stringMatching(/does not allow volume expansion/) })
  })

  test('a class that bound the probe\'s claim runs every claim', () => {
    expect(onUnprovisionableClass(caps(accepted), 'SC-01')).toBeUndefined()
    expect(provisioningFailure(caps(accepted))).toBeUndefined()
  })
})

describe('a write refused on a class that does not apply fsGroup (NFS with root_squash)', () => {
  const nfs = classCapabilities(sc({ metadata: { name: 'nfs-client' }, provisioner: 'nfs.csi.k8s.io' }), driver({ name: 'nfs.csi.k8s.io', fsGroupPolicy: 'None' }), probes())
  const ext4 = classCapabilities(sc(), driver(), probes(), { pv: 'pv-1', source: 'csi', fsType: 'ext4', nodeAffinity: false })

  test('is a limit of the class, naming it, the refusal and why fsGroup is not applied', () => {
    const failure = 'exec in sc-q1-04-ab12/lunchbox failed (exit 1): sh: can\'t create /data/potato: Permission denied\n    at execOk (lib/k8s/exec.ts:80:11)'
    expect(writeRefusedByClass(nfs, failure)).toBe(
      'StorageClass nfs-client (provisioner nfs.csi.k8s.io): its volume is not writable by the suite\'s non-root pod '
      + '(exec in sc-q1-04-ab12/lunchbox failed (exit 1): sh: can\'t create /data/potato: Permission denied), and fsGroup is not applied '
      + '(CSIDriver nfs.csi.k8s.io declares fsGroupPolicy None: kubelet leaves volume ownership to the driver and does not apply fsGroup): a limit of the class, as SC-08…12 skip for it')
    // podinfo answers a store it cannot write with Go's words.
    expect(writeRefusedByClass(nfs, 'POST /store: HTTP 500: open /data/60551111de9edc71337c0d121f83aaf80c776f43: permission denied')).toMatch(/^StorageClass nfs-client .*permission denied\), and fsGroup is not applied/)
    expect(writeRefusedByClass(nfs, 'write /data/x: EACCES')).toBeDefined()
  })

  test('is the claim\'s failure where the class applies fsGroup, and any other failure stays one', () => {
    expect(writeRefusedByClass(ext4, 'sh: can\'t create /data/potato: Permission denied')).toBeUndefined()
    expect(writeRefusedByClass(nfs, 'expected \'tasty potatos\', seen \'\'')).toBeUndefined()
    expect(writeRefusedByClass(nfs, 'create pod ns/lunchbox: HTTP 403: pods is forbidden')).toBeUndefined()
    // Seen under the mutant endpointslice-first-address-kept: Q1-13's And step failed (the name
    // answered the pod's old IP) with the client's ping output in its message, and was skipped as
    // a limit of the class.
    expect(writeRefusedByClass(nfs, 'sandwich-0.kitchen answered 10.244.0.125, not 10.244.0.131\nping: permission denied (are you root?)')).toBeUndefined()
    expect(writeRefusedByClass(nfs, 'mkdir: can\'t create directory \'/data/x\': Permission denied')).toBeDefined()
  })
})
