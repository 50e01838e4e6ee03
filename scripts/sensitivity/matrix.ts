// reports/sensitivity.json: under each injected fault, what the suite reported
// claim by claim, held against what the fault catalogue (catalogue.ts)
// says it must break; and two scores: the property score (claims a semantic
// mutant made fail in their own Then or And step) and the detection score
// (claims a component fault made fail or break, the message naming the component).
import type { ClaimEntry, ClaimStatus } from '../../lib/report/claims.ts'
import { type FaultKind, kindOf } from './fault-claims.ts'

// What the catalogue expects of one fault ('Q1-08' on every class, 'Q1-08 [standard]' on one),
// and what a failure under it must say to count as naming its component. Stored with each run.
export interface FaultExpectation {
  name: string
  kind?: FaultKind
  component?: string
  names?: string[]
  mustBreak: string[]
  mayBreak?: string[]
  // Of mustBreak, the claims that must be failed in a Then or And step (a mutant's mustFail); the
  // others may be broken before they look (its alsoBreaks). Unset on a mutant's stored run: all of them.
  mustLook?: string[]
}

// The part of a catalogue entry a run is judged by (its functions and prose left out).
export function expectationOf(f: FaultExpectation & { mustFail?: Record<string, string> }): FaultExpectation {
  const mustLook = f.mustFail ? Object.keys(f.mustFail) : f.mustLook
  return {
    name: f.name, kind: kindOf(f), ...(f.component !== undefined ? { component: f.component } : {}),
    ...(f.names ? { names: [...f.names] } : {}), mustBreak: [...f.mustBreak], ...(f.mayBreak ? { mayBreak: [...f.mayBreak] } : {}),
    ...(mustLook ? { mustLook: [...mustLook] } : {}),
  }
}

const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort()
// The claims a fault must make failed in a Then or And step: its mustLook; a mutant's entry without
// one (stored before mustLook existed) looked at every claim it must break; a component fault at none.
const lookedAt = (e: FaultExpectation) => e.mustLook ?? (kindOf(e) === 'mutant' ? e.mustBreak : undefined)
export function sameExpectation(a: FaultExpectation, b: FaultExpectation): boolean {
  const key = (e: FaultExpectation, looked = lookedAt(e)) => JSON.stringify([e.name, kindOf(e), e.component ?? null, e.names ? sorted(e.names) : null, sorted(e.mustBreak), sorted(e.mayBreak), looked ? sorted(looked) : null])
  return key(a) === key(b)
}

// expected failure: must break, failed. failed: may break (timing decides), failed.
// passed: held, and nothing said it must break. unexpected failure: failed where nothing said it may.
// (A failure here is either verdict that fails a run, failed or broken; the cell's status says which.)
// partial: held in part, a part not checked (a gap under a restart fault, say): never counted as
// passed. missed: must break, yet passed or partial (the suite did not notice the fault). skipped:
// no verdict (a deviation where the fault must break the claim: the catalogue promised what the
// run could not show).
export type Cell = 'expected failure' | 'failed' | 'passed' | 'partial' | 'unexpected failure' | 'missed' | 'skipped'

// One claim's entry of a run, as the matrix reads it (from claims.json: lib/report/claims.ts).
export interface MatrixInput {
  id: string
  storageClass: string | null
  status: ClaimStatus
  reason?: string
  // failed or broken: the keyword of the step that threw (Then and And look at the property).
  step?: string
  // failed or broken: the whole error messages, where the run stored them.
  messages?: string[]
}

export const matrixInput = (e: ClaimEntry): MatrixInput => ({
  id: e.id, storageClass: e.storageClass, status: e.status, ...(e.reason ? { reason: e.reason } : {}),
  ...(e.failedStep ? { step: e.failedStep.keyword } : {}), ...(e.messages?.length ? { messages: e.messages } : {}),
})

export interface MatrixCell extends MatrixInput {
  cell: Cell
  // Classified again from a stored run against a catalogue entry edited after it (--report, or a
  // later run's merge): the cell the run itself was judged to be. Not re-run.
  reclassified?: { ranAs: Cell }
}

export interface FaultResult {
  name: string
  kind?: FaultKind
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
  // The catalogue entry the run was judged by, as it was then (absent in runs stored before it was kept).
  expectation?: FaultExpectation
  // The classes whose capability probe could not provision in this run: their [sc] claims all fail
  // for the class, not for their own property, and count toward no score.
  classesNotProvisioning?: string[]
  // The entry the cells are judged by now, where it differs from `expectation` (or that is unknown):
  // the cells were reclassified from the stored run, not re-run.
  reclassifiedAgainst?: FaultExpectation
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
export function faultMatrix(expect: FaultExpectation, entries: MatrixInput[], ranIds: string[] = []): Pick<FaultResult, 'cells' | 'notRun' | 'deviations'> {
  const cells: MatrixCell[] = entries.map((e) => ({
    id: e.id, storageClass: e.storageClass, status: e.status, cell: classify(expect, e), ...(e.reason ? { reason: e.reason } : {}),
    ...(e.step ? { step: e.step } : {}), ...(e.messages ? { messages: e.messages } : {}),
  }))
  const mutant = kindOf(expect) === 'mutant'
  const mustLook = lookedAt(expect) ?? []
  const absent = expect.mustBreak.filter((r) => !entries.some((e) => refMatches(r, e)))
  const unrecorded = absent.filter((r) => ranIds.includes(parseRef(r).id))
  const notRun = absent.filter((r) => !unrecorded.includes(r))
  const deviations = [
    ...cells.flatMap((c) =>
      c.cell === 'unexpected failure' ? [`${label(c)} failed, which ${expect.name} should leave alone: ${firstLine(c.reason)}`]
        : c.cell === 'missed' ? [`${label(c)} ${c.status} under ${expect.name}, which must break it`]
          // A mutant must make the property fail where it is looked at; a Given or When that never came true did not look.
          : mutant && c.cell === 'expected failure' && mustLook.some((r) => refMatches(r, c)) && !lookedAndFailed(c) ? [`${label(c)} ${c.status}${c.step ? ` in its ${c.step} step` : ''} under ${expect.name}, which must make it failed in a Then or And step: ${firstLine(c.reason)}`]
          : c.cell === 'skipped' && expect.mustBreak.some((r) => refMatches(r, c)) ? [`${label(c)} skipped under ${expect.name}, which must break it: ${firstLine(c.reason)}`]
            : []),
    ...unrecorded.map((r) => `${r}: its spec file ran under ${expect.name}, which must break it, and it has no verdict at all`),
  ]
  return { cells, notRun, deviations }
}

const firstLine = (s: string | undefined) => (s ?? 'no reason recorded').split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? ''

// Looked at the property and saw it violated: failed in a Then or And step (claims.md). A claim
// whose Given or When never came true is broken: it never looked.
export const lookedAndFailed = (c: Pick<MatrixInput, 'status' | 'step'>) => c.status === 'failed' && (c.step === 'Then' || c.step === 'And')

// A stored result judged again by the catalogue entry as it is now. Where the entry differs from the
// one the run was judged by (or that one was not stored), each cell whose class changes is marked
// with the class the run gave it, and the result with the entry it was judged against: not re-run.
export function rejudge(r: FaultResult, now: FaultExpectation, ranIds: string[] = []): FaultResult {
  const current = expectationOf(now)
  const edited = !r.expectation || !sameExpectation(r.expectation, current)
  const m = faultMatrix(current, r.cells, ranIds)
  const cells = m.cells.map((c, i) => {
    const ranAs = r.cells[i]!.reclassified?.ranAs ?? r.cells[i]!.cell
    return ranAs === c.cell ? c : { ...c, reclassified: { ranAs } }
  })
  const { reclassifiedAgainst: _was, ...rest } = r
  return { ...rest, kind: kindOf(current), ...m, cells, ...(edited ? { reclassifiedAgainst: current } : {}) }
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
