// Two datasheets of one storage class (lib/report/datasheet.ts): the verdicts compared as two
// runs' are (compare.ts, the class's claims alone), and beside them what the class itself did:
// capabilities declared or observed differently, and measured figures (bind and first-write
// percentiles, fio) that moved beyond the runs' own noise.
import type { ClaimsReport } from '../../lib/report/claims.ts'
import type { Datasheet } from '../../lib/report/datasheet.ts'
import { compareRuns, type RunDiff } from './compare.ts'

// lost: the class had it in A and has not in B (a regression); gained: the reverse; changed: the
// declared or observed text differs with no such turn (a mode, a policy, a figure in it).
export interface CapabilityChange {
  capability: string
  change: 'lost' | 'gained' | 'changed' | 'missing' | 'added'
  before?: { declared: string; observed: string; holds: boolean | null }
  after?: { declared: string; observed: string; holds: boolean | null }
}

export interface FigureShift {
  figure: string
  unit: 'ms' | 'MiB/s' | 'IOPS' | 'µs'
  before: number
  after: number
  relative: number
  worse: boolean
}

export interface DatasheetDiff {
  storageClass: string
  // The class's claims, as a run diff: verdict changes, claim-duration noise, warnings.
  run: RunDiff
  capabilities: CapabilityChange[]
  // Figures beyond the threshold (the run diff's: 3 × the noise, at least 50 %), and for times beyond minFigureShiftMs.
  shifts: FigureShift[]
  // Figures one sheet has and the other not.
  unmeasured: string[]
  regressions: number
}

// Below this a bind or first-write time moved by a provisioner's ordinary jitter, however large relative to it.
export const minFigureShiftMs = 1_000

// A datasheet's claims as a run of that class alone, for compareRuns.
export function asRun(d: Datasheet): ClaimsReport {
  return {
    run: {
      startedAt: d.run.startedAt, finishedAt: d.run.finishedAt, cluster: d.run.cluster, storageClasses: [d.storageClass],
      ...(d.run.suiteVersion ? { suiteVersion: d.run.suiteVersion } : {}), ...(d.run.timeoutScale !== null ? { timeoutScale: d.run.timeoutScale } : {}),
    },
    claims: d.claims.map((e) => ({ ...e, storageClass: d.storageClass })),
    summary: d.totals,
  }
}

const sameLine = (x: NonNullable<CapabilityChange['before']>, y: NonNullable<CapabilityChange['before']>) =>
  x.declared === y.declared && x.observed === y.observed && x.holds === y.holds

export function compareCapabilities(a: Datasheet, b: Datasheet): CapabilityChange[] {
  const pick = (l: Datasheet['capabilities'][number]) => ({ declared: l.declared, observed: l.observed, holds: l.holds })
  const before = new Map(a.capabilities.map((l) => [l.capability, pick(l)]))
  const after = new Map(b.capabilities.map((l) => [l.capability, pick(l)]))
  const names = [...new Set([...before.keys(), ...after.keys()])]
  return names.flatMap((capability): CapabilityChange[] => {
    const x = before.get(capability)
    const y = after.get(capability)
    if (!x) return [{ capability, change: 'added', after: y! }]
    if (!y) return [{ capability, change: 'missing', before: x }]
    if (sameLine(x, y)) return []
    const change = x.holds === true && y.holds === false ? 'lost' : x.holds === false && y.holds === true ? 'gained' : 'changed'
    return [{ capability, change, before: x, after: y }]
  })
}

interface Figure {
  figure: string
  unit: FigureShift['unit']
  better: 'higher' | 'lower'
  value: (d: Datasheet) => number | undefined
}

const figures: Figure[] = [
  ...(['bind', 'firstWrite'] as const).flatMap((t) => (['p50', 'p90', 'max'] as const).map((p): Figure => ({
    figure: `${t === 'bind' ? 'time to Bound' : 'time to first write'} ${p}`, unit: 'ms', better: 'lower', value: (d) => d.timings[t].percentiles?.[p],
  }))),
  { figure: 'fio sequential write', unit: 'MiB/s', better: 'higher', value: (d) => d.io?.figures.seqWriteMiBps },
  { figure: 'fio sequential read', unit: 'MiB/s', better: 'higher', value: (d) => d.io?.figures.seqReadMiBps },
  { figure: 'fio 4 KiB random read', unit: 'IOPS', better: 'higher', value: (d) => d.io?.figures.randReadIops },
  { figure: 'fio 4 KiB random write', unit: 'IOPS', better: 'higher', value: (d) => d.io?.figures.randWriteIops },
  { figure: 'fio 4 KiB random read latency p50', unit: 'µs', better: 'lower', value: (d) => d.io?.figures.randReadLatencyUs.p50 },
  { figure: 'fio 4 KiB random read latency p99', unit: 'µs', better: 'lower', value: (d) => d.io?.figures.randReadLatencyUs.p99 },
  { figure: 'fio 4 KiB random write latency p50', unit: 'µs', better: 'lower', value: (d) => d.io?.figures.randWriteLatencyUs.p50 },
  { figure: 'fio 4 KiB random write latency p99', unit: 'µs', better: 'lower', value: (d) => d.io?.figures.randWriteLatencyUs.p99 },
]

// Each figure both sheets measured, kept when it moved beyond `threshold` (relative) and, for times, minFigureShiftMs.
export function figureShifts(a: Datasheet, b: Datasheet, threshold: number): { shifts: FigureShift[]; unmeasured: string[] } {
  const shifts: FigureShift[] = []
  const unmeasured: string[] = []
  for (const f of figures) {
    const before = f.value(a)
    const after = f.value(b)
    if (before === undefined && after === undefined) continue
    if (before === undefined || after === undefined) {
      unmeasured.push(`${f.figure}: ${before === undefined ? 'not measured in A' : 'not measured in B'}`)
      continue
    }
    if (before <= 0) continue
    const relative = (after - before) / before
    if (Math.abs(relative) <= threshold || (f.unit === 'ms' && Math.abs(after - before) <= minFigureShiftMs)) continue
    shifts.push({ figure: f.figure, unit: f.unit, before, after, relative, worse: f.better === 'higher' ? after < before : after > before })
  }
  return { shifts, unmeasured }
}

export function compareDatasheets(a: Datasheet, b: Datasheet): DatasheetDiff {
  const run = compareRuns(asRun(a), asRun(b))
  const capabilities = compareCapabilities(a, b)
  const { shifts, unmeasured } = figureShifts(a, b, run.timing.threshold)
  const providers = (d: Datasheet) => d.class?.provisioner ?? 'not recorded'
  if (providers(a) !== providers(b)) run.warnings.push(`provisioners differ: ${providers(a)} in A, ${providers(b)} in B`)
  const params = (d: Datasheet) => (d.class?.parameters ? JSON.stringify(d.class.parameters) : 'not recorded')
  if (params(a) !== params(b)) run.warnings.push(`parameters differ: ${params(a)} in A, ${params(b)} in B`)
  return { storageClass: a.storageClass, run, capabilities, shifts, unmeasured, regressions: run.counts.regression + capabilities.filter((c) => c.change === 'lost').length }
}

const side = (s: CapabilityChange['before']) => (s ? `${s.declared} / ${s.observed}` : 'absent')

// "Block: lost: not declared / accepted (2.3 s) → not declared / refused"
export const describeCapabilityChange = (c: CapabilityChange) => `${c.capability}: ${c.change}: ${side(c.before)} → ${side(c.after)}`

const fmt = (n: number, unit: FigureShift['unit']) => (unit === 'ms' ? `${(n / 1000).toFixed(1)} s` : `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n} ${unit}`)

// "fio 4 KiB random read: 45,056 IOPS → 11,730 IOPS (−74 %, worse)"
export const describeFigureShift = (s: FigureShift) =>
  `${s.figure}: ${fmt(s.before, s.unit)} → ${fmt(s.after, s.unit)} (${s.relative > 0 ? '+' : '−'}${Math.round(Math.abs(100 * s.relative))} %, ${s.worse ? 'worse' : 'better'})`
