// reports/summary.md: the report for CI logs, job summaries and PR comments —
// totals, the cluster, the claims matrix, why each claim failed, was broken
// or was skipped (with its diagnostics directory), and each ordered timeline.
import { capabilityTableMarkdown } from './capability-table.ts'
import { describeFailedStep, describeMeasurements, describeTotals, type ClaimEntry, type ClaimsReport } from './claims.ts'
import { ioTableMarkdown } from './io-chart.ts'
import { claimMatrix, formatDuration, type MatrixRow, runDuration } from './matrix.ts'
import { layoutTimeline, marksInOrder } from './timeline-layout.ts'
import { describeMarks, timelineText } from './timeline-svg.ts'

export interface MarkdownOptions {
  // Turns a diagnostics directory (as claims.json has it) into a path relative to the summary.
  diagnosticsHref?: (dir: string) => string
}

export const statusIcon = { passed: '✅', partial: '🌓', failed: '❌', broken: '⛔', skipped: '⏭️' } as const

// Table cells: no pipes or line breaks.
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')

function resultCell(entries: ClaimEntry[] | undefined): string {
  if (!entries?.length) return ''
  return entries.map((e) => {
    const measured = e.status === 'passed' || e.status === 'partial' ? describeMeasurements(e.measurements) : ''
    return `${statusIcon[e.status]} ${e.status} ${formatDuration(e.durationMs)}${measured ? ` (${measured})` : ''}`
  }).join('<br>')
}

function rowMarkdown(row: MatrixRow, classes: string[]): string {
  const cells = row.perClass ? ['', ...classes.map((c) => resultCell(row.cells.get(c)))] : [resultCell([...row.cells.values()].flat()), ...classes.map(() => '')]
  return `| ${row.id} | ${cell(row.title)} | ${cells.join(' | ')} |`
}

const where = (e: ClaimEntry) => `**${e.id}**${e.storageClass ? ` [${e.storageClass}]` : ''}`

export function renderMarkdownSummary(report: ClaimsReport, o: MarkdownOptions = {}): string {
  const r = report.run
  const s = report.summary
  const m = claimMatrix(report)
  const out: string[] = []
  out.push(`## Stateful conformance: ${describeTotals(s).replace(/^claims: /, '')}`, '')
  out.push(`Cluster \`${r.cluster.server}\`${r.cluster.context ? ` (context \`${r.cluster.context}\`)` : ''}${r.cluster.embedded ? ', the embedded cluster' : ''}: Kubernetes ${r.cluster.version}, ${r.cluster.nodes} node${r.cluster.nodes === 1 ? '' : 's'}; storage classes ${r.storageClasses?.map((c) => `\`${c}\``).join(', ') || 'unknown'}. Run ${r.startedAt} → ${r.finishedAt} (${formatDuration(runDuration(report))}).`, '')
  out.push(`| claim | what it says | any class | ${m.classes.join(' | ')} |`)
  out.push(`|---|---|---|${m.classes.map(() => '---|').join('')}`)
  for (const g of m.groups) for (const row of g.rows) out.push(rowMarkdown(row, m.classes))
  out.push('')

  out.push(...ioTableMarkdown(report), ...capabilityTableMarkdown(report))

  const failing = [
    ['failed', '### Failed (a Then step saw the property violated)'],
    ['broken', '### Broken (the claim never got to look: a Given or When step never came true)'],
  ] as const
  for (const [status, heading] of failing) {
    const entries = report.claims.filter((e) => e.status === status)
    if (!entries.length) continue
    out.push(heading, '')
    for (const e of entries) {
      const diag = e.diagnostics ? ` — diagnostics: \`${o.diagnosticsHref?.(e.diagnostics) ?? e.diagnostics}\`` : ''
      const step = describeFailedStep(e)
      out.push(`- ${where(e)} ${e.title}${step ? ` (${cell(step)})` : ''}: ${cell(e.reason ?? 'no reason recorded')}${diag}${e.waived ? ` — **waived**: ${cell(e.waived)}` : ''}`)
    }
    out.push('')
  }
  const skipped = report.claims.filter((e) => e.status === 'skipped')
  if (skipped.length) {
    out.push('### Skipped', '')
    for (const e of skipped) out.push(`- ${where(e)} ${e.title}: ${cell(e.reason ?? 'no reason recorded')}`)
    out.push('')
  }
  const partial = report.claims.filter((e) => e.status === 'partial')
  if (partial.length) {
    out.push('### Partial (what was checked held; a part could not be checked here)', '')
    for (const e of partial) out.push(`- ${where(e)} ${e.title}: ${cell(e.reason ?? '')}`)
    out.push('')
  }

  const timelines = report.claims.flatMap((e) => (e.timelines ?? []).map((t) => ({ e, t })))
  if (timelines.length) {
    out.push('### Timelines', '')
    for (const { e, t } of timelines) {
      const l = layoutTimeline(t)
      const verdict = l.marks.length ? (marksInOrder(l) ? ' — observed in this order' : ' — **not** observed in this order') : ''
      out.push(`${where(e)} ${t.title}${l.marks.length ? `: ${describeMarks(t)}${verdict}` : ''}`, '')
      out.push('```text', timelineText(t), '```', '')
    }
  }
  out.push('Full report: `reports/index.html` (matrix, timeline pictures, every step); machine-readable: `reports/claims.json`, `reports/junit.xml`.', '')
  return out.join('\n')
}
