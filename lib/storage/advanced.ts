// What a class offers beyond plain ReadWriteOnce volumes, for SC-07…SC-12
// (issue 15): raw Block volumes, snapshots, clones, and whether its volumes
// are tied to one node. The probe (probe.ts) fills these in at the start of
// the run; the claims that need one are skipped naming what is missing.
import type { V1PersistentVolume } from '@kubernetes/client-node'
import type { AccessModeProbe, Capabilities, ObservedVolume, SnapshotClassInfo, SnapshotSupport, Verdict } from './capability-types.ts'

export type AdvancedCapability = 'block' | 'snapshot' | 'clone' | 'sharedAcrossNodes'

export const snapshotGroup = 'snapshot.storage.k8s.io'
const defaultSnapshotClassAnnotation = 'snapshot.storage.kubernetes.io/is-default-class'

export function snapshotClassInfo(o: { metadata?: { name?: string; annotations?: Record<string, string> }; driver?: string; deletionPolicy?: string }): SnapshotClassInfo {
  return {
    name: o.metadata?.name ?? '',
    driver: o.driver ?? '',
    deletionPolicy: o.deletionPolicy ?? 'Delete',
    isDefault: o.metadata?.annotations?.[defaultSnapshotClassAnnotation] === 'true',
  }
}

// The snapshot classes of `driver` (the StorageClass's provisioner), the default one first.
export function snapshotSupport(served: boolean | string, all: SnapshotClassInfo[], driver: string): SnapshotSupport {
  if (typeof served === 'string') return { served: undefined, classes: [], detail: served }
  if (!served) return { served: false, classes: [], detail: `the API server does not serve ${snapshotGroup}/v1 (no snapshot CRDs installed)` }
  const classes = all.filter((c) => c.driver === driver).sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name))
  const others = all.filter((c) => c.driver !== driver).map((c) => `${c.name} (${c.driver})`)
  return {
    served: true, classes,
    detail: classes.length
      ? classes.map((c) => `${c.name}${c.isDefault ? ' (default)' : ''}, deletionPolicy ${c.deletionPolicy}`).join('; ')
      : `no VolumeSnapshotClass names driver ${driver}${others.length ? ` (there are: ${others.join(', ')})` : ' (there are none)'}`,
  }
}

// The snapshot class SC-08 uses: the driver's default one, else its first.
export const chosenSnapshotClass = (s: SnapshotSupport | undefined): SnapshotClassInfo | undefined => s?.classes[0]

// The one node a volume's required node affinity names (kubernetes.io/hostname
// In [one], or metadata.name In [one]), in every term; undefined when it
// names none, several, or only a zone.
export function affinityNode(pv: V1PersistentVolume | undefined): string | undefined {
  const terms = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []
  const nodes = new Set<string>()
  for (const t of terms) {
    const byHost = (t.matchExpressions ?? []).filter((e) => e.key === 'kubernetes.io/hostname' && e.operator === 'In')
    const byName = (t.matchFields ?? []).filter((e) => e.key === 'metadata.name' && e.operator === 'In')
    const named = [...byHost, ...byName].map((e) => e.values ?? [])
    if (named.length !== 1 || named[0]!.length !== 1) return undefined
    nodes.add(named[0]![0]!)
  }
  return nodes.size === 1 ? [...nodes][0] : undefined
}

// The zones a volume's required node affinity names (a key ending in /zone: topology.kubernetes.io/zone,
// the older failure-domain label, a driver's own), sorted; none for a volume not tied to a zone.
export function affinityZones(pv: V1PersistentVolume | undefined): string[] {
  const terms = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []
  const zones = terms.flatMap((t) => (t.matchExpressions ?? []).filter((e) => e.key.endsWith('/zone') && e.operator === 'In').flatMap((e) => e.values ?? []))
  return [...new Set(zones)].sort()
}

// Node-local: the volume lives on one node, so a pod elsewhere cannot use it
// at all (hostPath and local volumes by their nature; others when their node
// affinity names one node). From the probe's ReadWriteOnce volume.
export function nodeLocalVerdict(volume: ObservedVolume | undefined): Verdict {
  if (!volume) return { supported: undefined, reason: 'no probe volume was made to see where its volumes live' }
  if (volume.node) return { supported: true, reason: `its volume ${volume.pv} has node affinity for node ${volume.node} only` }
  if (volume.source === 'hostPath' || volume.source === 'local') {
    return { supported: true, reason: `its volumes (e.g. ${volume.pv}) are ${volume.source} volumes: a directory on the node that runs the pod` }
  }
  return { supported: false, reason: `its volume ${volume.pv} (${volume.source}) is not tied to one node${volume.nodeAffinity ? ' (its node affinity names a topology, not a node)' : ''}` }
}

// Why the class lacks one of the capabilities above, or undefined when it has it.
export function missingAdvanced(c: Capabilities, capability: AdvancedCapability): string | undefined {
  const cls = `StorageClass ${c.storageClass} (provisioner ${c.provisioner})`
  const probed = (p: AccessModeProbe | undefined, what: string) => {
    if (!p) return `${cls}: ${what} was not probed`
    if (p.result === 'accepted') return undefined
    return `${cls} ${p.result === 'refused' ? 'refused' : 'could not be shown to accept'} ${what}: ${p.detail}`
  }
  switch (capability) {
    case 'block':
      return probed(c.block, 'a volumeMode Block claim whose raw device a pod opens and reads (volumeDevices)')
    case 'clone':
      // Kubernetes defines volume cloning for CSI drivers only: another
      // provisioner may bind a clone claim and hand back an empty volume
      // (local-path does), which says nothing about cloning.
      if (c.csi === null) return `${cls} is not a CSI driver (no CSIDriver object of that name), and volume cloning is a CSI feature${c.clone?.result === 'accepted' ? ': it bound the probe\'s clone claim, but a non-CSI provisioner does not copy the source' : ''}`
      return probed(c.clone, 'a clone (a claim whose dataSource is a claim of the class)')
    case 'snapshot': {
      const s = c.snapshots
      if (!s) return `${cls}: snapshot support was not probed`
      if (s.served !== true) return `${cls}: no VolumeSnapshot API: ${s.detail}`
      return s.classes.length ? undefined : `${cls}: no VolumeSnapshotClass for its driver: ${s.detail}`
    }
    case 'sharedAcrossNodes': {
      const n = c.nodeLocal ?? nodeLocalVerdict(c.volume)
      if (n.supported === false) return undefined
      return n.supported === true
        ? `${cls}: its volumes are node-local (${n.reason}): a pod on another node cannot use them at all, which Q1-05 covers`
        : `${cls}: not known whether its volumes are node-local (${n.reason})`
    }
  }
}

// SC-08's two halves on a class: for each, why it is not checked here, if it is not.
// A half the class lacks (no snapshot API or class, a clone refused, a driver that is
// not CSI) does not apply; one the probe could not tell about (no answer, not probed,
// the API unreadable) is a part not checked. The claim is skipped only when the class
// lacks both; otherwise each half not checked makes it partial, naming that half.
export function snapshotAndCloneHalves(c: Capabilities): { skip: string } | { snapshot?: string; clone?: string } {
  const snapshot = missingAdvanced(c, 'snapshot')
  const clone = missingAdvanced(c, 'clone')
  const snapshotUnknown = !!snapshot && (c.snapshots?.served === undefined)
  const cloneUnknown = !!clone && c.csi !== null && c.clone?.result !== 'refused'
  if (snapshot && clone && !snapshotUnknown && !cloneUnknown) return { skip: `${snapshot}; and ${clone}` }
  return { ...(snapshot ? { snapshot } : {}), ...(clone ? { clone } : {}) }
}

const probeLine = (p: AccessModeProbe | undefined) => !p ? 'not probed'
  : `${p.result}${p.ms !== undefined ? ` (${(p.ms / 1000).toFixed(1)}s)` : ''}${p.result === 'accepted' ? (p.detail.includes('; ') ? ` (${p.detail.slice(p.detail.indexOf('; ') + 2)})` : '') : `: ${p.detail}`}`

// The lines describeCapabilities prints for these, one per capability.
export function describeAdvanced(c: Capabilities): string[] {
  const s = c.snapshots
  const n = c.nodeLocal ?? nodeLocalVerdict(c.volume)
  return [
    `    block volumes: ${probeLine(c.block)}`,
    `    snapshots: ${!s ? 'not probed' : s.served === true ? (s.classes.length ? `VolumeSnapshotClass ${s.detail}` : `API served; ${s.detail}`) : s.served === false ? 'API not served' : `unknown (${s.detail})`}`,
    `    clones: ${probeLine(c.clone)}`,
    `    node-local: ${n.supported === true ? 'yes' : n.supported === false ? 'no' : 'unknown'} (${n.reason})`,
  ]
}

// One cell per capability, for the reports' capability table.
export interface CapabilityRow {
  storageClass: string
  cells: Record<string, { value: string; detail: string }>
}

export function capabilityRow(c: Capabilities): CapabilityRow {
  const probe = (p: AccessModeProbe | undefined) => ({ value: p?.result ?? 'not probed', detail: p?.detail ?? '' })
  const s = c.snapshots
  const n = c.nodeLocal ?? nodeLocalVerdict(c.volume)
  return {
    storageClass: c.storageClass,
    cells: {
      binding: { value: c.bindingMode, detail: `provisioner ${c.provisioner}, reclaim ${c.reclaimPolicy}` },
      expansion: { value: c.allowVolumeExpansion ? 'allowed' : 'not allowed', detail: 'allowVolumeExpansion' },
      RWO: probe(c.accessModes.ReadWriteOnce),
      RWOP: probe(c.accessModes.ReadWriteOncePod),
      RWX: probe(c.accessModes.ReadWriteMany),
      fsGroup: { value: c.fsGroup.supported === true ? 'applied' : c.fsGroup.supported === false ? 'not applied' : 'unknown', detail: c.fsGroup.reason },
      block: probe(c.block),
      snapshots: { value: !s ? 'not probed' : s.served === true ? (s.classes.length ? s.classes.map((x) => x.name).join(', ') : 'no class') : s.served === false ? 'API not served' : 'unknown', detail: s?.detail ?? '' },
      clone: probe(c.clone),
      'node-local': { value: n.supported === true ? 'yes' : n.supported === false ? 'no' : 'unknown', detail: n.reason },
      // The least the class provisions, where a refusal named it (minimum-size.ts): the run's claims asked for no less.
      'min size': c.minimumSize ? { value: c.minimumSize.size, detail: c.minimumSize.refusal } : { value: 'none named', detail: 'no probe claim was refused for its size' },
    },
  }
}
