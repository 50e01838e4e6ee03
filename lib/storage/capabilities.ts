// What each storage class under test can do, as declared (StorageClass,
// CSIDriver) and as observed (which access modes its provisioner accepted,
// what kind of volume it made). Global setup detects them once
// (probe.ts) and hands them to the workers, so that a claim
// needing a capability the class lacks is skipped with that reason, and one
// the class claims to have is tested, and fails if it does not hold.
import type { V1CSIDriver, V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node'
import { timeoutScale } from '../k8s/timeouts.ts'
import { isDefaultClass } from '../resources/storage.ts'
import { type AdvancedCapability, affinityNode, affinityZones, describeAdvanced, missingAdvanced } from './advanced.ts'
import { type AccessMode, type AccessModeProbe, accessModes, type Capabilities, type CsiDriverInfo, type ObservedVolume, type Verdict } from './capability-types.ts'

// The record's types, declared in capability-types.ts, for the modules that read them from here.
export { accessModes } from './capability-types.ts'
export type { AccessMode, AccessModeProbe, Capabilities, CsiDriverInfo, ObservedVolume, Verdict } from './capability-types.ts'

export type Capability = 'expansion' | 'fsGroup' | AccessMode | AdvancedCapability

export function csiDriverInfo(d: V1CSIDriver): CsiDriverInfo {
  const s = d.spec
  return {
    name: d.metadata?.name ?? '',
    attachRequired: s.attachRequired,
    podInfoOnMount: s.podInfoOnMount,
    fsGroupPolicy: s.fsGroupPolicy,
    volumeLifecycleModes: s.volumeLifecycleModes,
    storageCapacity: s.storageCapacity,
    requiresRepublish: s.requiresRepublish,
    seLinuxMount: s.seLinuxMount,
  }
}

const volumeSources = ['csi', 'hostPath', 'local', 'nfs', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile',
  'cinder', 'vsphereVolume', 'rbd', 'iscsi', 'fc', 'cephfs', 'glusterfs', 'portworxVolume', 'flexVolume'] as const

export function observedVolume(pv: V1PersistentVolume): ObservedVolume {
  const spec = (pv.spec ?? {}) as Record<string, unknown>
  const source = volumeSources.find((k) => spec[k]) ?? 'unknown'
  const fsType = (spec[source] as { fsType?: string } | undefined)?.fsType || undefined
  const node = affinityNode(pv)
  const zones = affinityZones(pv)
  return { pv: pv.metadata?.name ?? '', source, ...(fsType ? { fsType } : {}), nodeAffinity: !!pv.spec?.nodeAffinity?.required, ...(node ? { node } : {}), ...(zones.length ? { zones } : {}) }
}

// Volume sources whose ownership kubelet does not manage: their volume
// plugins ignore fsGroup (hostPath: SetUp does nothing and reports
// Managed: false; nfs likewise). Every other in-tree block or local source
// has kubelet apply fsGroup when mounting read-write.
const unmanagedSources: Record<string, string> = {
  hostPath: 'hostPath volumes, which kubelet mounts as they are (their volume plugin ignores fsGroup)',
  nfs: 'NFS volumes, whose ownership kubelet does not manage (the server decides)',
}

// Will kubelet apply a pod's fsGroup to this class's volumes? From the
// CSIDriver's fsGroupPolicy when the class is CSI, else from the kind of
// volume its provisioner made (observed on the probe's volume, or `pv`).
export function fsGroupVerdict(provisioner: string, csi: Capabilities['csi'], volume: ObservedVolume | undefined): Verdict {
  if (csi && typeof csi === 'object') {
    const policy = csi.fsGroupPolicy ?? 'ReadWriteOnceWithFSType'
    const who = `CSIDriver ${csi.name} declares fsGroupPolicy ${policy}`
    if (policy === 'None') return { supported: false, reason: `${who}: kubelet leaves volume ownership to the driver and does not apply fsGroup` }
    if (policy === 'File') return { supported: true, reason: `${who}: kubelet applies fsGroup to every volume` }
    if (!volume) return { supported: undefined, reason: `${who}: applied only to ReadWriteOnce volumes with an fsType, and no probe volume was made to see one` }
    return volume.fsType
      ? { supported: true, reason: `${who}, and its ReadWriteOnce volume ${volume.pv} has fsType ${volume.fsType}` }
      : { supported: false, reason: `${who}, but its ReadWriteOnce volume ${volume.pv} has no fsType, so kubelet does not apply fsGroup` }
  }
  const notCsi = typeof csi === 'string' ? `CSI status unknown (${csi})` : `not a CSI driver (no CSIDriver named ${provisioner})`
  if (!volume) return { supported: undefined, reason: `${notCsi}, and no probe volume was made to see what kind of volume it provisions` }
  const unmanaged = unmanagedSources[volume.source]
  if (unmanaged) return { supported: false, reason: `${notCsi}; its volumes (e.g. ${volume.pv}) are ${unmanaged}` }
  if (volume.source === 'csi') {
    // A CSI volume whose driver has no CSIDriver object: kubelet's default policy.
    return volume.fsType
      ? { supported: true, reason: `its volume ${volume.pv} is a CSI volume with fsType ${volume.fsType} (kubelet's default fsGroupPolicy ReadWriteOnceWithFSType)` }
      : { supported: false, reason: `its volume ${volume.pv} is a CSI volume without fsType, and without a CSIDriver object kubelet applies fsGroup only with one` }
  }
  if (volume.source === 'unknown') return { supported: undefined, reason: `${notCsi}, and its volume ${volume.pv} has a source this suite does not know` }
  return { supported: true, reason: `${notCsi}; its volumes (e.g. ${volume.pv}) are ${volume.source} volumes, whose ownership kubelet manages` }
}

export function classCapabilities(sc: V1StorageClass, csi: Capabilities['csi'], probes: Record<AccessMode, AccessModeProbe>, volume?: ObservedVolume): Capabilities {
  const provisioner = sc.provisioner
  return {
    storageClass: sc.metadata?.name ?? '',
    isDefault: isDefaultClass(sc),
    provisioner,
    parameters: sc.parameters ?? {},
    ...(sc.mountOptions?.length ? { mountOptions: sc.mountOptions } : {}),
    bindingMode: sc.volumeBindingMode ?? 'Immediate',
    reclaimPolicy: sc.reclaimPolicy ?? 'Delete',
    allowVolumeExpansion: sc.allowVolumeExpansion === true,
    csi,
    accessModes: probes,
    ...(volume ? { volume } : {}),
    fsGroup: fsGroupVerdict(provisioner, csi, volume),
  }
}

// A write refused for lack of permission ("Permission denied", EACCES) on a
// volume of a class that does not apply fsGroup: the volume's root stays as
// the storage made it (root-owned on NFS with root_squash), and the suite's
// non-root pods cannot write there. A limit of the class, for which SC-08…12
// skip at once (notWritable), not a claim that does not hold: the reason to
// skip the claim, naming the class and the refusal, or undefined when the
// failure is another or the class applies fsGroup (then it is the claim's).
export function writeRefusedByClass(c: Capabilities, failure: string): string | undefined {
  if (c.fsGroup.supported === true) return undefined
  // A refusal to write a file: a path just before the words, as sh, touch, dd, tee, mkdir and Go's
  // os package put it. Not any "permission denied": busybox ping's "ping: permission denied (are
  // you root?)" in a DNS check's message is no write, and the claim's failure must stay one.
  const refusal = failure.split('\n').map((l) => l.trim()).find((l) => /\/[^\s:'"]*['"]?: (permission denied|EACCES)\b/i.test(l))
  if (!refusal) return undefined
  return `StorageClass ${c.storageClass} (provisioner ${c.provisioner}): its volume is not writable by the suite's non-root pod `
    + `(${refusal.length > 200 ? `${refusal.slice(0, 200)}…` : refusal}), and fsGroup is ${c.fsGroup.supported === false ? 'not applied' : 'not known to be applied'} `
    + `(${c.fsGroup.reason}): a limit of the class, as SC-08…12 skip for it`
}

// Why the class lacks a capability (or why it could not be established),
// or undefined when it has it.
export function missingCapability(c: Capabilities, capability: Capability): string | undefined {
  const cls = `StorageClass ${c.storageClass} (provisioner ${c.provisioner})`
  switch (capability) {
    case 'expansion':
      return c.allowVolumeExpansion ? undefined : `${cls} does not allow volume expansion (allowVolumeExpansion is not true)`
    case 'fsGroup':
      if (c.fsGroup.supported === true) return undefined
      return `${cls}: fsGroup is ${c.fsGroup.supported === false ? 'not applied' : 'not known to be applied'}: ${c.fsGroup.reason}`
    case 'block':
    case 'snapshot':
    case 'clone':
    case 'sharedAcrossNodes':
      return missingAdvanced(c, capability)
    default: {
      const p = c.accessModes[capability]
      if (p.result === 'accepted') return undefined
      return `${cls} ${p.result === 'refused' ? 'refused' : 'could not be shown to accept'} a ${capability} claim: ${p.detail}`
    }
  }
}

// A class whose provisioner did not bind the probe's plain ReadWriteOnce claim
// holds no [sc] claim: every one fails at once with the probe's evidence
// (SC-01, about binding, with it alone; the others pointing to SC-01 too),
// instead of each waiting out its own provisioning timeout. Not a skip: the
// class lacks no optional capability, it does not work.
export const provisioningClaim = 'SC-01'

export function provisioningFailure(c: Capabilities): string | undefined {
  const p = c.accessModes.ReadWriteOnce
  if (p.result === 'accepted') return undefined
  return `StorageClass ${c.storageClass} (provisioner ${c.provisioner}) did not provision the capability probe's plain ReadWriteOnce claim: ${p.detail}`
}

// Claims that do not apply to a class by what it declares, whatever its volumes do: on a
// class that cannot provision they are skipped for that still, as on a working one.
const skipsByDeclaration: Record<string, (c: Capabilities) => string | undefined> = {
  'SC-04': (c) => missingCapability(c, 'expansion'),
  'SC-08': (c) => {
    const noSnapshot = missingCapability(c, 'snapshot')
    const noClone = missingCapability(c, 'clone')
    return noSnapshot && noClone ? `${noSnapshot}; and ${noClone}` : undefined
  },
}

// What a [sc] claim does on a class that cannot provision: skip (it does not apply to the class
// by declaration), fail, or (on a class that provisions) run.
export function onUnprovisionableClass(c: Capabilities, claim: string | undefined): { fail: string } | { skip: string } | undefined {
  const failure = provisioningFailure(c)
  if (!failure) return undefined
  const skip = claim ? skipsByDeclaration[claim]?.(c) : undefined
  if (skip) return { skip }
  return claim === provisioningClaim ? { fail: failure } : { fail: `${failure} (this claim needs a volume of the class; ${provisioningClaim} [${c.storageClass}] fails on the same)` }
}

const yesNo = (b: boolean | undefined) => (b === undefined ? 'unset' : String(b))

export function describeCsi(c: Capabilities): string {
  if (c.csi === null) return `not CSI (no CSIDriver named ${c.provisioner})`
  if (typeof c.csi === 'string') return `CSI: unknown (${c.csi})`
  const d = c.csi
  return `CSI driver ${d.name}: attachRequired ${yesNo(d.attachRequired)}, podInfoOnMount ${yesNo(d.podInfoOnMount)}, fsGroupPolicy ${d.fsGroupPolicy ?? 'unset'}, `
    + `volumeLifecycleModes ${d.volumeLifecycleModes?.join('+') || 'unset'}, storageCapacity ${yesNo(d.storageCapacity)}, requiresRepublish ${yesNo(d.requiresRepublish)}, seLinuxMount ${yesNo(d.seLinuxMount)}`
}

const describeProbe = (mode: AccessMode, p: AccessModeProbe) =>
  `${mode} ${p.result}${p.ms !== undefined ? ` (${(p.ms / 1000).toFixed(1)}s)` : ''}${p.result === 'accepted' ? '' : `: ${p.detail}`}`

// The block global setup prints at the start of a run.
export function describeCapabilities(all: Capabilities[]): string {
  return all.map((c) => [
    `  ${c.storageClass}${c.isDefault ? ' (default)' : ''}: provisioner ${c.provisioner}, binding ${c.bindingMode}, reclaim ${c.reclaimPolicy}, expansion ${c.allowVolumeExpansion ? 'allowed' : 'not allowed'}`,
    `    ${describeCsi(c)}`,
    `    volumes: ${c.volume ? `${c.volume.source}${c.volume.fsType ? ` (fsType ${c.volume.fsType})` : ''}, ${c.volume.nodeAffinity ? 'with' : 'no'} node affinity (seen on ${c.volume.pv})` : 'not seen (no ReadWriteOnce probe volume)'}`,
    ...(c.minimumSize ? [`    minimum size: ${c.minimumSize.size}, every claim of the class asks for at least that (refused: ${c.minimumSize.refusal.slice(0, 200)})`] : []),
    `    access modes: ${accessModes.map((m) => describeProbe(m, c.accessModes[m])).join('; ')}`,
    `    fsGroup: ${c.fsGroup.supported === true ? 'applied' : c.fsGroup.supported === false ? 'not applied' : 'unknown'} (${c.fsGroup.reason})`,
    ...describeAdvanced(c),
  ].join('\n')).join('\n')
}

// How long a WaitForFirstConsumer claim must stay unbound without a pod to
// show the class waits: twice what it took the capability probe to bind a
// claim of this class with a consumer (a class that did not wait would bind
// at least that fast), and never under 5s; scaled with SC_TIMEOUT_SCALE.
export function unboundHoldMs(c: Capabilities, scale = timeoutScale()): number {
  const probe = c.accessModes.ReadWriteOnce.result === 'accepted' ? (c.accessModes.ReadWriteOnce.ms ?? 0) : 0
  return Math.round(Math.max(5_000, 2 * probe) * scale)
}
