// reports/history/index.html: the history (build.ts) as one self-contained page styled as index.html is:
// the breaks first, then per cluster a claim × run matrix of verdict glyphs with each row's flake rate
// and first bad run, then the runs themselves.
import type { ClaimStatus } from '../../lib/report/claims.ts'
import { reportCss } from '../../lib/report/html.ts'
import { statusMark } from '../../lib/report/matrix.ts'
import { escapeXml as esc } from '../../lib/report/timeline-svg.ts'
import { type Break, type Cell, changedBetween, describeChanged, type History, type HistoryRow, type HistoryRun, type Series } from './build.ts'

const verdicts: ClaimStatus[] = ['passed', 'partial', 'failed', 'broken', 'skipped']

const css = `
.scroll { overflow-x: auto } table.history { width: auto } table.history td, table.history th { padding: 3px 6px }
table.history td.v { text-align: center; min-width: 28px; font-weight: 700 } table.history td.none { color: var(--line) }
table.history th.run { text-align: center; font-weight: 600; font-size: 12px; white-space: nowrap } .delta { color: #bc4c00; margin-left: 2px }
table.history td.id, table.history td.class, #breaks-table td.run { white-space: nowrap } table.history td.id { font-weight: 600 } td.rate { white-space: nowrap; text-align: right } td.rate.flaky { color: var(--fail); font-weight: 600 }
td.bad { font-size: 12.5px; min-width: 260px } .glyph { display: inline-block; min-width: 22px; text-align: center; font-weight: 700; border-radius: 4px; margin-right: 4px }
.glyph.passed { background: var(--pass-bg) } .glyph.partial { background: var(--partial-bg) } .glyph.failed { background: var(--fail-bg) } .glyph.broken { background: var(--broken-bg) } .glyph.skipped { background: var(--skip-bg) }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 8px 0 } .note { background: var(--partial-bg); border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px }
dl.defs dt { font-weight: 600 } dl.defs dd { margin: 0 0 8px 0 } table.runs td { font-size: 12.5px }
`

// "2026-12-05 02:22 UTC"; the header's "12-05 02:22".
const when = (iso: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 16).replace('T', ' ')}${iso.endsWith('Z') ? ' UTC' : ''}` : iso)
const short = (iso: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? iso.slice(5, 16).replace('T', ' ') : iso)
const percent = (x: number) => `${Math.round(100 * x)} %`
const anchor = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-')
// "flake rate: among the runs …" → "Among the runs …"
const sentence = (definition: string) => definition.replace(/^[^:]+: (.)/, (_, c: string) => c.toUpperCase())
const keyText = (row: Pick<HistoryRow, 'id' | 'storageClass'>) => `${row.id}${row.storageClass ? ` [${row.storageClass}]` : ''}`

function describeRun(r: HistoryRun): string {
  return `${r.name}: started ${when(r.startedAt)}; Kubernetes ${r.cluster.version}; suite ${r.suiteVersion ?? 'not recorded'}${r.runId ? `; run ${r.runId}` : ''}; from ${r.label}`
}

function runHeader(r: HistoryRun, before: HistoryRun | undefined): string {
  const c = before ? changedBetween(before, r) : {}
  const changed = Object.keys(c).length ? describeChanged(c) : ''
  const title = `${describeRun(r)}${changed ? `; against ${before!.name}: ${changed}` : ''}`
  return `<th class="run" title="${esc(title)}">${esc(r.name)}${changed ? '<span class="delta">Δ</span>' : ''}<br><span class="muted">${esc(short(r.startedAt))}</span></th>`
}

function cellHtml(c: Cell | null, row: HistoryRow, run: HistoryRun): string {
  if (!c) return `<td class="v none" title="${esc(`${keyText(row)}, ${run.name}: not run`)}">·</td>`
  const title = `${keyText(row)}, ${run.name} (${when(run.startedAt)}): ${c.status}${c.reason ? ` — ${c.reason}` : ''}`
  return `<td class="v ${c.status}" title="${esc(title)}">${statusMark[c.status]}</td>`
}

function describeBreak(b: Break, runs: Map<string, HistoryRun>): string {
  const r = runs.get(b.run)!
  return `${b.run} (${when(r.startedAt)}) ${b.status}, after it held in ${b.after}: ${describeChanged(b.changed)}`
}

function firstBadHtml(row: HistoryRow, runs: Map<string, HistoryRun>): string {
  const b = row.breaks.at(-1)
  if (!b) return row.failingNow ? '<span class="failed">never held in these runs</span>' : '<span class="muted">—</span>'
  const since = row.failingNow ? '' : ' <span class="muted">(held again since)</span>'
  return `<span class="${b.status}">${statusMark[b.status]}</span> ${esc(describeBreak(b, runs))}${since}${row.breaks.length > 1 ? ` <span class="muted">(${row.breaks.length} breaks in all)</span>` : ''}`
}

function rateHtml(row: HistoryRow): string {
  const f = row.flake
  if (f.rate === null) return '<td class="rate muted" title="fewer than two runs gave a verdict other than skipped">—</td>'
  return `<td class="rate${f.changes ? ' flaky' : ''}" title="${f.changes} change${f.changes === 1 ? '' : 's'} in ${f.pairs} consecutive pair${f.pairs === 1 ? '' : 's'}">${percent(f.rate)} <span class="muted">(${f.changes}/${f.pairs})</span></td>`
}

function seriesHtml(s: Series, runs: Map<string, HistoryRun>): string {
  const members = s.runs.map((n) => runs.get(n)!)
  const groups = new Map<string, HistoryRow[]>()
  for (const row of s.rows) groups.set(row.id.replace(/-\d+$/, ''), [...(groups.get(row.id.replace(/-\d+$/, '')) ?? []), row])
  const body = [...groups].map(([group, rows]) => `<tr class="group"><th colspan="${members.length + 4}">${esc(group)}</th></tr>\n${rows.map((row) =>
    `<tr><td class="id" title="${esc(row.title)}">${esc(row.id)}</td><td class="class">${row.storageClass ? esc(row.storageClass) : '<span class="muted">any</span>'}</td>`
    + `${row.cells.map((c, i) => cellHtml(c, row, members[i]!)).join('')}${rateHtml(row)}<td class="bad">${firstBadHtml(row, runs)}</td></tr>`).join('\n')}`).join('\n')
  const failingNow = s.rows.filter((r) => r.failingNow).length
  const flaky = s.rows.filter((r) => r.flake.changes).length
  const first = members[0]
  const last = members.at(-1)
  return `<section class="series" id="series-${anchor(s.key)}">
<h2>${esc(s.key)}</h2>
<p class="muted">${members.length} run${members.length === 1 ? '' : 's'}${first && last ? `, ${esc(when(first.startedAt))} to ${esc(when(last.startedAt))}` : ''}; ${s.rows.length} claim × class rows: ${flaky} changed outcome, ${failingNow} failed or broken in their latest run.</p>
${members.length < 2 ? '<p class="note">One run of this cluster: each claim has one verdict here, so no flake rate and no first bad run yet.</p>' : ''}
<div class="scroll"><table class="history">
<thead><tr><th>claim</th><th>class</th>${members.map((r, i) => runHeader(r, members[i - 1])).join('')}<th>flake rate</th><th>first bad run (the latest)</th></tr></thead>
<tbody>
${body}
</tbody></table></div>
</section>`
}

function breaksHtml(h: History, runs: Map<string, HistoryRun>): string {
  const all = h.series.flatMap((s) => s.rows.flatMap((row) => row.breaks.map((b) => ({ s, row, b }))))
    .sort((x, y) => (Date.parse(runs.get(y.b.run)!.startedAt) || 0) - (Date.parse(runs.get(x.b.run)!.startedAt) || 0))
  if (!all.length) return '<p class="muted">No break: no claim failed or broke right after a run of its cluster in which it held.</p>'
  return `<table id="breaks-table"><thead><tr><th>run</th><th>cluster</th><th>claim</th><th>verdict</th><th>held in</th><th>what changed</th><th>why it failed</th></tr></thead><tbody>
${all.map(({ s, row, b }) => {
    const r = runs.get(b.run)!
    const cell = row.cells[s.runs.indexOf(b.run)]
    return `<tr><td class="mono run" title="${esc(describeRun(r))}">${esc(b.run)} <span class="muted">${esc(when(r.startedAt))}</span></td><td>${esc(s.key)}</td><td class="mono" title="${esc(row.title)}">${esc(keyText(row))}</td>`
      + `<td class="${b.status}">${statusMark[b.status]} ${b.status}</td><td class="mono">${esc(b.after)}</td><td>${esc(describeChanged(b.changed))}</td><td>${esc(cell?.reason ?? '')}</td></tr>`
  }).join('\n')}
</tbody></table>`
}

function runsHtml(h: History): string {
  const totals = (r: HistoryRun) => verdicts.map((v) => `<span class="${v}">${r.totals[v]} ${v}</span>`).join(', ')
  return `<table class="runs"><thead><tr><th>run</th><th>started</th><th>cluster</th><th>Kubernetes</th><th>suite</th><th>run ID</th><th>verdicts</th><th>read from</th></tr></thead><tbody>
${h.runs.map((r) => `<tr><td class="mono">${esc(r.name)}</td><td>${esc(when(r.startedAt))}</td><td>${esc(r.series)}<br><span class="muted mono">${esc(r.cluster.server)}</span></td><td>${esc(r.cluster.version)}</td>`
    + `<td>${r.suiteVersion ? esc(r.suiteVersion) : '<span class="muted">not recorded</span>'}</td><td class="mono">${r.runId ? esc(r.runId) : '<span class="muted">not kept</span>'}</td><td>${totals(r)}</td><td class="mono">${esc(r.label)}</td></tr>`).join('\n')}
</tbody></table>`
}

export function renderHistoryHtml(h: History): string {
  const runs = new Map(h.runs.map((r) => [r.name, r]))
  const first = h.runs[0]
  const last = h.runs.at(-1)
  const lede = `${h.runs.length} run${h.runs.length === 1 ? '' : 's'} of ${h.series.length} cluster${h.series.length === 1 ? '' : 's'}${first && last ? `, started ${when(first.startedAt)} to ${when(last.startedAt)}` : ''}`
  const few = h.runs.length < 2
    ? `<p class="note" id="few-runs">${h.runs.length ? 'Only one run' : 'No run'} was given: there is no history yet, so no flake rate and no first bad run. Give more runs: <code>npm run history -- DIR…</code>, each a reports folder, a claims.json or a folder of them.</p>`
    : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stateful conformance history: ${esc(lede)}</title>
<style>${reportCss}${css}</style>
</head>
<body>
<header>
<h1>Stateful conformance history</h1>
<p>${esc(lede)}.</p>
${few}
${h.warnings.map((w) => `<p class="note">${esc(w)}</p>`).join('\n')}
<div class="legend" id="legend">${verdicts.map((v) => `<span><span class="glyph ${v} ${v}">${statusMark[v]}</span>${v}</span>`).join('')}<span><span class="glyph muted">·</span>not run</span><span><span class="delta">Δ</span> suite or Kubernetes version changed against the cluster's run before</span></div>
<dl class="defs" id="definitions"><dt>Flake rate</dt><dd>${esc(sentence(h.definitions.flakeRate))}</dd><dt>First bad run</dt><dd>${esc(sentence(h.definitions.break))}</dd></dl>
</header>
<section id="breaks">
<h2>First bad runs, newest first</h2>
${breaksHtml(h, runs)}
</section>
${h.series.map((s) => seriesHtml(s, runs)).join('\n')}
<section id="runs">
<h2>Runs</h2>
${runsHtml(h)}
</section>
<footer>Machine-readable: <a href="history.json">history.json</a>. One run against another: <code>npm run diff -- A B</code>.</footer>
</body>
</html>
`
}
