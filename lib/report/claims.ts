// reports/claims.json: one entry per claim per storage class it ran on.
import type { IoFigures } from '../apps/fio.ts'
import type { AttachedTimeline } from '../observe/timeline-snapshot.ts'
import type { Capabilities } from '../storage/capabilities.ts'

// Per-class figures a claim measured: SC-06's timings, SC-10's I/O (fio), any claim's bind times.
// Every field is optional, so reports written before one was added still read.
export interface Measurements {
  timeToBoundMs?: number
  timeToFirstWriteMs?: number
  io?: IoFigures
  // Any claim: each PVC it saw go from unbound to Bound, ms from the PVC's creation (whole seconds: up to 1 s long).
  claimBindMs?: number[]
}

// What a run cost, as the run's gate measured it (lib/harness/gate-server.ts).
export interface RunUsage {
  peakLoad: number
  cores: number
  // Busy CPU seconds of the whole machine during the run (a cluster on it included), from /proc/stat.
  machineCpuSeconds: number | null
  // The suite's own process (its workers are threads of it).
  suiteCpuSeconds: number
  // The claims-in-flight limit: where it started, its range over the run, and every change.
  concurrency: { initial: number; min: number; max: number; changes: string[] }
}

export function describeUsage(u: RunUsage): string {
  const c = u.concurrency
  return `peak load ${u.peakLoad.toFixed(1)} on ${u.cores} cores; CPU ${u.machineCpuSeconds ?? '?'} s on this machine, ${u.suiteCpuSeconds} s of it the suite's; claims in flight ${c.min === c.max ? c.initial : `${c.initial} at first, ${c.min}–${c.max}`} (${c.changes.length} change${c.changes.length === 1 ? '' : 's'})`
}

// The cluster a run tested, as global setup found it.
export interface ClusterInfo {
  server: string
  context: string | null
  version: string
  nodes: number
  schedulableNodes: number
  embedded: boolean
}

// The five verdicts (shared/claims.md). failed: a Then or And step saw the
// property violated. broken: the claim never got to look — a Given or When
// step never came true, or the test failed outside its steps (a fixture, a
// clean-up). Both fail the run; only failed says the property is false.
// partial: what was checked held, but a part of the claim could not be
// checked on this cluster (named in `unchecked`); it does not fail the run.
export type ClaimStatus = 'passed' | 'partial' | 'failed' | 'broken' | 'skipped'

// The step that threw, as lib/harness/steps.ts records it.
export interface FailedStep {
  keyword: string
  title: string
  // The cluster kept the step from looking (lib/k8s/claim-context.ts CouldNotLook): no violation seen.
  couldNotLook?: true
}

export interface ClaimEntry {
  id: string
  title: string
  status: ClaimStatus
  storageClass: string | null
  durationMs: number
  // The wait for a slot at the run's gate before the claim began (not in durationMs).
  slotWaitMs?: number
  reason?: string
  // failed or broken: the whole of each error message (reason keeps only their first lines). A hint
  // that names a component often comes on a later line ("is the cluster DNS (CoreDNS) running?"),
  // and the sensitivity run's detection score reads it here.
  messages?: string[]
  // failed or broken: the step that threw; none when the test failed outside its steps.
  failedStep?: FailedStep
  // partial: the parts of the claim this cluster could not show.
  unchecked?: string[]
  notes?: string[]
  diagnostics?: string
  steps?: { keyword: string; title: string; durationMs: number; status: string }[]
  timelines?: AttachedTimeline[]
  measurements?: Measurements
  // Failed, but known and accepted for this cluster (SC_WAIVERS): why.
  waived?: string
}

export interface ClaimsReport {
  run: {
    // The run's ID (its namespaces' label; absent in older reports).
    runId?: string
    startedAt: string
    finishedAt: string
    cluster: { server: string; version: string; nodes: number; context?: string | null; embedded?: boolean }
    // package.json's version and the git commit (lib/harness/suite-version.ts); absent in older reports.
    suiteVersion?: string
    storageClasses?: string[]
    // What global setup's probe found per class (declared and observed), for the capability table.
    capabilities?: Record<string, Capabilities>
    // The timeout scale the run used (measured, or SC_TIMEOUT_SCALE).
    timeoutScale?: number
    // What the run cost this machine, and the claims in flight it allowed.
    usage?: RunUsage
  }
  claims: ClaimEntry[]
  summary: Record<ClaimStatus, number> & { waived: number }
}

// What the reporter knows of one finished test.
// What a claim's test records on itself as it runs (vitest's task meta, which lib/harness/context.ts
// declares as this), and what the reporters read back (FinishedTest): declared once, here.
export interface ClaimMeta {
  claim?: string
  storageClass?: string | null
  // Its Given/When/Then steps (lib/harness/steps.ts records more of each; the report reads these).
  steps?: NonNullable<ClaimEntry['steps']>
  reason?: string
  // Parts of the claim this cluster could not show: the claim is partial (skipPart).
  unchecked?: string[]
  notes?: string[]
  diagnostics?: string
  // Per-class timings a claim measured (SC-06), carried into claims.json.
  measurements?: Measurements
  // Pod-event timelines drawn in the report (attachTimeline).
  timelines?: AttachedTimeline[]
  // A waived claim that failed: why it is waived, and what failed.
  waived?: { why: string; failure: string }
  // A waived claim that held after all (the run fails: remove the waiver).
  waiverUnneeded?: string
  // The step that threw (claim-run.ts): Then or And, the claim failed; any other, it is broken.
  failedStep?: FailedStep
  // Why the claim ran a second time (a gap in its first run's recording).
  rerun?: string
  // How long the claim waited for a slot at the run's gate before it began: not part of its duration.
  slotWaitMs?: number
}

export interface FinishedTest {
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  durationMs: number
  errors?: string[]
  skipNote?: string
  meta: ClaimMeta
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim())?.trim() ?? s

export function claimEntry(t: FinishedTest): ClaimEntry | undefined {
  const id = t.meta.claim
  if (!id) return undefined
  // A waiver flips vitest's verdict ("expected to fail"); the claim's own verdict is what was observed.
  const observed = t.meta.waived ? 'failed' : t.meta.waiverUnneeded ? 'passed' : t.state
  const unchecked = t.meta.unchecked ?? []
  const status: ClaimStatus = observed === 'passed' ? (unchecked.length ? 'partial' : 'passed')
    : observed === 'failed' ? (sawViolation(t.meta.failedStep) ? 'failed' : 'broken') : 'skipped'
  const failing = status === 'failed' || status === 'broken'
  let reason: string | undefined
  if (t.meta.waived) reason = t.meta.waived.failure || 'failed without an error message'
  else if (failing) reason = t.errors?.length ? t.errors.map(firstLine).join(' | ') : 'failed without an error message'
  if (status === 'skipped') reason = t.meta.reason ?? t.skipNote ?? 'skipped without a reason (a bug in the spec: every skip must say why)'
  if (status === 'partial') reason = describeUnchecked(unchecked)
  return {
    id,
    title: t.name.replace(/^\S+\s+/, '').replace(/\s+\[[^\]]+\]$/, ''),
    status,
    storageClass: t.meta.storageClass ?? null,
    // From its slot at the run's gate on: the wait for one says how busy the run was, not how long the claim took.
    durationMs: Math.round(Math.max(0, t.durationMs - (t.meta.slotWaitMs ?? 0))),
    ...(t.meta.slotWaitMs && t.meta.slotWaitMs >= 1_000 ? { slotWaitMs: Math.round(t.meta.slotWaitMs) } : {}),
    ...(reason ? { reason } : {}),
    ...(failing && !t.meta.waived && t.errors?.length ? { messages: t.errors } : {}),
    ...(failing && t.meta.failedStep ? { failedStep: { keyword: t.meta.failedStep.keyword, title: t.meta.failedStep.title, ...(t.meta.failedStep.couldNotLook ? { couldNotLook: true as const } : {}) } } : {}),
    ...(status === 'partial' ? { unchecked } : {}),
    ...(t.meta.waived ? { waived: t.meta.waived.why } : {}),
    ...(t.meta.notes?.length || t.meta.waiverUnneeded || t.meta.rerun
      ? { notes: [...(t.meta.rerun ? [t.meta.rerun] : []), ...(t.meta.notes ?? []), ...(t.meta.waiverUnneeded ? [`holds although waived (${t.meta.waiverUnneeded}): remove the waiver`] : [])] }
      : {}),
    ...(t.meta.diagnostics ? { diagnostics: t.meta.diagnostics } : {}),
    ...(t.meta.steps?.length ? { steps: t.meta.steps.map(({ keyword, title, durationMs, status }) => ({ keyword, title, durationMs, status })) } : {}),
    ...(t.meta.timelines?.length ? { timelines: t.meta.timelines } : {}),
    ...(t.meta.measurements ? { measurements: t.meta.measurements } : {}),
  }
}

// Only a Then or And step looks at the property; a failure anywhere else, or one where the cluster
// kept the step from looking, means the claim never got to look.
const sawViolation = (step: FailedStep | undefined) => (step?.keyword === 'Then' || step?.keyword === 'And') && !step.couldNotLook

// "in Given claim data Bound": where a failed or broken claim stopped, for the reports.
export const describeFailedStep = (e: Pick<ClaimEntry, 'failedStep' | 'status'>) =>
  e.failedStep ? `in ${e.failedStep.keyword} "${e.failedStep.title}"${e.failedStep.couldNotLook ? ', which the cluster kept from looking' : ''}` : e.status === 'broken' ? 'outside its steps (a fixture, code between steps, or the clean-up)' : ''

// The one wording of a partial verdict, wherever it is shown.
export const describeUnchecked = (parts: string[]) => `not checked on this cluster: ${parts.join('; ')}`

// A claim test's ID, from its name ('Q1-08 a claim in use …').
export const claimIdOf = (title: string): string | undefined => /^((?:Q\d+|SC|DR)-\d+)\b/.exec(title)?.[1]

// A claim ID's sort key: Q0-9 before Q0-10, Q1 after Q0, as claims.md lists them.
export const idOrder = (id: string) => id.replace(/\d+/g, (n) => n.padStart(4, '0'))

export function buildClaimsReport(tests: FinishedTest[], run: ClaimsReport['run'] | { startedAt: string; runId?: string; cluster?: ClusterInfo; suiteVersion?: string; storageClasses?: string[]; capabilities?: Record<string, Capabilities>; timeoutScale?: number; usage?: RunUsage }, finishedAt: string): ClaimsReport {
  const claims = tests.map(claimEntry).filter((e): e is ClaimEntry => !!e)
    .sort((a, b) => idOrder(a.id).localeCompare(idOrder(b.id)) || (a.storageClass ?? '').localeCompare(b.storageClass ?? ''))
  const c = run.cluster
  return {
    run: {
      ...(run.runId ? { runId: run.runId } : {}),
      startedAt: run.startedAt,
      finishedAt,
      cluster: { server: c?.server ?? 'unknown', version: c?.version ?? 'unknown', nodes: c?.nodes ?? 0, context: c?.context ?? null, embedded: c?.embedded ?? false },
      ...(run.suiteVersion ? { suiteVersion: run.suiteVersion } : {}),
      ...(run.storageClasses ? { storageClasses: run.storageClasses } : {}),
      ...(run.capabilities ? { capabilities: run.capabilities } : {}),
      ...(run.timeoutScale ? { timeoutScale: run.timeoutScale } : {}),
      ...(run.usage ? { usage: run.usage } : {}),
    },
    claims,
    summary: {
      passed: claims.filter((e) => e.status === 'passed').length,
      partial: claims.filter((e) => e.status === 'partial').length,
      failed: claims.filter((e) => e.status === 'failed').length,
      broken: claims.filter((e) => e.status === 'broken').length,
      skipped: claims.filter((e) => e.status === 'skipped').length,
      waived: claims.filter((e) => e.waived).length,
    },
  }
}

// "bound in 1.2s, first write after 3.4s"
export function describeMeasurements(m: Measurements | undefined): string {
  if (!m) return ''
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`
  const io = m.io
  return [m.timeToBoundMs !== undefined ? `bound in ${s(m.timeToBoundMs)}` : '', m.timeToFirstWriteMs !== undefined ? `first write after ${s(m.timeToFirstWriteMs)}` : '',
    io ? `write ${io.seqWriteMiBps} MiB/s, read ${io.seqReadMiBps} MiB/s, 4k read ${io.randReadIops} IOPS (p99 ${io.randReadLatencyUs.p99}µs), 4k write ${io.randWriteIops} IOPS (p99 ${io.randWriteLatencyUs.p99}µs)${io.directIo ? '' : ', buffered'}` : '']
    .filter(Boolean).join(', ')
}

// The claims table printed at the end of a run.
export function formatClaimsTable(report: ClaimsReport): string {
  const mark: Record<ClaimStatus, string> = { passed: '✓', partial: '◐', failed: '✗', broken: '⊘', skipped: '-' }
  const said = (e: ClaimEntry) => [e.status === 'partial' ? e.reason : '', describeMeasurements(e.measurements), ...(e.notes ?? [])].filter(Boolean).join('; ')
  const why = (e: ClaimEntry) => [describeFailedStep(e), e.reason ?? ''].filter(Boolean).join(': ')
  const lines = report.claims.map((e) =>
    `  ${mark[e.status]} ${e.id.padEnd(6)} ${(e.storageClass ?? '').padEnd(20)} ${e.status.padEnd(7)} ${(e.durationMs / 1000).toFixed(1).padStart(6)}s  ${e.status === 'passed' || e.status === 'partial' ? said(e) : `${e.waived ? `WAIVED (${e.waived}): ` : ''}${e.status === 'skipped' ? e.reason ?? '' : why(e)}`}`)
  return `claims on ${report.run.cluster.server} (Kubernetes ${report.run.cluster.version}):\n${lines.join('\n')}\n${describeTotals(report.summary)}`
}

// "claims: 80 passed, 3 partial, 1 failed, 2 broken (1 waived), 4 skipped": the closing line, and the
// reports' headline. (A report written before broken existed has no count of it: 0.)
export function describeTotals(s: ClaimsReport['summary']): string {
  return `claims: ${s.passed} passed, ${s.partial} partial, ${s.failed} failed, ${s.broken ?? 0} broken${s.waived ? ` (${s.waived} waived)` : ''}, ${s.skipped} skipped`
}
