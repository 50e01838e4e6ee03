// Stored runs (claims.json) laid out over time: per cluster, one row per claim × storage class and
// one column per run, in the order the runs started; each row's flake rate and its breaks (a run that
// failed or broke the claim right after a run that held it), naming what changed between the two.
import { type ClaimEntry, type ClaimsReport, type ClaimStatus, describeFailedStep } from '../../lib/report/claims.ts'

export const historyFormat = 'stateful-conformance/history@1'

// One stored run, as load.ts read it: where it came from, its claims.json, its run ID where .run.json was kept beside it.
export interface StoredRun {
  label: string
  report: ClaimsReport
  runId: string | null
}

export interface HistoryRun {
  // r1, r2, …: in the order the runs started, across all clusters.
  name: string
  label: string
  runId: string | null
  startedAt: string
  finishedAt: string
  cluster: { server: string; context: string | null; version: string; nodes: number }
  suiteVersion: string | null
  series: string
  totals: Record<ClaimStatus, number>
}

export interface Cell {
  status: ClaimStatus
  // Not plainly passed: the step and the reason, cut at 300 characters.
  reason?: string
}

// What differs between the run that last held a claim and the run that broke it.
export interface Changed {
  suiteVersion?: { from: string | null; to: string | null }
  clusterVersion?: { from: string; to: string }
}

export interface Break {
  // The run that failed or broke the claim, and the run of the same cluster before it that held it.
  run: string
  after: string
  status: 'failed' | 'broken'
  changed: Changed
}

export interface HistoryRow {
  id: string
  title: string
  storageClass: string | null
  // One per run of the series, in its order; null: the run did not list the claim.
  cells: (Cell | null)[]
  // changes / pairs over the runs that gave a verdict other than skipped (see flakeRateMeaning); null under two such runs.
  flake: { changes: number; pairs: number; rate: number | null }
  breaks: Break[]
  // failed or broken in the last run that listed it.
  failingNow: boolean
}

// One cluster: runs against the same context (or server), Kubernetes minor and node count.
export interface Series {
  key: string
  runs: string[]
  rows: HistoryRow[]
}

export interface History {
  format: typeof historyFormat
  runs: HistoryRun[]
  series: Series[]
  // Runs stored twice (the same run record), left out: "b is a again".
  warnings: string[]
  definitions: { flakeRate: string; break: string }
}

export const flakeRateMeaning = 'flake rate: among the runs of one cluster that gave the claim a verdict other than skipped, '
  + 'the share of consecutive pairs whose outcome differs, held (passed or partial) against not held (failed or broken). '
  + 'Skipped and not run say nothing of the claim and are left out. 0 % is steady, passing or failing alike; '
  + 'a claim that broke once for good scores one change in all its pairs; one that alternates scores near 100 %. Under two such runs: no rate.'

export const breakMeaning = 'first bad run: a run of one cluster that failed or broke a claim which held (passed or partial) in the run of that cluster '
  + 'that last gave it a verdict other than skipped; named with what changed between the two: the suite version (its git commit) and the Kubernetes version.'

const held = (s: ClaimStatus) => s === 'passed' || s === 'partial'
const failing = (s: ClaimStatus): s is 'failed' | 'broken' => s === 'failed' || s === 'broken'

// "v1.36.4" → "v1.36"; a version the cluster did not give stays as it is.
export const minorOf = (version: string) => /^v?\d+\.\d+/.exec(version)?.[0] ?? version

// "kind-stateful-conformance · Kubernetes v1.36 · 1 node": runs against one such cluster make a series.
// A run of the DR claims alone (npm run test:disruption, reports/disruption/) is a series of its own,
// "… · DR claims", so that its columns do not alternate with the suite's on one cluster.
export function seriesOf(r: ClaimsReport): string {
  const c = r.run.cluster
  const disruption = r.claims.length > 0 && r.claims.every((e) => e.id.startsWith('DR-'))
  return `${c.context || c.server} · Kubernetes ${minorOf(c.version)} · ${c.nodes} node${c.nodes === 1 ? '' : 's'}${disruption ? ' · DR claims' : ''}`
}

const startOf = (r: StoredRun) => Date.parse(r.report.run.startedAt) || 0
const idOrder = (id: string) => id.replace(/\d+/g, (n) => n.padStart(4, '0'))
const keyOf = (e: Pick<ClaimEntry, 'id' | 'storageClass'>) => `${e.id}\u0000${e.storageClass ?? ''}`
const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s)

function cellOf(e: ClaimEntry): Cell {
  const text = [describeFailedStep(e), e.waived ? `waived: ${e.waived}` : '', e.reason ?? ''].filter(Boolean).join(': ')
  return e.status === 'passed' || !text ? { status: e.status } : { status: e.status, reason: cut(text) }
}

export function flakeOf(cells: (Cell | null)[]): HistoryRow['flake'] {
  const outcomes = cells.flatMap((c) => (c && c.status !== 'skipped' ? [held(c.status)] : []))
  const pairs = Math.max(0, outcomes.length - 1)
  const changes = outcomes.filter((h, i) => i > 0 && h !== outcomes[i - 1]).length
  return { changes, pairs, rate: pairs ? changes / pairs : null }
}

export function changedBetween(a: HistoryRun, b: HistoryRun): Changed {
  return {
    ...(a.suiteVersion !== b.suiteVersion ? { suiteVersion: { from: a.suiteVersion, to: b.suiteVersion } } : {}),
    ...(a.cluster.version !== b.cluster.version ? { clusterVersion: { from: a.cluster.version, to: b.cluster.version } } : {}),
  }
}

export function breaksOf(cells: (Cell | null)[], runs: HistoryRun[]): Break[] {
  const breaks: Break[] = []
  let last: { held: boolean; run: HistoryRun } | undefined
  cells.forEach((c, i) => {
    if (!c || c.status === 'skipped') return
    const run = runs[i]!
    if (last?.held && failing(c.status)) breaks.push({ run: run.name, after: last.run.name, status: c.status, changed: changedBetween(last.run, run) })
    last = { held: held(c.status), run }
  })
  return breaks
}

// "suite 0.1.0 (git 1a2b3c4) → 0.1.0 (git 5d6e7f8), Kubernetes v1.36.3 → v1.36.4", or that neither changed.
export function describeChanged(c: Changed): string {
  const parts = [
    c.suiteVersion ? `suite ${c.suiteVersion.from ?? 'not recorded'} → ${c.suiteVersion.to ?? 'not recorded'}` : '',
    c.clusterVersion ? `Kubernetes ${c.clusterVersion.from} → ${c.clusterVersion.to}` : '',
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : 'suite and Kubernetes versions unchanged'
}

function historyRun(r: StoredRun, i: number): HistoryRun {
  const { run, claims } = r.report
  const n = (s: ClaimStatus) => claims.filter((e) => e.status === s).length
  return {
    name: `r${i + 1}`,
    label: r.label,
    runId: r.runId,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    cluster: { server: run.cluster.server, context: run.cluster.context ?? null, version: run.cluster.version, nodes: run.cluster.nodes },
    suiteVersion: run.suiteVersion ?? null,
    series: seriesOf(r.report),
    totals: { passed: n('passed'), partial: n('partial'), failed: n('failed'), broken: n('broken'), skipped: n('skipped') },
  }
}

function seriesRows(stored: StoredRun[], runs: HistoryRun[]): HistoryRow[] {
  const byKey = new Map<string, { id: string; title: string; storageClass: string | null; cells: (Cell | null)[] }>()
  stored.forEach((r, i) => {
    for (const e of r.report.claims) {
      const row = byKey.get(keyOf(e)) ?? { id: e.id, title: e.title, storageClass: e.storageClass, cells: stored.map(() => null) }
      byKey.set(keyOf(e), row)
      row.cells[i] = cellOf(e)
      row.title = e.title || row.title // the latest run's wording
    }
  })
  return [...byKey.values()]
    .sort((a, b) => idOrder(a.id).localeCompare(idOrder(b.id)) || (a.storageClass ?? '').localeCompare(b.storageClass ?? ''))
    .map((row) => {
      const lastCell = row.cells.findLast((c) => c !== null)
      return { ...row, flake: flakeOf(row.cells), breaks: breaksOf(row.cells, runs), failingNow: !!lastCell && failing(lastCell.status) }
    })
}

// Runs in any order, from any clusters; one stored twice (the same run record: start, finish, cluster, suite…) counts once.
export function buildHistory(input: StoredRun[]): History {
  const warnings: string[] = []
  const seen = new Map<string, string>()
  const stored = [...input].sort((a, b) => startOf(a) - startOf(b) || a.label.localeCompare(b.label)).filter((r) => {
    // Copies of one run (an artifact downloaded twice, a folder given with its claims.json) have one run record.
    const key = JSON.stringify(r.report.run)
    const c = r.report.run.cluster
    const first = seen.get(key)
    if (first !== undefined) warnings.push(`${r.label} is ${first} again (started ${r.report.run.startedAt} on ${c.context || c.server}): counted once`)
    else seen.set(key, r.label)
    return first === undefined
  })
  const runs = stored.map(historyRun)
  const keys = [...new Set(runs.map((r) => r.series))].sort()
  const series = keys.map((key) => {
    const members = runs.flatMap((r, i) => (r.series === key ? [i] : []))
    const memberRuns = members.map((i) => runs[i]!)
    return { key, runs: memberRuns.map((r) => r.name), rows: seriesRows(members.map((i) => stored[i]!), memberRuns) }
  })
  return { format: historyFormat, runs, series, warnings, definitions: { flakeRate: flakeRateMeaning, break: breakMeaning } }
}
