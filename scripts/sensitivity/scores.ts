// The two scores of a sensitivity run, read from the claims × faults cells (matrix.ts):
// property score: the claims some semantic mutant (a component alive but wrong) made fail in their
// own Then or And step; detection score: the claims some component fault made fail or broken, with
// a message naming the component. Neither counts a claim whose class could not provision.
import { type FaultKind, kindOf } from './fault-claims.ts'
import { type FaultExpectation, type FaultResult, lookedAndFailed, type MatrixCell, type MatrixInput } from './matrix.ts'

// What a sensitivity run writes (reports/sensitivity.json): every fault's results and the two scores.
export interface SensitivityReport {
  generatedAt: string
  cluster: string
  faults: FaultResult[]
  property: Score
  detection: Score
}

export interface Score {
  // The claims counted, out of `total`.
  counted: string[]
  total: number
  ratio: number
  // The faults of the score's kind whose results it read (0 mutants run: say so, score 0).
  faultsRun: number
  // Claims counted only through cells reclassified against an edited catalogue entry: not re-run.
  notReRun: string[]
  // Cells of the score's faults reclassified from a stored run against an edited catalogue entry.
  reclassifiedCells: number
  missing: { id: string; reason: string }[]
}

// lib/storage/capabilities.ts provisioningFailure(): every [sc] claim of a class whose capability
// probe could not provision fails with these words (scores.test.ts holds the two together).
const classCannotProvision = /did not provision the capability probe's/

// A failure that belongs to the class, not to the claim: its class could not provision in that run.
// Every [sc] claim of the class fails alike, so none of them shows its own property checked.
export function classLevel(c: MatrixInput, r: Pick<FaultResult, 'classesNotProvisioning'>): boolean {
  if (c.storageClass !== null && (r.classesNotProvisioning ?? []).includes(c.storageClass)) return true
  return [c.reason ?? '', ...(c.messages ?? [])].some((m) => classCannotProvision.test(m))
}

// The words a failure must contain to name the fault's component (the catalogue's `names`, else its `component`).
export const componentWords = (e: FaultExpectation): string[] => e.names ?? (e.component ? [e.component] : [])

export function namesComponent(e: FaultExpectation, c: MatrixInput): boolean {
  const text = (c.messages?.length ? c.messages.join('\n') : (c.reason ?? '')).toLowerCase()
  return componentWords(e).some((w) => w && text.includes(w.toLowerCase()))
}

// The catalogue entry a result's cells are judged by: the one it was reclassified against, else
// the one it ran with; for a result stored before either was kept, what the result itself says.
export const judgedBy = (r: FaultResult): FaultExpectation =>
  r.reclassifiedAgainst ?? r.expectation ?? { name: r.name, ...(r.kind ? { kind: r.kind } : {}), component: r.component, mustBreak: [] }

const failedAsCatalogued = (c: MatrixCell) => c.cell === 'expected failure' || c.cell === 'failed'

// A cell counts for the property score: under a semantic mutant, failed in its own Then or And step,
// as the catalogue says it must or may, and not only because its class could not provision.
export const countsForProperty = (r: FaultResult, c: MatrixCell) =>
  kindOf(judgedBy(r)) === 'mutant' && failedAsCatalogued(c) && lookedAndFailed(c) && !classLevel(c, r)

// A cell counts for the detection score: under a component fault, failed or broken as the catalogue
// says it must or may, not only because its class could not provision, and its message names the component.
export const countsForDetection = (r: FaultResult, c: MatrixCell) =>
  kindOf(judgedBy(r)) === 'component' && failedAsCatalogued(c) && (c.status === 'failed' || c.status === 'broken')
  && !classLevel(c, r) && namesComponent(judgedBy(r), c)

const faultsOf = (results: FaultResult[], kind: FaultKind) => results.filter((r) => kindOf(judgedBy(r)) === kind)

// Why a claim is not counted, read from the cells of the score's faults where they say more than
// "no fault of the kind ran on it": the nearest miss.
function nearestMiss(id: string, results: FaultResult[], kind: FaultKind): string | undefined {
  const near = results.flatMap((r) => r.cells.filter((c) => c.id === id && failedAsCatalogued(c)).map((c) => ({ r, c })))
  const where = (xs: typeof near) => [...new Set(xs.map(({ r, c }) => `${r.name}${c.storageClass ? ` [${c.storageClass}]` : ''}`))].join(', ')
  const classWide = near.filter(({ r, c }) => classLevel(c, r))
  const own = near.filter(({ r, c }) => !classLevel(c, r))
  const broken = own.filter(({ c }) => !lookedAndFailed(c))
  const unnamed = own.filter(({ r, c }) => !namesComponent(judgedBy(r), c))
  if (kind === 'mutant' && broken.length) return `broken, not failed, under ${where(broken)}: a Given or When step never came true, so the property was not looked at`
  if (kind === 'component' && unnamed.length) return `failed under ${where(unnamed)}, but no message names the component (${[...new Set(unnamed.flatMap(({ r }) => componentWords(judgedBy(r))))].map((w) => `"${w}"`).join(', ') || 'the catalogue gives no words'})`
  if (classWide.length) return `failed only where its class could not provision (${where(classWide)}): a class-wide failure, not this claim's property`
  return undefined
}

function score(kind: FaultKind, allIds: string[], results: FaultResult[], counts: (r: FaultResult, c: MatrixCell) => boolean, reasons: Record<string, string>, none: string): Score {
  const ofKind = faultsOf(results, kind)
  const counting = ofKind.flatMap((r) => r.cells.filter((c) => counts(r, c)).map((c) => ({ id: c.id, reclassified: r.reclassifiedAgainst !== undefined })))
  const ids = [...new Set(allIds)]
  const counted = ids.filter((id) => counting.some((x) => x.id === id))
  const notReRun = counted.filter((id) => counting.filter((x) => x.id === id).every((x) => x.reclassified))
  const missing = ids.filter((id) => !counted.includes(id))
    .map((id) => ({ id, reason: nearestMiss(id, ofKind, kind) ?? (ofKind.length ? reasons[id] : undefined) ?? none }))
  return {
    counted, total: ids.length, ratio: ids.length ? counted.length / ids.length : 0, faultsRun: ofKind.length, notReRun,
    reclassifiedCells: ofKind.reduce((n, r) => n + r.cells.filter((c) => c.reclassified).length, 0), missing,
  }
}

// Property score: the claims some semantic mutant made fail in their own Then or And step, out of every claim.
export function propertyScore(allIds: string[], results: FaultResult[], reasons: Record<string, string> = {}): Score {
  const none = faultsOf(results, 'mutant').length ? 'no semantic mutant run so far made it fail in a Then or And step' : 'no semantic mutant has been run (0 mutants run)'
  return score('mutant', allIds, results, countsForProperty, reasons, none)
}

// Detection score: the claims some component fault made fail or break with a message naming the component, out of every claim.
export function detectionScore(allIds: string[], results: FaultResult[], reasons: Record<string, string> = {}): Score {
  const none = faultsOf(results, 'component').length ? 'no component fault run so far made it fail with a message naming the component' : 'no component fault has been run'
  return score('component', allIds, results, countsForDetection, reasons, none)
}

// One line per score, as run.ts prints it and the pages show it: a score resting on reclassified
// stored runs says that it was not re-run.
export function describeScore(name: string, s: Score, kind: FaultKind): string {
  const faults = kind === 'mutant' ? `${s.faultsRun} mutant${s.faultsRun === 1 ? '' : 's'} run` : `${s.faultsRun} component fault${s.faultsRun === 1 ? '' : 's'} run`
  const reclassified = s.reclassifiedCells || s.notReRun.length
    ? `; ${s.reclassifiedCells} cell${s.reclassifiedCells === 1 ? '' : 's'} reclassified from stored runs against a catalogue edited since, not re-run${s.notReRun.length ? ` (counted only so: ${s.notReRun.join(', ')})` : ''}`
    : ''
  // The quests' claims (Q…) apart: the issue's goal is stated for them.
  const quest = (id: string) => id.startsWith('Q')
  const q = s.counted.filter(quest).length
  const qTotal = q + s.missing.filter((m) => quest(m.id)).length
  const ofQuests = qTotal ? `; ${q} of the ${qTotal} Q claims, ${((100 * q) / qTotal).toFixed(0)} %` : ''
  return `${name}: ${s.counted.length} of ${s.total} claims (${(100 * s.ratio).toFixed(0)} %${ofQuests}), ${faults}${reclassified}`
}
