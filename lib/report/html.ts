// reports/index.html: one self-contained page (inline CSS and SVG, nothing
// fetched) a person reads after a run: the cluster, the claims matrix
// (claim × storage class), a picture of every attached timeline, and each
// claim's steps. Failed and broken claims link their diagnostics directory.
import { capabilityTableHtml } from './capability-table.ts'
import { describeFailedStep, describeMeasurements, describeTotals, type ClaimEntry, type ClaimsReport } from './claims.ts'
import { ioSectionHtml } from './io-chart.ts'
import { claimMatrix, entryAnchor, formatDuration, type MatrixRow, runDuration, statusMark, worst } from './matrix.ts'
import { layoutTimeline, marksInOrder, since } from './timeline-layout.ts'
import { escapeXml as esc, timelineSvg } from './timeline-svg.ts'

export interface HtmlOptions {
  // Turns a diagnostics directory (as claims.json has it) into a link relative to the page.
  diagnosticsHref?: (dir: string) => string
}

export const reportCss = `
:root { color-scheme: light; --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --skip: #57606a; --skip-bg: #eaeef2; --partial: #7d4e00; --partial-bg: #fff8c5; --broken: #8250df; --broken-bg: #fbefff; --line: #d0d7de; --muted: #57606a }
* { box-sizing: border-box }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 ui-sans-serif, system-ui, "DejaVu Sans", sans-serif; color: #24292f; background: #fff }
h1 { font-size: 22px; margin: 0 0 4px } h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line) }
h3 { font-size: 15px; margin: 20px 0 6px }
a { color: #0969da } code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px }
.muted { color: var(--muted) }
.totals { display: flex; gap: 8px; margin: 12px 0 } .totals span { padding: 3px 10px; border-radius: 12px; font-weight: 600 }
.passed { color: var(--pass) } .partial { color: var(--partial) } .failed { color: var(--fail) } .broken { color: var(--broken) } .skipped { color: var(--skip) }
.totals .passed, td.passed { background: var(--pass-bg) } .totals .failed, td.failed { background: var(--fail-bg) } .totals .skipped, td.skipped { background: var(--skip-bg) } .totals .partial, td.partial { background: var(--partial-bg) } .totals .broken, td.broken { background: var(--broken-bg) }
dl.cluster { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0 } dl.cluster dt { color: var(--muted) } dl.cluster dd { margin: 0 }
table { border-collapse: collapse; width: 100% } th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top }
th { background: #f6f8fa; font-weight: 600 } tr.group th { background: #eaeef2; font-size: 13px }
table.matrix td.id { white-space: nowrap; font-weight: 600 } table.matrix td.id a { color: inherit; text-decoration: none }
td.cell { min-width: 150px } td.cell .status { font-weight: 600 } td.cell .dur { color: var(--muted); font-size: 12px; margin-left: 6px }
td.cell .reason { font-size: 12.5px; margin-top: 3px; overflow-wrap: anywhere } td.cell .links { font-size: 12.5px; margin-top: 3px }
td.cell + td.cell { border-left: 1px solid var(--line) } .any { color: var(--muted); font-size: 12px; margin-left: 6px }
figure { margin: 16px 0 28px } figcaption { margin-bottom: 6px } .order { margin: 4px 0 8px; padding-left: 22px } .order li { margin: 1px 0 }
.verdict { font-weight: 600 } svg.timeline { display: block; width: 100%; max-width: 1180px; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff }
details { margin: 6px 0 } details > summary { cursor: pointer } details.claim { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px }
details.claim > summary { font-weight: 600 } table.steps { margin: 8px 0; font-size: 13px } table.steps td.kw { font-weight: 600; width: 60px }
table.steps td.d { white-space: nowrap; width: 80px; text-align: right } table.events { font-size: 12.5px; width: auto } table.events td { padding: 2px 8px }
svg.io { display: block; width: 100%; max-width: 1180px; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff }
table.caps td { font-size: 12.5px } table.caps td.yes { background: var(--pass-bg) } table.caps td.no { background: var(--skip-bg) }
.notes { margin: 4px 0 0 0; padding-left: 20px; font-size: 13px } footer { margin-top: 40px; color: var(--muted); font-size: 12.5px }
`

// colspan: a claim that does not depend on the class fills the row's class columns.
function cellHtml(entries: ClaimEntry[] | undefined, o: HtmlOptions, colspan = 1): string {
  if (!entries?.length) return '<td class="cell none"><span class="muted">not run</span></td>'
  const status = worst(entries)
  const parts = entries.map((e) => {
    const waived = e.waived ? `<div class="reason"><b>waived</b> (the run accepts it): ${esc(e.waived.length > 300 ? `${e.waived.slice(0, 300)}…` : e.waived)}</div>` : ''
    const step = describeFailedStep(e)
    const text = [step, e.reason ?? ''].filter(Boolean).join(': ')
    const reason = waived + (e.status !== 'passed' && text ? `<div class="reason">${esc(text.length > 300 ? `${text.slice(0, 300)}…` : text)}</div>` : '')
    const said = e.status === 'passed' || e.status === 'partial' ? [describeMeasurements(e.measurements), ...(e.notes ?? [])].filter(Boolean) : []
    const notes = said.length ? `<div class="reason muted">${esc(said.join('; '))}</div>` : ''
    const links = [
      e.diagnostics ? `<a href="${esc(o.diagnosticsHref?.(e.diagnostics) ?? e.diagnostics)}">diagnostics</a>` : '',
      e.timelines?.length ? `<a href="#timeline-${entryAnchor(e)}-0">timeline</a>` : '',
      `<a href="#${entryAnchor(e)}">steps</a>`,
    ].filter(Boolean).join(' · ')
    return `<span class="status ${e.status}">${statusMark[e.status]} ${e.status}</span><span class="dur">${formatDuration(e.durationMs)}</span>${colspan > 1 ? '<span class="any">(any class)</span>' : ''}${reason}${notes}<div class="links">${links}</div>`
  })
  return `<td class="cell ${status}"${colspan > 1 ? ` colspan="${colspan}"` : ''}>${parts.join('<hr>')}</td>`
}

function rowHtml(row: MatrixRow, classes: string[], o: HtmlOptions): string {
  const head = `<td class="id ${row.status}"><a href="#${entryAnchor({ id: row.id, storageClass: row.perClass ? classes.find((c) => row.cells.has(c)) ?? null : null })}">${esc(row.id)}</a></td><td>${esc(row.title)}</td>`
  if (!row.perClass || !classes.length) return `<tr>${head}${cellHtml([...row.cells.values()].flat(), o, Math.max(1, classes.length))}</tr>`
  return `<tr>${head}${classes.map((c) => cellHtml(row.cells.get(c), o)).join('')}</tr>`
}

function matrixHtml(report: ClaimsReport, o: HtmlOptions): string {
  const m = claimMatrix(report)
  const cols = Math.max(1, m.classes.length)
  const header = `<tr><th>claim</th><th>what it says</th>${m.classes.length ? m.classes.map((c) => `<th>${esc(c)}</th>`).join('') : '<th>result</th>'}</tr>`
  const body = m.groups.map((g) => `<tr class="group"><th colspan="${cols + 2}">${esc(g.group)}</th></tr>\n${g.rows.map((r) => rowHtml(r, m.classes, o)).join('\n')}`).join('\n')
  return `<table class="matrix" id="matrix-table">\n<thead>${header}</thead>\n<tbody>\n${body}\n</tbody>\n</table>
<p class="muted">Claims that depend on the storage class ran once per class (a column each); the others ran once, for the whole row.</p>`
}

function timelinesHtml(report: ClaimsReport): string {
  const figures = report.claims.flatMap((e) => (e.timelines ?? []).map((t, i) => {
    const l = layoutTimeline(t)
    const id = `timeline-${entryAnchor(e)}-${i}`
    const order = l.marks.length
      ? `<ol class="order">${l.marks.map((m) => `<li>${esc(m.label)} <span class="muted">${m.event ? since(m.event.at - l.start) : 'never observed'}</span></li>`).join('')}</ol>
<div class="verdict ${marksInOrder(l) ? 'passed' : 'failed'}">${marksInOrder(l) ? '✓ observed in this order' : '✗ not observed in this order'}</div>`
      : ''
    const events = `<details><summary>all ${t.events.length} events${t.omitted ? ` (${t.omitted} more left out)` : ''}</summary><table class="events">${
      [...t.events].sort((a, b) => a.seq - b.seq).map((ev) => `<tr><td class="mono">${since(ev.at - l.start)}</td><td class="mono">${esc(ev.pod)}</td><td>${esc(ev.kind)}</td><td>${ev.incarnation}</td><td class="mono">${esc(ev.uid)}</td><td class="mono">${esc(ev.revision ?? '')}</td></tr>`).join('')}</table></details>`
    return `<figure id="${id}">
<figcaption><a href="#${entryAnchor(e)}"><b>${esc(e.id)}</b></a>${e.storageClass ? ` [${esc(e.storageClass)}]` : ''} <span class="status ${e.status}">${statusMark[e.status]} ${e.status}</span> — ${esc(e.title)}<br><span class="muted">${esc(t.title)}</span></figcaption>
${order}
${timelineSvg(t, id)}
${events}
</figure>`
  }))
  return figures.length ? figures.join('\n') : '<p class="muted">No test attached a timeline in this run.</p>'
}

function claimDetailsHtml(e: ClaimEntry, o: HtmlOptions): string {
  const steps = e.steps?.length
    ? `<table class="steps">${e.steps.map((s) => `<tr><td class="kw">${esc(s.keyword)}</td><td>${esc(s.title)}</td><td class="d">${formatDuration(s.durationMs)}</td><td class="${s.status === 'passed' ? 'passed' : 'failed'}">${s.status === 'passed' ? '✓' : '✗'}</td></tr>`).join('')}</table>`
    : '<p class="muted">no steps recorded</p>'
  const heading = { failed: 'The property did not hold', broken: 'The claim never got to look', partial: 'Only in part', skipped: 'Why it was skipped', passed: '' }[e.status]
  const step = describeFailedStep(e)
  const reason = (e.reason ? `<p class="${e.status}"><b>${heading}${step ? ` (${esc(step)})` : ''}:</b> ${esc(e.reason)}</p>` : '') +
    (e.waived ? `<p><b>Waived on this cluster</b> (SC_WAIVERS; the run does not fail on it): ${esc(e.waived)}</p>` : '')
  const notes = e.notes?.length ? `<ul class="notes">${e.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''
  const diag = e.diagnostics ? `<p>Diagnostics (events, pods, claims, logs, timelines): <a href="${esc(o.diagnosticsHref?.(e.diagnostics) ?? e.diagnostics)}">${esc(o.diagnosticsHref?.(e.diagnostics) ?? e.diagnostics)}</a></p>` : ''
  return `<details class="claim" id="${entryAnchor(e)}"${e.status === 'failed' || e.status === 'broken' ? ' open' : ''}><summary><span class="${e.status}">${statusMark[e.status]}</span> ${esc(e.id)}${e.storageClass ? ` [${esc(e.storageClass)}]` : ''} — ${esc(e.title)} <span class="muted">(${formatDuration(e.durationMs)})</span></summary>
${reason}${steps}${notes}${diag}</details>`
}

export function renderHtmlReport(report: ClaimsReport, o: HtmlOptions = {}): string {
  const r = report.run
  const s = report.summary
  const title = `Stateful conformance: ${describeTotals(s).replace(/^claims: /, '')}`
  const cluster = [
    ['server', `<code>${esc(r.cluster.server)}</code>${r.cluster.context ? ` (context <code>${esc(r.cluster.context)}</code>)` : ''}${r.cluster.embedded ? ' — the embedded cluster' : ''}`],
    ['Kubernetes', esc(r.cluster.version)],
    ['nodes', String(r.cluster.nodes)],
    ['storage classes', r.storageClasses?.length ? r.storageClasses.map((c) => `<code>${esc(c)}</code>`).join(', ') : '<span class="muted">unknown</span>'],
    ['run', `${esc(r.startedAt)} → ${esc(r.finishedAt)} (${formatDuration(runDuration(report))})`],
  ]
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${reportCss}</style>
</head>
<body>
<header>
<h1>Stateful conformance report</h1>
<div class="totals" id="totals"><span class="passed">${s.passed} passed</span><span class="partial">${s.partial} partial</span><span class="failed">${s.failed} failed</span><span class="broken">${s.broken ?? 0} broken</span>${s.waived ? `<span class="muted">(${s.waived} waived)</span>` : ''}<span class="skipped">${s.skipped} skipped</span></div>
<dl class="cluster" id="cluster">${cluster.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
</header>
<section id="matrix">
<h2>Claims × storage class</h2>
${matrixHtml(report, o)}
</section>
<section id="capabilities">
<h2>Storage classes: what they declare and what the probe saw</h2>
${capabilityTableHtml(report)}
</section>
<section id="io">
<h2>I/O performance per class (SC-10)</h2>
${ioSectionHtml(report)}
</section>
<section id="timelines">
<h2>Timelines</h2>
<p class="muted">Pod events as the watch delivered them (the API server's commit order): one lane per pod, one bar per incarnation, coloured by phase. Numbered badges mark the events a claim puts in order.</p>
${timelinesHtml(report)}
</section>
<section id="claims">
<h2>Claims, step by step</h2>
${report.claims.map((e) => claimDetailsHtml(e, o)).join('\n')}
</section>
<footer>Machine-readable: <a href="claims.json">claims.json</a>, <a href="junit.xml">junit.xml</a>. Generated ${esc(r.finishedAt)}.</footer>
</body>
</html>
`
}
