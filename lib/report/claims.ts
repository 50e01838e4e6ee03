// reports/claims.json: one entry per claim per storage class it ran on.
import type { ClusterInfo } from '../context.ts'

export type ClaimStatus = 'passed' | 'failed' | 'skipped'

export interface ClaimEntry {
  id: string
  title: string
  status: ClaimStatus
  storageClass: string | null
  durationMs: number
  reason?: string
  notes?: string[]
  diagnostics?: string
  steps?: { keyword: string; title: string; durationMs: number; status: string }[]
}

export interface ClaimsReport {
  run: {
    startedAt: string
    finishedAt: string
    cluster: { server: string; version: string; nodes: number; context?: string | null; embedded?: boolean }
    storageClasses?: string[]
  }
  claims: ClaimEntry[]
  summary: Record<ClaimStatus, number>
}

// What the reporter knows of one finished test.
export interface FinishedTest {
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  durationMs: number
  errors?: string[]
  skipNote?: string
  meta: { claim?: string; storageClass?: string | null; reason?: string; notes?: string[]; diagnostics?: string; steps?: ClaimEntry['steps'] }
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim())?.trim() ?? s

export function claimEntry(t: FinishedTest): ClaimEntry | undefined {
  if (!t.meta.claim) return undefined
  const status: ClaimStatus = t.state === 'passed' ? 'passed' : t.state === 'failed' ? 'failed' : 'skipped'
  let reason: string | undefined
  if (status === 'failed') reason = t.errors?.length ? t.errors.map(firstLine).join(' | ') : 'failed without an error message'
  if (status === 'skipped') reason = t.meta.reason ?? t.skipNote ?? 'skipped without a reason (a bug in the spec: every skip must say why)'
  return {
    id: t.meta.claim,
    title: t.name.replace(/^\S+\s+/, '').replace(/\s+\[[^\]]+\]$/, ''),
    status,
    storageClass: t.meta.storageClass ?? null,
    durationMs: Math.round(t.durationMs),
    ...(reason ? { reason } : {}),
    ...(t.meta.notes?.length ? { notes: t.meta.notes } : {}),
    ...(t.meta.diagnostics ? { diagnostics: t.meta.diagnostics } : {}),
    ...(t.meta.steps?.length ? { steps: t.meta.steps.map(({ keyword, title, durationMs, status }) => ({ keyword, title, durationMs, status })) } : {}),
  }
}

const idOrder = (id: string) => id.replace(/\d+/g, (n) => n.padStart(4, '0'))

export function buildClaimsReport(tests: FinishedTest[], run: ClaimsReport['run'] | { startedAt: string; cluster?: ClusterInfo; storageClasses?: string[] }, finishedAt: string): ClaimsReport {
  const claims = tests.map(claimEntry).filter((e): e is ClaimEntry => !!e)
    .sort((a, b) => idOrder(a.id).localeCompare(idOrder(b.id)) || (a.storageClass ?? '').localeCompare(b.storageClass ?? ''))
  const c = run.cluster
  return {
    run: {
      startedAt: run.startedAt,
      finishedAt,
      cluster: { server: c?.server ?? 'unknown', version: c?.version ?? 'unknown', nodes: c?.nodes ?? 0, context: c?.context ?? null, embedded: c?.embedded ?? false },
      ...(run.storageClasses ? { storageClasses: run.storageClasses } : {}),
    },
    claims,
    summary: {
      passed: claims.filter((e) => e.status === 'passed').length,
      failed: claims.filter((e) => e.status === 'failed').length,
      skipped: claims.filter((e) => e.status === 'skipped').length,
    },
  }
}

// The claims table printed at the end of a run.
export function formatClaimsTable(report: ClaimsReport): string {
  const mark = { passed: '✓', failed: '✗', skipped: '-' }
  const lines = report.claims.map((e) =>
    `  ${mark[e.status]} ${e.id.padEnd(6)} ${(e.storageClass ?? '').padEnd(20)} ${e.status.padEnd(7)} ${(e.durationMs / 1000).toFixed(1).padStart(6)}s  ${e.status === 'passed' ? (e.notes?.join('; ') ?? '') : (e.reason ?? '')}`)
  const s = report.summary
  return `claims on ${report.run.cluster.server} (Kubernetes ${report.run.cluster.version}):\n${lines.join('\n')}\nclaims: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`
}
