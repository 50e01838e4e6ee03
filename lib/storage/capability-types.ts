// The record of what a storage class can do (declared and probed), and its parts: the data that
// capabilities.ts (access modes, fsGroup, the table global setup prints) and advanced.ts (Block,
// snapshots, clones, node-local) both read and fill in. Types only, importing nothing of theirs,
// so that neither of the two imports the other for them.

// A VolumeSnapshotClass, as far as SC-08 needs it.
export interface SnapshotClassInfo {
  name: string
  driver: string
  deletionPolicy: string
  isDefault: boolean
}

// Whether snapshot.storage.k8s.io/v1 is served, and the snapshot classes of the class's driver.
export interface SnapshotSupport {
  // undefined: could not be told (the reason is in detail).
  served: boolean | undefined
  classes: SnapshotClassInfo[]
  detail: string
}

export const accessModes = ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'] as const
export type AccessMode = (typeof accessModes)[number]

// One access-mode probe: a small claim the class's provisioner either bound or refused.
export interface AccessModeProbe {
  result: 'accepted' | 'refused' | 'unknown'
  detail: string
  // From creating the claim (and its pod) to Bound, when accepted.
  ms?: number
  // The Block probe: the group that owns the raw device in the pod (stat -c %g), which SC-07's pod joins.
  deviceGroup?: number
}

// The CSIDriver's declared capabilities, as far as the API exposes them.
export interface CsiDriverInfo {
  name: string
  attachRequired?: boolean
  podInfoOnMount?: boolean
  fsGroupPolicy?: string
  volumeLifecycleModes?: string[]
  storageCapacity?: boolean
  requiresRepublish?: boolean
  seLinuxMount?: boolean
}

// The volume the provisioner made for the ReadWriteOnce probe.
export interface ObservedVolume {
  pv: string
  // The PV's volume source: csi, hostPath, local, nfs, awsElasticBlockStore, …
  source: string
  fsType?: string
  nodeAffinity: boolean
  // The one node its node affinity names, when it names one (advanced.ts affinityNode).
  node?: string
  // The zones its node affinity names (topology.kubernetes.io/zone and the like), when it names zones.
  zones?: string[]
}

export interface Verdict {
  // undefined: not determined (the reason says why).
  supported: boolean | undefined
  reason: string
}

export interface Capabilities {
  storageClass: string
  isDefault: boolean
  provisioner: string
  // The StorageClass's parameters ({} for none; absent in reports written before they were kept)
  // and mount options as declared: the datasheet shows them.
  parameters?: Record<string, string>
  mountOptions?: string[]
  bindingMode: string
  reclaimPolicy: string
  allowVolumeExpansion: boolean
  // null: no CSIDriver named like the provisioner or like its volume's driver; a string: why it is not known.
  csi: CsiDriverInfo | null | string
  accessModes: Record<AccessMode, AccessModeProbe>
  volume?: ObservedVolume
  fsGroup: Verdict
  // Issue 15 (advanced.ts): a Block claim used by a pod, a clone of the ReadWriteOnce
  // probe's claim, the snapshot classes of its driver, volumes tied to one node.
  block?: AccessModeProbe
  clone?: AccessModeProbe
  snapshots?: SnapshotSupport
  nodeLocal?: Verdict
  // The least the class provisions, learned from its refusal of a smaller probe claim
  // (minimum-size.ts): every claim of the class in the run asks for no less.
  minimumSize?: { size: string; refusal: string }
}
