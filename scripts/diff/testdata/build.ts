// Small hand-made claims reports for the diff's unit tests.
import type { ClaimEntry, ClaimsReport, ClaimStatus } from '../../../lib/report/claims.ts'

export const entry = (id: string, status: ClaimStatus, o: Partial<ClaimEntry> = {}): ClaimEntry =>
  ({ id, title: `title of ${id}`, status, storageClass: null, durationMs: 10_000, ...o })

export const report = (claims: ClaimEntry[], run: Partial<ClaimsReport['run']> = {}): ClaimsReport => ({
  run: { startedAt: '2026-12-05T18:00:00.000Z', finishedAt: '2026-12-05T18:30:00.000Z', cluster: { server: 'https://10.0.0.1:6443', version: 'v1.36.3', nodes: 3 }, ...run },
  claims,
  summary: { passed: 0, partial: 0, failed: 0, broken: 0, skipped: 0, waived: 0 },
})
