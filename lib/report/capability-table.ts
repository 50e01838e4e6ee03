// The capability table of both reports: one row per storage class, one column
// per capability the probe declared or saw (lib/storage/advanced.ts capabilityRow),
// each cell with its evidence as a tooltip (HTML) or left out (Markdown).
import { capabilityRow } from '../storage/advanced.ts'
import type { ClaimsReport } from './claims.ts'
import { escapeXml as esc } from './timeline-svg.ts'

const good = new Set(['accepted', 'allowed', 'applied'])
const bad = new Set(['refused', 'not allowed', 'not applied', 'API not served', 'no class'])
const tone = (value: string) => (good.has(value) ? 'yes' : bad.has(value) ? 'no' : '')

const rowsOf = (report: ClaimsReport) => Object.values(report.run.capabilities ?? {}).map(capabilityRow)

export function capabilityTableHtml(report: ClaimsReport): string {
  const rows = rowsOf(report)
  if (!rows.length) return '<p class="muted">No capabilities were recorded for this run.</p>'
  const columns = Object.keys(rows[0]!.cells)
  return `<table class="caps"><thead><tr><th>class</th>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr><td class="mono">${esc(r.storageClass)}</td>${columns.map((c) => {
    const cell = r.cells[c]!
    return `<td class="${tone(cell.value)}" title="${esc(cell.detail)}">${esc(cell.value)}</td>`
  }).join('')}</tr>`).join('\n')}
</tbody></table>
<p class="muted">Declared by the StorageClass and its CSIDriver, or seen by the probe at the start of the run (small claims, deleted at once); hover a cell for the evidence. A claim that needs what a class lacks is skipped naming it.</p>`
}

export function capabilityTableMarkdown(report: ClaimsReport): string[] {
  const rows = rowsOf(report)
  if (!rows.length) return []
  const columns = Object.keys(rows[0]!.cells)
  return ['### Storage-class capabilities', '', `| class | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`,
    ...rows.map((r) => `| ${r.storageClass} | ${columns.map((c) => r.cells[c]!.value.replace(/\|/g, '\\|')).join(' | ')} |`), '']
}
