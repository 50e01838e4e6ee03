// Two runs' claims.json, claim × storage class by claim × storage class: what changed,
// which timings moved beyond the runs' own noise, and what makes the two hard to compare.
import type { ClaimEntry, ClaimsReport, ClaimStatus } from '../../lib/report/claims.ts'

// regression: newly failed or broken. still failing: failed or broken in both (failed → broken
// included: not new). lost and gained visibility: on the scale skipped < partial < passed, or a
// failing claim that is now only skipped or partial (it may or may not be fixed: nobody looked).
export type Change = 'regression' | 'still failing' | 'fixed' | 'lost visibility' | 'gained visibility' | 'missing' | 'added' | 'unchanged'

export const changes: Change[] = ['regression', 'still failing', 'fixed', 'lost visibility', 'gained visibility', 'missing', 'added', 'unchanged']

export interface KeyedChange {
  id: string
  storageClass: string | null
  change: Change
  before?: ClaimEntry
  after?: ClaimEntry
}

export interface TimingShift {
  id: string
  storageClass: string | null
  beforeMs: number
  afterMs: number
  // (after − before) / before
  relative: number
}

export interface Timing {
  // The median absolute relative change of the claims that passed in both runs; null with fewer than minNoiseSample.
  noise: number | null
  // How many claims passed in both runs (the noise is theirs).
  comparable: number
  // A shift is a relative change beyond this, and beyond minShiftMs.
  threshold: number
  shifts: TimingShift[]
  // Why the two runs' timings are not like with like (timeout scale, claims in flight, cores).
  unlike: string[]
}

export interface RunDiff {
  changes: KeyedChange[]
  counts: Record<Change, number>
  timing: Timing
  warnings: string[]
}

// Below this a change in duration is a claim's ordinary jitter, however large relative to it.
export const minShiftMs = 5_000
// Never flag less than this relative change, however quiet the runs were.
export const minShiftRelative = 0.5
// A median of fewer claims is mostly the shifts themselves: below this the noise is not measured.
export const minNoiseSample = 5

const failing = (s: ClaimStatus): s is 'failed' | 'broken' => s === 'failed' || s === 'broken'
// How much of a claim a run looked at, among verdicts that are not failing.
const visibility: Record<Exclude<ClaimStatus, 'failed' | 'broken'>, number> = { skipped: 0, partial: 1, passed: 2 }

export function classify(before: ClaimStatus | undefined, after: ClaimStatus | undefined): Change {
  if (!after) return 'missing'
  if (!before) return failing(after) ? 'regression' : 'added'
  if (failing(after)) return failing(before) ? 'still failing' : 'regression'
  if (failing(before)) return after === 'passed' ? 'fixed' : 'lost visibility'
  const d = visibility[after] - visibility[before]
  return d < 0 ? 'lost visibility' : d > 0 ? 'gained visibility' : 'unchanged'
}

// "Q0-09 [ext4]", or "Q0-01" for a claim that does not run per class.
export const keyOf = (e: Pick<ClaimEntry, 'id' | 'storageClass'>) => e.storageClass === null ? e.id : `${e.id} [${e.storageClass}]`

// Q0-9 before Q0-10, Q1 before SC.
const idOrder = (id: string) => id.replace(/\d+/g, (n) => n.padStart(4, '0'))

// Each claim × class once; a report that lists one twice cannot be compared (the caller says which).
export function entriesByKey(report: ClaimsReport): { byKey: Map<string, ClaimEntry>; duplicates: string[] } {
  const byKey = new Map<string, ClaimEntry>()
  const duplicates: string[] = []
  for (const e of report.claims) {
    if (byKey.has(keyOf(e))) duplicates.push(keyOf(e))
    byKey.set(keyOf(e), e)
  }
  return { byKey, duplicates }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

// Noise is what the two runs' durations vary by anyway: the median absolute relative change over every
// claim that passed in both (with fewer than five, not measured). A shift is more than three times that
// (and at least 50 %), and more than 5 s.
export function timingShifts(pairs: { id: string; storageClass: string | null; beforeMs: number; afterMs: number }[]): Omit<Timing, 'unlike'> {
  const measured = pairs.filter((p) => p.beforeMs > 0)
  const relative = (p: (typeof measured)[number]) => (p.afterMs - p.beforeMs) / p.beforeMs
  const noise = measured.length >= minNoiseSample ? median(measured.map((p) => Math.abs(relative(p)))) : null
  const threshold = Math.max(3 * (noise ?? 0), minShiftRelative)
  const shifts = measured
    .map((p) => ({ ...p, relative: relative(p) }))
    .filter((p) => Math.abs(p.relative) > threshold && Math.abs(p.afterMs - p.beforeMs) > minShiftMs)
    .sort((a, b) => Math.abs(b.relative) - Math.abs(a.relative))
  return { noise, comparable: measured.length, threshold, shifts }
}

// "3 claims in flight" or "3 claims in flight at first, 1–4": what the run's gate allowed.
const describeConcurrency = (run: ClaimsReport['run']) => {
  const c = run.usage?.concurrency
  if (!c) return undefined
  return c.min === c.max && c.min === c.initial ? `${c.initial} claims in flight` : `${c.initial} claims in flight at first, ${c.min}–${c.max}`
}

// What makes one run's durations not comparable with the other's.
export function unlikeRuns(a: ClaimsReport['run'], b: ClaimsReport['run']): string[] {
  const unlike: string[] = []
  const scale = (r: ClaimsReport['run']) => (r.timeoutScale === undefined ? 'not recorded' : `${r.timeoutScale}`)
  if (scale(a) !== scale(b)) unlike.push(`timeout scale ${scale(a)} in A, ${scale(b)} in B`)
  const ca = describeConcurrency(a) ?? 'claims in flight not recorded'
  const cb = describeConcurrency(b) ?? 'claims in flight not recorded'
  if (ca !== cb) unlike.push(`${ca} in A, ${cb} in B`)
  const cores = (r: ClaimsReport['run']) => r.usage?.cores
  if (cores(a) !== undefined && cores(b) !== undefined && cores(a) !== cores(b)) unlike.push(`${cores(a)} cores in A, ${cores(b)} in B`)
  return unlike
}

// The suite's version: run.suiteVersion since global setup records it (lib/harness/suite-version.ts), or an other writer's suite.version.
export const suiteVersionOf = (run: ClaimsReport['run']): string | undefined => {
  const r = run as { suiteVersion?: unknown; suite?: { version?: unknown } }
  const v = r.suiteVersion ?? r.suite?.version
  return typeof v === 'string' ? v : undefined
}

const classesOf = (r: ClaimsReport) =>
  new Set(r.run.storageClasses ?? r.claims.map((e) => e.storageClass).filter((c): c is string => c !== null))

// What makes the two runs different tests, not the same test twice.
export function warningsOf(a: ClaimsReport, b: ClaimsReport): string[] {
  const warnings: string[] = []
  if (a.run.cluster.version !== b.run.cluster.version) warnings.push(`cluster versions differ: ${a.run.cluster.version} in A, ${b.run.cluster.version} in B`)
  const ca = classesOf(a)
  const cb = classesOf(b)
  const onlyA = [...ca].filter((c) => !cb.has(c)).sort()
  const onlyB = [...cb].filter((c) => !ca.has(c)).sort()
  if (onlyA.length || onlyB.length) {
    warnings.push(`storage classes differ: ${[onlyA.length ? `only in A ${onlyA.join(', ')}` : '', onlyB.length ? `only in B ${onlyB.join(', ')}` : ''].filter(Boolean).join('; ')}`)
  }
  const va = suiteVersionOf(a.run)
  const vb = suiteVersionOf(b.run)
  if (va !== vb) warnings.push(`suite versions differ: ${va ?? 'not recorded'} in A, ${vb ?? 'not recorded'} in B`)
  return warnings
}

export function compareRuns(a: ClaimsReport, b: ClaimsReport): RunDiff {
  const before = entriesByKey(a).byKey
  const after = entriesByKey(b).byKey
  const keys = [...new Set([...before.keys(), ...after.keys()])]
  const list: KeyedChange[] = keys.map((k) => {
    const x = before.get(k)
    const y = after.get(k)
    const e = (y ?? x)!
    return { id: e.id, storageClass: e.storageClass, change: classify(x?.status, y?.status), ...(x ? { before: x } : {}), ...(y ? { after: y } : {}) }
  }).sort((p, q) => idOrder(p.id).localeCompare(idOrder(q.id)) || (p.storageClass ?? '').localeCompare(q.storageClass ?? ''))
  const counts = Object.fromEntries(changes.map((c) => [c, list.filter((k) => k.change === c).length])) as Record<Change, number>
  // Like with like: only a claim that passed in both ran the same steps to the end both times.
  const pairs = list.filter((k) => k.before?.status === 'passed' && k.after?.status === 'passed')
    .map((k) => ({ id: k.id, storageClass: k.storageClass, beforeMs: k.before!.durationMs, afterMs: k.after!.durationMs }))
  return { changes: list, counts, timing: { ...timingShifts(pairs), unlike: unlikeRuns(a.run, b.run) }, warnings: warningsOf(a, b) }
}

// What B says of a claim that did not pass: its reason's first line, and a waiver if B has one.
export function saidInB(k: KeyedChange): string {
  const firstLine = (s: string | undefined) => s?.split('\n').find((l) => l.trim())?.trim()
  const why = k.after && k.after.status !== 'passed' ? firstLine(k.after.reason) : undefined
  return [k.after?.waived ? `waived in B (${k.after.waived})` : '', why ?? ''].filter(Boolean).join(': ')
}

// "Q0-09 [ext4]: passed → failed: expected …": one line per changed claim, for the console and the pages.
export function describeChange(k: KeyedChange): string {
  const said = saidInB(k)
  return `${keyOf(k)}: ${k.before?.status ?? 'absent'} → ${k.after?.status ?? 'absent'}${said ? `: ${said}` : ''}`
}
