// reports/sensitivity.html: one self-contained page, the claims × faults matrix,
// per fault its time to verdict and what differed from the catalogue, the property
// and detection scores.
import { formatDuration } from '../../lib/report/matrix.ts'
import { kindOf } from './fault-claims.ts'
import { type Cell, type FaultResult, type MatrixCell, withinBound } from './matrix.ts'
import { describeScore, type Score, type SensitivityReport } from './scores.ts'
import { escapeXml as esc } from '../../lib/report/timeline-svg.ts'

const cellStyle: Record<Cell, { mark: string; color: string }> = {
  'expected failure': { mark: '✗', color: '#cfe8cf' },
  failed: { mark: '✗?', color: '#e8efcf' },
  passed: { mark: '✓', color: '#ffffff' },
  partial: { mark: '◐', color: '#fff8c5' },
  'unexpected failure': { mark: '✗!', color: '#f4b6b6' },
  missed: { mark: '✓!', color: '#f4d6a0' },
  skipped: { mark: '–', color: '#eeeeee' },
}

const legend: Record<Cell, string> = {
  'expected failure': 'failed, as the catalogue says it must',
  failed: 'failed where the catalogue allows it (timing decides)',
  passed: 'held, and the fault should leave it alone',
  partial: 'held in part: a part was not checked (named in its reason), so not counted as held',
  'unexpected failure': 'failed where the fault should leave it alone',
  missed: 'held although the fault must break it: the suite did not notice',
  skipped: 'skipped: no verdict',
}

// A reclassified cell: judged again from a stored run against a catalogue entry edited since.
const reclassifiedMark = '↺'
const reclassifiedNote = (c: MatrixCell) => (c.reclassified ? ` (reclassified from the stored run, which was judged ${c.reclassified.ranAs}; not re-run)` : '')
const reclassifiedFault = (f: FaultResult) => (f.reclassifiedAgainst ? `judged from the stored run against a catalogue entry ${f.expectation ? 'edited since' : 'the run did not store'}: not re-run` : '')

export const scoreLines = (r: SensitivityReport) => [
  { s: r.property, line: describeScore('Property score', r.property, 'mutant'), what: 'claims some semantic mutant (a component alive but wrong) made fail in their own Then or And step' },
  { s: r.detection, line: describeScore('Detection score', r.detection, 'component'), what: 'claims some component fault made fail or broken, with a message naming the component' },
]

// The claims a score does not count, grouped by why (with no mutant run, one line says it for all).
const missingByReason = (s: Score) => [...new Set(s.missing.map((u) => u.reason))].map((reason) => ({ reason, ids: s.missing.filter((u) => u.reason === reason).map((u) => u.id) }))
const missingHtml = (s: Score) => missingByReason(s).map((g) => `<li><b>${esc(g.ids.join(', '))}</b>: ${esc(g.reason)}</li>`).join('') || '<li>none</li>'
const missingMarkdown = (s: Score) => missingByReason(s).map((g) => `**${g.ids.join(', ')}** (${g.reason})`).join('; ') || 'none'

// The matrix's rows: each claim on each class it ran on, under any fault.
const rowOf = (c: MatrixCell) => `${c.id}${c.storageClass ? ` [${c.storageClass}]` : ''}`
const matrixRows = (r: SensitivityReport) => [...new Set(r.faults.flatMap((f) => f.cells.map(rowOf)))].sort()
const cellOf = (fault: FaultResult, row: string) => fault.cells.find((c) => rowOf(c) === row)

export function renderSensitivityHtml(r: SensitivityReport): string {
  const rows = matrixRows(r)
  const head = r.faults.map((f) => `<th title="${esc(f.breaks)}">${esc(f.name)}</th>`).join('')
  const body = rows.map((row) => `<tr><th>${esc(row)}</th>${r.faults.map((f) => {
    const c = cellOf(f, row)
    if (!c) return '<td class="none"></td>'
    const s = cellStyle[c.cell]
    return `<td style="background:${s.color}" title="${esc(`${c.cell}${reclassifiedNote(c)}${c.reason ? `: ${c.reason.split('\n')[0]}` : ''}`)}">${s.mark}${c.reclassified ? reclassifiedMark : ''}</td>`
  }).join('')}</tr>`).join('\n')
  const perFault = r.faults.map((f) => {
    const bound = withinBound(f)
    return `<tr><td>${esc(f.name)}</td><td>${kindOf(f)}</td><td>${esc(f.component)}</td><td>${formatDuration(f.verdictMs)}</td>`
      + `<td>${f.baselineMs ? `${formatDuration(2 * f.baselineMs)} ${bound ? '✓' : '✗'}` : 'no healthy run measured'}</td>`
      + `<td>${f.deviations.length ? `<ul>${f.deviations.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : f.error ? esc(f.error) : 'as the catalogue says'}${f.reclassifiedAgainst ? `<br><i>${esc(reclassifiedFault(f))}</i>` : ''}</td>`
      + `<td>${f.healthyAfter ? 'yes' : `no: ${esc(f.healthNote ?? '')}`}</td><td>${esc(f.startedAt)}</td></tr>`
  }).join('\n')
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sensitivity: the suite under injected faults</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:center}
th{background:#f6f6f6}td.none{background:#fafafa}.faults td{text-align:left;vertical-align:top}</style></head><body>
<h1>Sensitivity: the suite under injected faults</h1>
<p>Cluster: ${esc(r.cluster)}. Written ${esc(r.generatedAt)}.</p>
${scoreLines(r).map((x) => `<p><b>${esc(x.line)}</b>: ${esc(x.what)}.</p>`).join('\n')}
<h2>Faults</h2>
<table class="faults"><tr><th>fault</th><th>kind</th><th>component</th><th>time to verdict</th><th>bound (2 × healthy)</th><th>against the catalogue</th><th>healthy after restore</th><th>run at</th></tr>
${perFault}</table>
<h2>Claims × faults</h2>
<p>${(Object.keys(cellStyle) as Cell[]).map((c) => `<span style="background:${cellStyle[c].color};border:1px solid #ccc;padding:0 4px">${cellStyle[c].mark}</span> ${esc(c)}: ${esc(legend[c])}`).join(' &nbsp; ')} &nbsp; ${reclassifiedMark}: reclassified from a stored run against a catalogue entry edited since, not re-run</p>
<table><tr><th>claim</th>${head}</tr>
${body}</table>
<h2>Not counted by the property score</h2>
<ul>${missingHtml(r.property)}</ul>
<h2>Not counted by the detection score</h2>
<ul>${missingHtml(r.detection)}</ul>
</body></html>
`
}

// reports/sensitivity.md: the per-fault table and the score, for a README, a job summary or a PR comment.
export function renderSensitivityMarkdown(r: SensitivityReport): string {
  const count = (f: SensitivityReport['faults'][number], ...cells: Cell[]) => f.cells.filter((c) => cells.includes(c.cell)).length
  const rows = r.faults.map((f) => `| ${f.name} | ${kindOf(f)} | ${count(f, 'expected failure', 'failed')} | ${count(f, 'passed')} | ${count(f, 'partial')} | ${formatDuration(f.verdictMs)} | `
    + `${f.baselineMs ? `${formatDuration(2 * f.baselineMs)} ${withinBound(f) ? '✓' : '✗'}` : '–'} | `
    + `${f.deviations.length ? `✗ ${f.deviations.length} deviation${f.deviations.length > 1 ? 's' : ''}` : f.error ? `✗ ${f.error.split('\n')[0]}` : 'as the catalogue says'}${f.healthyAfter ? '' : ', not healthy after'}${f.reclassifiedAgainst ? `; ${reclassifiedFault(f)}` : ''} |`)
  return [
    ...scoreLines(r).map((x) => `**${x.line}**: ${x.what}.`),
    '',
    `Cluster: ${r.cluster}; written ${r.generatedAt}.`,
    '',
    '| fault | kind | broke (as expected or allowed) | held | partial (not all checked) | time to verdict | bound (2 × healthy) | against the catalogue |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Claims × faults (${(Object.keys(cellStyle) as Cell[]).map((c) => `${cellStyle[c].mark} ${c}`).join(', ')}; ${reclassifiedMark} reclassified from a stored run, not re-run):`,
    '',
    `| claim | ${r.faults.map((f) => f.name).join(' | ')} |`,
    `|---|${r.faults.map(() => '---|').join('')}`,
    ...matrixRows(r).map((row) => `| ${row} | ${r.faults.map((f) => {
      const c = cellOf(f, row)
      return c ? `${cellStyle[c.cell].mark}${c.reclassified ? reclassifiedMark : ''}` : ''
    }).join(' | ')} |`),
    '',
    `Not counted by the property score: ${missingMarkdown(r.property)}.`,
    '',
    `Not counted by the detection score: ${missingMarkdown(r.detection)}.`,
    '',
  ].join('\n')
}
