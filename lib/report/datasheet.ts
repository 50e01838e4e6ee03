// A storage class's datasheet (reports/datasheets/<class>.json): what one run showed of one
// class, from its claims.json alone. What the class declares and what the probe saw, the
// verdict of every [sc] claim on it, its bind and first-write times, its fio figures, and the
// cluster and suite it ran on; whatever the run did not record is named, not guessed.
import type { IoFigures } from '../apps/fio.ts'
import { missingAdvanced, nodeLocalVerdict } from '../storage/advanced.ts'
import { type AccessModeProbe, accessModes, type Capabilities, describeCsi } from '../storage/capabilities.ts'
import type { ClaimEntry, ClaimsReport, ClaimStatus } from './claims.ts'

export const datasheetFormat = 'stateful-conformance/storage-class-datasheet@1'

export interface Percentiles {
  n: number
  p50: number
  p90: number
  max: number
}

// One timing and where it came from: "SC-06", "probe ReadWriteOnce", "probe Block".
export interface TimingSample {
  source: string
  ms: number
}

export interface TimingSeries {
  samples: TimingSample[]
  // null: no sample recorded.
  percentiles: Percentiles | null
}

export interface CapabilityLine {
  capability: string
  // What the StorageClass and its CSIDriver (or snapshot classes) say; "not declared" where nothing does.
  declared: string
  // What the probe at the start of the run saw; "not probed" where it does not look.
  observed: string
  // Whether the class has it, all told; null where that is not a yes or no (a mode, a policy) or not known.
  holds: boolean | null
  detail: string
  // The claims that check it on this class, with their verdicts ("not run": absent from the run).
  checkedBy: { id: string; status: ClaimStatus | 'not run' }[]
}

export interface DatasheetClaim {
  id: string
  title: string
  status: ClaimStatus
  durationMs: number
  reason?: string
  waived?: string
}

export interface Datasheet {
  format: typeof datasheetFormat
  storageClass: string
  run: {
    startedAt: string
    finishedAt: string
    cluster: { server: string; version: string; nodes: number; context: string | null }
    suiteVersion: string | null
    timeoutScale: number | null
  }
  // null: the run recorded no capabilities for the class.
  class: {
    provisioner: string
    isDefault: boolean
    // null: the run predates their recording.
    parameters: Record<string, string> | null
    mountOptions: string[]
    reclaimPolicy: string
    bindingMode: string
    csi: string
    minimumSize: string | null
  } | null
  capabilities: CapabilityLine[]
  claims: DatasheetClaim[]
  totals: Record<ClaimStatus, number> & { waived: number }
  timings: { bind: TimingSeries; firstWrite: TimingSeries }
  // SC-10's fio figures and its verdict; null when it measured nothing on the class.
  io: { status: ClaimStatus; figures: IoFigures } | null
  // What this run did not record, each a line for the reader.
  notRecorded: string[]
}

// Nearest rank: p90 of 3 samples is the largest; every figure is one that was measured.
export function percentilesOf(ms: number[]): Percentiles | null {
  if (!ms.length) return null
  const s = [...ms].sort((a, b) => a - b)
  const rank = (q: number) => s[Math.max(0, Math.ceil(q * s.length) - 1)]!
  return { n: s.length, p50: rank(0.5), p90: rank(0.9), max: s.at(-1)! }
}

const series = (samples: TimingSample[]): TimingSeries => ({ samples, percentiles: percentilesOf(samples.map((s) => s.ms)) })

// The classes a run covered: its list, else those its claims name.
export function classesOfRun(report: ClaimsReport): string[] {
  return report.run.storageClasses ?? [...new Set(report.claims.map((e) => e.storageClass).filter((c): c is string => c !== null))].sort()
}

// The probe's answer alone: its time is a timing sample (below), and would make every run's line differ.
const probeWord = (p: AccessModeProbe | undefined) => p?.result ?? 'not probed'
const probeHolds = (p: AccessModeProbe | undefined) => (p?.result === 'accepted' ? true : p?.result === 'refused' ? false : null)
const verdictHolds = (supported: boolean | undefined) => (supported === undefined ? null : supported)

// Node-local, zonal, or neither, from the probe's ReadWriteOnce volume. Not which node or zone:
// that is where the probe's volume landed, which the next run may choose otherwise (the line's detail names it).
export function describeLocality(c: Capabilities): string {
  const n = c.nodeLocal ?? nodeLocalVerdict(c.volume)
  if (n.supported === true) return 'node-local'
  if (n.supported === undefined) return 'unknown'
  if (c.volume?.zones?.length) return 'zonal'
  return c.volume?.nodeAffinity ? 'tied to a topology, not a node' : 'not tied to a node or zone'
}

function capabilityLines(c: Capabilities, statusOf: (id: string) => ClaimStatus | 'not run'): CapabilityLine[] {
  const by = (...ids: string[]) => ids.map((id) => ({ id, status: statusOf(id) }))
  const csi = c.csi && typeof c.csi === 'object' ? c.csi : undefined
  const snapshotMissing = missingAdvanced(c, 'snapshot')
  const cloneMissing = missingAdvanced(c, 'clone')
  const s = c.snapshots
  const n = c.nodeLocal ?? nodeLocalVerdict(c.volume)
  const probeLine = (capability: string, p: AccessModeProbe | undefined, ids: string[]): CapabilityLine =>
    ({ capability, declared: 'not declared', observed: probeWord(p), holds: probeHolds(p), detail: p?.detail ?? '', checkedBy: by(...ids) })
  return [
    { capability: 'binding mode', declared: c.bindingMode, observed: 'not probed', holds: null, detail: 'volumeBindingMode; SC-01 checks that binding follows it', checkedBy: by('SC-01') },
    { capability: 'reclaim policy', declared: c.reclaimPolicy, observed: 'not probed', holds: null, detail: 'reclaimPolicy', checkedBy: by('SC-05') },
    { capability: 'expansion', declared: c.allowVolumeExpansion ? 'allowed' : 'not allowed', observed: 'not probed', holds: c.allowVolumeExpansion, detail: 'allowVolumeExpansion; SC-04 online, SC-09 offline (or its refusal)', checkedBy: by('SC-04', 'SC-09') },
    ...accessModes.map((m) => probeLine(m, c.accessModes[m], m === 'ReadWriteMany' ? ['SC-12'] : m === 'ReadWriteOnce' ? ['SC-02', 'SC-11'] : ['Q1-06'])),
    probeLine('Block', c.block, ['SC-07']),
    {
      capability: 'snapshots',
      declared: !s ? 'not probed' : s.served === true ? (s.classes.length ? `VolumeSnapshotClass ${s.classes.map((x) => x.name).join(', ')}` : 'no VolumeSnapshotClass for its driver') : s.served === false ? 'API not served' : 'unknown',
      observed: 'not probed', holds: snapshotMissing === undefined ? true : s?.served === undefined ? null : false, detail: snapshotMissing ?? s?.detail ?? '', checkedBy: by('SC-08'),
    },
    {
      capability: 'clones', declared: c.csi === null ? 'not a CSI driver (cloning is a CSI feature)' : csi ? `CSI driver ${csi.name}` : 'CSI status unknown',
      observed: probeWord(c.clone), holds: cloneMissing === undefined ? true : c.csi === null || c.clone?.result === 'refused' ? false : null, detail: cloneMissing ?? c.clone?.detail ?? '', checkedBy: by('SC-08'),
    },
    {
      capability: 'fsGroup', declared: csi ? `fsGroupPolicy ${csi.fsGroupPolicy ?? 'unset (ReadWriteOnceWithFSType)'}` : 'not declared (no CSIDriver)',
      observed: c.volume ? `${c.volume.source} volume${c.volume.fsType ? `, fsType ${c.volume.fsType}` : ', no fsType'}` : 'no probe volume',
      holds: verdictHolds(c.fsGroup.supported), detail: c.fsGroup.reason, checkedBy: by('SC-03'),
    },
    { capability: 'node-local or zonal', declared: 'not declared', observed: describeLocality(c), holds: null, detail: `${n.reason}${c.volume?.zones?.length ? `; zones ${c.volume.zones.join(', ')}` : ''}`, checkedBy: by('SC-11', 'SC-12') },
  ]
}

export function buildDatasheet(report: ClaimsReport, storageClass: string): Datasheet {
  const entries = report.claims.filter((e) => e.storageClass === storageClass)
  const statusOf = (id: string) => entries.find((e) => e.id === id)?.status ?? 'not run'
  const c = report.run.capabilities?.[storageClass]
  const sc06 = entries.find((e) => e.id === 'SC-06')?.measurements
  // Not the Block probe: its time runs on until its pod has read the device.
  const probes: [string, AccessModeProbe | undefined][] = c ? [...accessModes.map((m): [string, AccessModeProbe] => [m, c.accessModes[m]]), ['clone', c.clone]] : []
  // Every claim of the class the run timed from its creation to Bound: SC-06's, each probe claim it bound,
  // and each a [sc] claim's wait saw bind (not SC-06's own again: its figure is the finer one).
  const bind: TimingSample[] = [
    ...(sc06?.timeToBoundMs !== undefined ? [{ source: 'SC-06', ms: sc06.timeToBoundMs }] : []),
    ...probes.filter(([, p]) => p?.result === 'accepted' && p.ms !== undefined).map(([what, p]) => ({ source: `probe ${what}`, ms: p!.ms! })),
    ...entries.filter((e) => e.id !== 'SC-06').flatMap((e) => (e.measurements?.claimBindMs ?? []).map((ms) => ({ source: e.id, ms }))),
  ]
  const firstWrite: TimingSample[] = sc06?.timeToFirstWriteMs !== undefined ? [{ source: 'SC-06', ms: sc06.timeToFirstWriteMs }] : []
  const sc10 = entries.find((e) => e.id === 'SC-10')
  const count = (s: ClaimStatus) => entries.filter((e) => e.status === s).length
  const r = report.run
  const notRecorded = [
    ...(c ? [] : ['the class\'s declared and probed capabilities (the run has none for it: it predates their recording, or global setup did not reach the probe)']),
    ...(c && !c.parameters ? ['the StorageClass\'s parameters (the run predates their recording)'] : []),
    ...(r.suiteVersion ? [] : ['the suite\'s version (the run predates its recording)']),
    ...(bind.length ? [] : ['bind times (SC-06 did not pass on the class, no probe claim was bound, and no claim recorded one)']),
    ...(entries.some((e) => e.measurements?.claimBindMs) ? [] : ['the bind times of the [sc] claims themselves (the run predates their recording, or none of its waits saw a claim unbound)']),
    ...(firstWrite.length ? [] : ['first-write times (SC-06 did not pass on the class)']),
    ...(sc10?.measurements?.io ? [] : [`fio figures (SC-10 ${sc10 ? `was ${sc10.status}` : 'did not run'} on the class)`]),
  ]
  return {
    format: datasheetFormat,
    storageClass,
    run: {
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      cluster: { server: r.cluster.server, version: r.cluster.version, nodes: r.cluster.nodes, context: r.cluster.context ?? null },
      suiteVersion: r.suiteVersion ?? null,
      timeoutScale: r.timeoutScale ?? null,
    },
    class: c ? {
      provisioner: c.provisioner, isDefault: c.isDefault, parameters: c.parameters ?? null, mountOptions: c.mountOptions ?? [],
      reclaimPolicy: c.reclaimPolicy, bindingMode: c.bindingMode, csi: describeCsi(c), minimumSize: c.minimumSize?.size ?? null,
    } : null,
    capabilities: c ? capabilityLines(c, statusOf) : [],
    claims: entries.map((e: ClaimEntry): DatasheetClaim => ({
      id: e.id, title: e.title, status: e.status, durationMs: e.durationMs,
      ...(e.reason && e.status !== 'passed' ? { reason: e.reason } : {}), ...(e.waived ? { waived: e.waived } : {}),
    })),
    totals: { passed: count('passed'), partial: count('partial'), failed: count('failed'), broken: count('broken'), skipped: count('skipped'), waived: entries.filter((e) => e.waived).length },
    timings: { bind: series(bind), firstWrite: series(firstWrite) },
    io: sc10?.measurements?.io ? { status: sc10.status, figures: sc10.measurements.io } : null,
    notRecorded,
  }
}

// A file name for the class: class names are DNS subdomains, but a report may come from anywhere.
export const datasheetFileName = (storageClass: string) => storageClass.replace(/[^A-Za-z0-9._-]/g, '_')

// Is this parsed JSON a datasheet (and not a claims report)? The diff tells the two apart by it.
export const isDatasheet = (data: unknown): data is Datasheet =>
  !!data && typeof data === 'object' && (data as { format?: unknown }).format === datasheetFormat
