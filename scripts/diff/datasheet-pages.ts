// diff.md and diff.html for two datasheets of one class: the run diff's pages of the class's
// claims (pages.ts), headed by the class, and then its capabilities and measured figures.
import type { Datasheet } from '../../lib/report/datasheet.ts'
import { escapeXml as esc } from '../../lib/report/timeline-svg.ts'
import { type CapabilityChange, type DatasheetDiff, describeCapabilityChange, describeFigureShift, minFigureShiftMs } from './datasheet-compare.ts'
import { asRun } from './datasheet-compare.ts'
import { md, renderDiffHtml, renderDiffMarkdown } from './pages.ts'

export interface DatasheetDiffInput {
  a: { label: string; sheet: Datasheet }
  b: { label: string; sheet: Datasheet }
  diff: DatasheetDiff
}

const percent = (x: number) => `${Math.round(100 * x)} %`
const meaning: Record<CapabilityChange['change'], string> = {
  lost: 'the class had it in A, not in B', gained: 'the class has it in B, not in A', changed: 'declared or observed differently',
  missing: 'in A, not in B', added: 'in B, not in A',
}

const thresholdLine = (d: DatasheetDiff) =>
  `a figure shifted when it moved by more than ${percent(d.run.timing.threshold)} (the claims' noise threshold above), and a time also by more than ${minFigureShiftMs / 1000} s`

function extra(d: DatasheetDiff) {
  const caps = d.capabilities
  const markdown = [
    `## Capabilities (${caps.length} changed)`, '',
    ...(caps.length ? caps.map((c) => `- **${c.change}** (${meaning[c.change]}): ${md(describeCapabilityChange(c))}`) : ['none']), '',
    `## Measured figures (${d.shifts.length} shifted)`, '',
    `${thresholdLine(d)}.`, '',
    ...(d.shifts.length ? d.shifts.map((s) => `- ${md(describeFigureShift(s))}`) : ['none']),
    ...(d.unmeasured.length ? ['', ...d.unmeasured.map((u) => `- ${md(u)}`)] : []), '',
  ]
  const colour = (c: CapabilityChange['change']) => (c === 'lost' ? '#f4b6b6' : c === 'gained' ? '#cfe8cf' : '#eeeeee')
  const side = (s: CapabilityChange['before']) => (s ? `${esc(s.declared)} / ${esc(s.observed)}` : 'absent')
  const html = `<h2>Capabilities (${caps.length} changed)</h2>
${caps.length ? `<table><tr><th>change</th><th>capability</th><th>A: declared / observed</th><th>B: declared / observed</th></tr>
${caps.map((c) => `<tr style="background:${colour(c.change)}"><td>${esc(c.change)}</td><td>${esc(c.capability)}</td><td>${side(c.before)}</td><td>${side(c.after)}</td></tr>`).join('\n')}</table>` : '<p>none</p>'}
<h2>Measured figures (${d.shifts.length} shifted)</h2>
<p>${esc(thresholdLine(d))}.</p>
${d.shifts.length ? `<ul>${d.shifts.map((s) => `<li style="background:${s.worse ? '#fff8c5' : '#ffffff'}">${esc(describeFigureShift(s))}</li>`).join('')}</ul>` : '<p>none</p>'}
${d.unmeasured.length ? `<ul class="muted">${d.unmeasured.map((u) => `<li>${esc(u)}</li>`).join('')}</ul>` : ''}`
  return { markdown, html }
}

const asRunInput = ({ a, b, diff }: DatasheetDiffInput) => ({
  a: { label: a.label, report: asRun(a.sheet) }, b: { label: b.label, report: asRun(b.sheet) }, diff: diff.run,
  title: `Datasheet diff: storage class ${diff.storageClass}`, extra: extra(diff),
})

export const renderDatasheetDiffMarkdown = (input: DatasheetDiffInput) => renderDiffMarkdown(asRunInput(input))
export const renderDatasheetDiffHtml = (input: DatasheetDiffInput) => renderDiffHtml(asRunInput(input))
