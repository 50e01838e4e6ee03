// reports/sensitivity.json: under each injected fault, what the suite reported
// claim by claim, held against what the fault catalogue (catalogue.ts)
// says it must break; and the mutation score, the claims some fault broke.
import type { ClaimEntry, ClaimStatus } from '../../lib/report/claims.ts'

// What the catalogue expects of one fault ('Q1-08' on every class, 'Q1-08 [standard]' on one).
export interface FaultExpectation {
  name: string
  mustBreak: string[]
  mayBreak?: string[]
}

// expected failure: must break, failed. failed: may break (timing decides), failed.
// passed: held, and nothing said it must break. unexpected failure: failed where nothing said it may.
// (A failure here is either verdict that fails a run, failed or broken; the cell's status says which.)
// partial: held in part, a part not checked (a gap under a restart fault, say): never counted as
// passed. missed: must break, yet passed or partial (the suite did not notice the fault). skipped:
// no verdict (a deviation where the fault must break the claim: the catalogue promised what the
// run could not show).
export type Cell = 'expected failure' | 'failed' | 'passed' | 'partial' | 'unexpected failure' | 'missed' | 'skipped'

export interface MatrixCell {
  id: string
  storageClass: string | null
  status: ClaimStatus
  cell: Cell
  reason?: string
}

export interface FaultResult {
  name: string
  component: string
  breaks: string
  specs: string[]
  startedAt: string
  // From starting the suite under the fault to its last verdict (the claims report written).
  verdictMs: number
  // To the end of the vitest run, its clean-up included.
  wallMs?: number
  exitCode: number | null
  healthyAfter: boolean
  healthNote?: string
  cells: MatrixCell[]
  // mustBreak claims the run had no entry for (their spec file was not selected).
  notRun: string[]
  deviations: string[]
  // The healthy run's wall time on the same spec files, where measured: the bound is twice that.
  baselineMs?: number
  error?: string
}

export interface SensitivityReport {
  generatedAt: string
  cluster: string
  faults: FaultResult[]
  score: Score
}

export interface Score {
  broken: string[]
  total: number
  ratio: number
  unbroken: { id: string; reason: string }[]
}

export function parseRef(ref: string): { id: string; storageClass?: string } {
  const m = /^([A-Z]+\d?-\d\d)(?: \[([^\]]+)\])?$/.exec(ref.trim())
  if (!m) throw new Error(`not a claim reference: "${ref}" (expected Q1-08 or Q1-08 [standard])`)
  return m[2] ? { id: m[1]!, storageClass: m[2] } : { id: m[1]! }
}

export function refMatches(ref: string, e: Pick<ClaimEntry, 'id' | 'storageClass'>): boolean {
  const r = parseRef(ref)
  return r.id === e.id && (r.storageClass === undefined || r.storageClass === e.storageClass)
}

export function classify(expect: FaultExpectation, e: Pick<ClaimEntry, 'id' | 'storageClass' | 'status'>): Cell {
  if (e.status === 'skipped') return 'skipped'
  const must = expect.mustBreak.some((r) => refMatches(r, e))
  const may = (expect.mayBreak ?? []).some((r) => refMatches(r, e))
  if (e.status === 'failed' || e.status === 'broken') return must ? 'expected failure' : may ? 'failed' : 'unexpected failure'
  return must ? 'missed' : e.status === 'partial' ? 'partial' : 'passed'
}

const label = (e: Pick<ClaimEntry, 'id' | 'storageClass'>) => `${e.id}${e.storageClass ? ` [${e.storageClass}]` : ''}`

// The run's entries against the catalogue: one cell per entry, and what differs.
// Also re-reads a stored result's cells against a catalogue that changed since.
// `ranIds`: the claims the spec files run hold; a claim the fault must break whose file ran and
// which has no entry at all is a deviation too (nothing said it failed).
export function faultMatrix(expect: FaultExpectation, entries: Pick<ClaimEntry, 'id' | 'storageClass' | 'status' | 'reason'>[], ranIds: string[] = []): Pick<FaultResult, 'cells' | 'notRun' | 'deviations'> {
  const cells = entries.map((e) => ({ id: e.id, storageClass: e.storageClass, status: e.status, cell: classify(expect, e), ...(e.reason ? { reason: e.reason } : {}) }))
  const absent = expect.mustBreak.filter((r) => !entries.some((e) => refMatches(r, e)))
  const unrecorded = absent.filter((r) => ranIds.includes(parseRef(r).id))
  const notRun = absent.filter((r) => !unrecorded.includes(r))
  const deviations = [
    ...cells.flatMap((c) =>
      c.cell === 'unexpected failure' ? [`${label(c)} failed, which ${expect.name} should leave alone: ${firstLine(c.reason)}`]
        : c.cell === 'missed' ? [`${label(c)} ${c.status} under ${expect.name}, which must break it`]
          : c.cell === 'skipped' && expect.mustBreak.some((r) => refMatches(r, c)) ? [`${label(c)} skipped under ${expect.name}, which must break it: ${firstLine(c.reason)}`]
            : []),
    ...unrecorded.map((r) => `${r}: its spec file ran under ${expect.name}, which must break it, and it has no verdict at all`),
  ]
  return { cells, notRun, deviations }
}

const firstLine = (s: string | undefined) => (s ?? 'no reason recorded').split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? ''

// Claims some fault broke (an expected failure, or an allowed one), out of every claim.
export function mutationScore(allIds: string[], results: Pick<FaultResult, 'cells'>[], reasons: Record<string, string> = {}): Score {
  const broken = new Set(results.flatMap((r) => r.cells.filter((c) => c.cell === 'expected failure' || c.cell === 'failed').map((c) => c.id)))
  const ids = [...new Set(allIds)]
  const unbroken = ids.filter((id) => !broken.has(id)).map((id) => ({ id, reason: reasons[id] ?? 'no fault run so far broke it' }))
  const brokenIds = ids.filter((id) => broken.has(id))
  return { broken: brokenIds, total: ids.length, ratio: ids.length ? brokenIds.length / ids.length : 0, unbroken }
}

// Claims a catalogue promises to break, out of every claim: what the score can reach once every fault ran.
export function catalogueCoverage(allIds: string[], expectations: FaultExpectation[]): { covered: string[]; ratio: number } {
  const named = new Set(expectations.flatMap((f) => f.mustBreak.map((r) => parseRef(r).id)))
  const covered = [...new Set(allIds)].filter((id) => named.has(id))
  return { covered, ratio: allIds.length ? covered.length / new Set(allIds).size : 0 }
}

// The IDs of claims.md's tables: "| Q0-01 | …".
export function claimIdsOf(markdown: string): string[] {
  return [...markdown.matchAll(/^\|\s*([A-Z]+\d?-\d\d)\s*\|/gm)].map((m) => m[1]!)
}

// A run of some faults replaces those faults' earlier results and keeps the others'.
export function mergeResults(previous: FaultResult[], current: FaultResult[]): FaultResult[] {
  const fresh = new Set(current.map((r) => r.name))
  return [...previous.filter((r) => !fresh.has(r.name)), ...current]
}

// Within the bound: no more than twice the healthy run's wall time on the same files (unknown without a baseline).
export function withinBound(r: Pick<FaultResult, 'verdictMs' | 'baselineMs'>): boolean | undefined {
  return r.baselineMs ? r.verdictMs <= 2 * r.baselineMs : undefined
}
