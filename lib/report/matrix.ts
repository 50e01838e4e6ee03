// The claims matrix both human reports show: one row per claim, one column
// per storage class under test; a claim that does not depend on the class
// has one result for the whole row.
import type { ClaimEntry, ClaimsReport, ClaimStatus } from './claims.ts'

export interface MatrixRow {
  id: string
  title: string
  // Results by storage class; for a claim that does not depend on the class, under ''.
  cells: Map<string, ClaimEntry[]>
  perClass: boolean
  status: ClaimStatus // the row's worst result
}

export interface ClaimMatrix {
  classes: string[]
  groups: { group: string; rows: MatrixRow[] }[]
}

// A cell's (or row's) status: its worst entry (a property seen violated first, then a claim that
// could not be brought about; all skipped is skipped; a partial one makes it partial).
export const worst = (entries: ClaimEntry[]): ClaimStatus =>
  entries.some((e) => e.status === 'failed') ? 'failed'
    : entries.some((e) => e.status === 'broken') ? 'broken'
      : entries.every((e) => e.status === 'skipped') ? 'skipped'
        : entries.some((e) => e.status === 'partial') ? 'partial' : 'passed'

export function claimMatrix(report: ClaimsReport): ClaimMatrix {
  const classes = [...new Set([...(report.run.storageClasses ?? []), ...report.claims.flatMap((c) => (c.storageClass ? [c.storageClass] : []))])]
  const rows = new Map<string, MatrixRow>()
  for (const e of report.claims) {
    const row = rows.get(e.id) ?? { id: e.id, title: e.title, cells: new Map(), perClass: false, status: 'passed' as ClaimStatus }
    rows.set(e.id, row)
    const key = e.storageClass ?? ''
    row.cells.set(key, [...(row.cells.get(key) ?? []), e])
    if (e.storageClass) row.perClass = true
  }
  const groups = new Map<string, MatrixRow[]>()
  for (const row of rows.values()) {
    row.status = worst([...row.cells.values()].flat())
    const group = claimGroup(row.id)
    groups.set(group, [...(groups.get(group) ?? []), row])
  }
  return { classes, groups: [...groups].map(([group, list]) => ({ group, rows: list })) }
}

// The series a claim belongs to: Q0-10 → Q0, SC-06 → SC.
export const claimGroup = (id: string) => id.replace(/-\d+$/, '')

export const statusMark: Record<ClaimStatus, string> = { passed: '✓', partial: '◐', failed: '✗', broken: '⊘', skipped: '–' }

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} min ${s % 60} s`
}

// Anchor of one entry in the HTML page: "Q0-10" or "Q0-11-standard".
export const entryAnchor = (e: Pick<ClaimEntry, 'id' | 'storageClass'>) =>
  `${e.id}${e.storageClass ? `-${e.storageClass}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_')

export function runDuration(report: ClaimsReport): number {
  return Math.max(0, Date.parse(report.run.finishedAt) - Date.parse(report.run.startedAt)) || 0
}
