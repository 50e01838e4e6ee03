// fleet.json: every cluster's run (its claims.json, or why it has none) merged into one matrix,
// claim × cluster × storage class, each cell linking to the claim in that cluster's own report.
import { describeFailedStep, describeTotals, idOrder, type ClaimEntry, type ClaimsReport, type ClaimStatus } from '../../lib/report/claims.ts'
import { claimGroup, claimMatrix, entryAnchor, worst } from '../../lib/report/matrix.ts'
import { describeTarget, type FleetTarget } from './args.ts'
import { failureReason, type OutputLine } from './output.ts'

export const fleetFormat = 'stateful-conformance/fleet@1'

// How a cluster's child ended.
export interface ChildEnd {
  exitCode: number | null
  signal: string | null
  // The fleet forwarded Ctrl-C (or SIGTERM) to it.
  interrupted: boolean
  tail: OutputLine[]
  durationMs: number
}

// What the fleet knows of one cluster after its child ended: its report, or why there is none.
export interface ClusterResult {
  target: FleetTarget
  end: ChildEnd
  report?: ClaimsReport
  // A claims.json was written but cannot be read as one.
  reportProblem?: string
}

export type ClusterState = 'reported' | 'preflight failed' | 'ended without a report' | 'interrupted'

export interface FleetCluster {
  label: string
  // 'context "prod-eu"', "the embedded cluster's instance dev"
  target: string
  state: ClusterState
  reason?: string
  exitCode: number | null
  durationMs: number
  // Relative to the fleet's folder.
  report?: string
  server?: string
  version?: string
  nodes?: number
  classes: string[]
  totals?: Record<ClaimStatus, number> & { waived: number }
  // Reported, and its run exited 0: nothing failed or broke, bar what its waivers accept.
  ok: boolean
}

export interface FleetCell {
  status: ClaimStatus
  // That cluster's report, at the claim.
  href: string
  reason?: string
  waived?: string
}

export interface FleetRow {
  id: string
  title: string
  // By cluster label, then by storage class: '' for a claim that does not depend on the class.
  byCluster: Record<string, Record<string, FleetCell>>
}

export interface FleetReport {
  format: typeof fleetFormat
  startedAt: string
  finishedAt: string
  clusters: FleetCluster[]
  groups: { group: string; rows: FleetRow[] }[]
  // Cells failed or broken (waived ones not counted): what makes the fleet fail, with the clusters that did not report.
  failing: { cluster: string; id: string; storageClass: string | null; status: ClaimStatus }[]
}

// A run with a report is that; without one, it was stopped, its setup refused the cluster (global
// setup exits 2 with its one line), or it ended some other way before the reporter ran.
// A run whose claims failed exits 1, as it should; one that exits otherwise without a failing claim says why.
function stateOf(r: ClusterResult, failing: number): { state: ClusterState; reason?: string } {
  const { end } = r
  const exited = end.exitCode !== null ? `exited ${end.exitCode}` : `was ended by ${end.signal}`
  if (r.report) {
    return end.exitCode === 0 || (end.exitCode === 1 && failing) ? { state: 'reported' }
      : { state: 'reported', reason: `its run ${exited}${failing ? '' : ' although no claim failed'}: ${failureReason(end.tail)}` }
  }
  if (r.reportProblem) return { state: 'ended without a report', reason: r.reportProblem }
  if (end.interrupted) return { state: 'interrupted', reason: `stopped before its report was written${end.tail.length ? ` (its last words: ${failureReason(end.tail)})` : ''}` }
  if (end.exitCode === 2) return { state: 'preflight failed', reason: failureReason(end.tail) }
  return { state: 'ended without a report', reason: `vitest ${exited} before writing claims.json: ${failureReason(end.tail)}` }
}

// Counted from the claims, not taken from the file's summary, which an older report may lack a count of.
export const totalsOf = (r: ClaimsReport): FleetCluster['totals'] => {
  const n = (s: ClaimStatus) => r.claims.filter((e) => e.status === s).length
  return { passed: n('passed'), partial: n('partial'), failed: n('failed'), broken: n('broken'), skipped: n('skipped'), waived: r.claims.filter((e) => e.waived).length }
}

const failingOf = (r: ClusterResult) => (r.report?.claims ?? []).filter((e) => (e.status === 'failed' || e.status === 'broken') && !e.waived)

export function clusterColumn(r: ClusterResult): FleetCluster {
  const { state, reason } = stateOf(r, failingOf(r).length)
  const c = r.report?.run.cluster
  return {
    label: r.target.label,
    target: describeTarget(r.target),
    state,
    ...(reason ? { reason } : {}),
    exitCode: r.end.exitCode,
    durationMs: r.end.durationMs,
    ...(r.report ? { report: `${encodeURIComponent(r.target.label)}/index.html` } : {}),
    ...(c ? { server: c.server, version: c.version, nodes: c.nodes } : {}),
    classes: r.report ? claimMatrix(r.report).classes : [],
    ...(r.report ? { totals: totalsOf(r.report) } : {}),
    ok: state === 'reported' && r.end.exitCode === 0,
  }
}

const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s)

// A cell's verdict is its worst entry's (as in the run's own matrix); its link and reason that entry's.
function cellOf(label: string, entries: ClaimEntry[]): FleetCell {
  const status = worst(entries)
  const e = entries.find((x) => x.status === status) ?? entries[0]!
  const said = status === 'passed' ? '' : [describeFailedStep(e), e.reason ?? ''].filter(Boolean).join(': ')
  return {
    status,
    href: `${encodeURIComponent(label)}/index.html#${entryAnchor(e)}`,
    ...(said ? { reason: cut(said) } : {}),
    ...(e.waived ? { waived: cut(e.waived) } : {}),
  }
}

export function buildFleet(results: ClusterResult[], times: { startedAt: string; finishedAt: string }): FleetReport {
  const rows = new Map<string, FleetRow>()
  for (const r of results) {
    if (!r.report) continue
    const label = r.target.label
    for (const g of claimMatrix(r.report).groups) {
      for (const m of g.rows) {
        const row = rows.get(m.id) ?? { id: m.id, title: m.title, byCluster: {} }
        rows.set(m.id, row)
        row.byCluster[label] = Object.fromEntries(m.perClass
          ? [...m.cells].map(([cls, entries]) => [cls, cellOf(label, entries)])
          : [['', cellOf(label, [...m.cells.values()].flat())]])
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) => idOrder(a.id).localeCompare(idOrder(b.id)))
  const groups = new Map<string, FleetRow[]>()
  for (const row of sorted) groups.set(claimGroup(row.id), [...(groups.get(claimGroup(row.id)) ?? []), row])
  const failing = results.flatMap((r) => failingOf(r).map((e) => ({ cluster: r.target.label, id: e.id, storageClass: e.storageClass, status: e.status })))
  return {
    format: fleetFormat,
    ...times,
    clusters: results.map(clusterColumn),
    groups: [...groups].map(([group, list]) => ({ group, rows: list })),
    failing,
  }
}

// "✗ prod-eu  reported: claims: 80 passed, …; its run exited 1 although no claim failed: …"
export function describeCluster(c: FleetCluster, labelWidth = 0): string {
  const verdicts = c.totals ? describeTotals(c.totals) : ''
  return `${c.ok ? '✓' : '✗'} ${c.label.padEnd(labelWidth)} ${c.state}${verdicts ? `: ${verdicts}` : ''}${c.reason ? `${verdicts ? '; ' : ': '}${c.reason}` : ''}`
}

// 1 if any cluster did not report, or its run failed (a claim failed or broke and no waiver accepts it).
export const fleetExitCode = (f: FleetReport): 0 | 1 => (f.clusters.every((c) => c.ok) && !f.failing.length ? 0 : 1)

// "3 clusters: 2 reported, 1 preflight failed; 2 claims failed or broken (prod-eu: Q0-12 [standard], Q1-06)"
export function describeFleet(f: FleetReport): string {
  const states = [...new Set(f.clusters.map((c) => c.state))].map((s) => `${f.clusters.filter((c) => c.state === s).length} ${s}`)
  const where = [...new Set(f.failing.map((x) => x.cluster))].map((cluster) =>
    `${cluster}: ${f.failing.filter((x) => x.cluster === cluster).map((x) => `${x.id}${x.storageClass ? ` [${x.storageClass}]` : ''}`).join(', ')}`)
  return `${f.clusters.length} cluster${f.clusters.length === 1 ? '' : 's'}: ${states.join(', ')}; `
    + `${f.failing.length} claim${f.failing.length === 1 ? '' : 's'} failed or broken${where.length ? ` (${where.join('; ')})` : ''}`
}
