// The fleet's index.html and fleet.md: the clusters, then one matrix of claims × cluster × storage
// class in the five verdicts as each run's own report shows them, each cell linking to the claim in
// that cluster's report; a cluster without a report is a column that says why.
import { describeTotals } from '../../lib/report/claims.ts'
import { reportCss } from '../../lib/report/html.ts'
import { statusIcon } from '../../lib/report/markdown.ts'
import { formatDuration, statusMark } from '../../lib/report/matrix.ts'
import { escapeXml as esc } from '../../lib/report/timeline-svg.ts'
import { md } from '../diff/pages.ts'
import { describeFleet, type FleetCell, type FleetCluster, type FleetReport, type FleetRow } from './merge.ts'

// A reported cluster has a column per storage class (one when it names none); any other, one.
const widthOf = (c: FleetCluster) => (c.state === 'reported' ? Math.max(1, c.classes.length) : 1)

const fleetCss = `
table.fleet th.cluster { text-align: center; border-bottom-width: 2px } table.fleet th.cluster.none { background: var(--fail-bg); max-width: 280px; text-align: left; font-weight: 400 }
table.fleet th.cluster .reason, table.clusters .reason { font-size: 12.5px; overflow-wrap: anywhere } table.fleet th.class { font-weight: 400; font-size: 12.5px; text-align: center }
table.fleet td.cell { min-width: 96px; white-space: nowrap } table.fleet td.cell a { color: inherit; text-decoration: none } table.fleet td.cell .reason { white-space: normal; max-width: 260px }
table.fleet td.none { background: #fafbfc } p.headline { font-size: 15px; margin: 6px 0 12px } td.bad { background: var(--fail-bg) }
`

function cellHtml(cell: FleetCell | undefined, colspan: number, anyClass: boolean): string {
  const span = colspan > 1 ? ` colspan="${colspan}"` : ''
  if (!cell) return `<td class="cell none"${span}><span class="muted">not run</span></td>`
  const shown = cell.status === 'failed' || cell.status === 'broken' ? cell.reason : undefined
  const title = [cell.reason, cell.waived ? `waived: ${cell.waived}` : ''].filter(Boolean).join(' — ')
  return `<td class="cell ${cell.status}"${span}><a href="${esc(cell.href)}"${title ? ` title="${esc(title)}"` : ''}><span class="status ${cell.status}">${statusMark[cell.status]} ${cell.status}</span></a>`
    + `${anyClass ? '<span class="any">(any class)</span>' : ''}${cell.waived ? '<span class="any">waived</span>' : ''}`
    + `${shown ? `<div class="reason">${esc(shown.length > 120 ? `${shown.slice(0, 120)}…` : shown)}</div>` : ''}</td>`
}

function rowHtml(row: FleetRow, clusters: FleetCluster[]): string {
  const cells = clusters.map((c) => {
    if (c.state !== 'reported') return '<td class="cell none"><span class="muted">—</span></td>'
    const mine = row.byCluster[c.label]
    if (!mine) return cellHtml(undefined, widthOf(c), false)
    if ('' in mine) return cellHtml(mine[''], widthOf(c), c.classes.length > 1)
    return c.classes.length ? c.classes.map((cls) => cellHtml(mine[cls], 1, false)).join('') : cellHtml(Object.values(mine)[0], 1, false)
  })
  return `<tr><td class="id">${esc(row.id)}</td><td>${esc(row.title)}</td>${cells.join('')}</tr>`
}

const reportLink = (c: FleetCluster) => (c.report ? `<a href="${esc(c.report)}">${esc(c.label)}</a>` : esc(c.label))

function matrixHtml(f: FleetReport): string {
  const top = f.clusters.map((c) => (c.state === 'reported'
    ? `<th class="cluster" colspan="${widthOf(c)}">${reportLink(c)}${c.reason ? `<div class="reason failed">${esc(c.reason)}</div>` : ''}</th>`
    : `<th class="cluster none" rowspan="2">${esc(c.label)}<div class="reason"><b class="failed">${esc(c.state)}:</b> ${esc(c.reason ?? '')}</div></th>`)).join('')
  const classes = f.clusters.filter((c) => c.state === 'reported')
    .map((c) => (c.classes.length ? c.classes.map((cls) => `<th class="class">${esc(cls)}</th>`).join('') : '<th class="class">result</th>')).join('')
  const width = 2 + f.clusters.reduce((n, c) => n + widthOf(c), 0)
  const body = f.groups.map((g) => `<tr class="group"><th colspan="${width}">${esc(g.group)}</th></tr>\n${g.rows.map((r) => rowHtml(r, f.clusters)).join('\n')}`).join('\n')
  return `<table class="matrix fleet" id="fleet-matrix">
<thead><tr><th rowspan="2">claim</th><th rowspan="2">what it says</th>${top}</tr>
<tr>${classes}</tr></thead>
<tbody>
${body || `<tr><td colspan="${width}" class="muted">No cluster reported a claim.</td></tr>`}
</tbody>
</table>
<p class="muted">Each cell links to the claim in that cluster's own report. A claim that does not depend on the storage class ran once per cluster, across its class columns.</p>`
}

function clustersHtml(f: FleetReport): string {
  const rows = f.clusters.map((c) => {
    const t = c.totals
    const verdicts = t
      ? `<span class="passed">${t.passed} passed</span>, <span class="partial">${t.partial} partial</span>, <span class="failed">${t.failed} failed</span>, <span class="broken">${t.broken} broken</span>${t.waived ? ` (${t.waived} waived)` : ''}, <span class="skipped">${t.skipped} skipped</span>`
      : ''
    const said = c.reason ? `<div class="reason"><b class="failed">${esc(c.state === 'reported' ? 'but' : c.state)}:</b> ${esc(c.reason)}</div>` : ''
    return `<tr><td>${reportLink(c)}</td><td>${esc(c.target)}</td><td class="${c.ok ? '' : 'bad'}">${verdicts}${said}</td>`
      + `<td>${c.server ? `<code>${esc(c.server)}</code>` : ''}</td><td>${esc(c.version ?? '')}</td><td>${c.classes.map((x) => `<code>${esc(x)}</code>`).join(', ')}</td><td>${formatDuration(c.durationMs)}</td></tr>`
  })
  return `<table class="clusters" id="clusters-table"><tr><th>cluster</th><th>what ran</th><th>verdicts</th><th>server</th><th>Kubernetes</th><th>storage classes</th><th>took</th></tr>\n${rows.join('\n')}</table>`
}

export function renderFleetHtml(f: FleetReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Stateful conformance, fleet: ${describeFleet(f)}`)}</title>
<style>${reportCss}${fleetCss}</style>
</head>
<body>
<header>
<h1>Stateful conformance across a fleet</h1>
<p class="headline" id="headline">${esc(describeFleet(f))}</p>
</header>
<section id="clusters">
<h2>Clusters</h2>
${clustersHtml(f)}
</section>
<section id="matrix">
<h2>Claims × cluster × storage class</h2>
${matrixHtml(f)}
</section>
<footer>Machine-readable: <a href="fleet.json">fleet.json</a>; each cluster's own reports in its folder. Run ${esc(f.startedAt)} → ${esc(f.finishedAt)}.</footer>
</body>
</html>
`
}

function cellMarkdown(cell: FleetCell | undefined, anyClass: boolean): string {
  if (!cell) return 'not run'
  return `[${statusIcon[cell.status]} ${cell.status}](${cell.href})${anyClass ? ' (any class)' : ''}${cell.waived ? ' (waived)' : ''}`
}

function rowMarkdown(row: FleetRow, clusters: FleetCluster[]): string {
  const cells = clusters.flatMap((c) => {
    if (c.state !== 'reported') return ['—']
    const mine = row.byCluster[c.label]
    const empty = Array<string>(widthOf(c) - 1).fill('')
    if (!mine) return ['not run', ...empty]
    if ('' in mine) return [cellMarkdown(mine[''], c.classes.length > 1), ...empty]
    return c.classes.length ? c.classes.map((cls) => cellMarkdown(mine[cls], false)) : [cellMarkdown(Object.values(mine)[0], false)]
  })
  return `| ${row.id} | ${md(row.title)} | ${cells.join(' | ')} |`
}

export function renderFleetMarkdown(f: FleetReport): string {
  const heads = f.clusters.flatMap((c) => (c.state !== 'reported' ? [`${md(c.label)}: ${md(c.state)}`]
    : c.classes.length ? c.classes.map((cls) => `${md(c.label)}: ${md(cls)}`) : [md(c.label)]))
  const clusterRows = f.clusters.map((c) => {
    const result = [c.totals ? describeTotals(c.totals).replace(/^claims: /, '') : '', c.reason ? `**${c.state === 'reported' ? 'but' : c.state}**: ${md(c.reason)}` : ''].filter(Boolean).join('; ')
    return `| ${c.report ? `[${md(c.label)}](${c.report})` : md(c.label)} | ${md(c.target)} | ${result} | ${c.server ? `\`${c.server}\`` : ''} | ${c.version ?? ''} | ${c.classes.join(', ')} | ${formatDuration(c.durationMs)} |`
  })
  const failing = f.failing.map((x) => {
    const row = f.groups.flatMap((g) => g.rows).find((r) => r.id === x.id)
    const cell = row?.byCluster[x.cluster]?.[x.storageClass ?? '']
    return `- **${x.id}**${x.storageClass ? ` [${md(x.storageClass)}]` : ''} on ${md(x.cluster)}: ${x.status}${cell?.reason ? ` — ${md(cell.reason)}` : ''}${cell ? ` ([report](${cell.href}))` : ''}`
  })
  return [
    `## Stateful conformance across a fleet: ${md(describeFleet(f))}`,
    '',
    '| cluster | what ran | verdicts | server | Kubernetes | storage classes | took |',
    '|---|---|---|---|---|---|---|',
    ...clusterRows,
    '',
    `| claim | what it says | ${heads.join(' | ')} |`,
    `|---|---|${heads.map(() => '---|').join('')}`,
    ...f.groups.flatMap((g) => g.rows.map((r) => rowMarkdown(r, f.clusters))),
    '',
    ...(failing.length ? ['### Failed or broken', '', ...failing, ''] : []),
    `Run ${f.startedAt} → ${f.finishedAt}. Each cluster's own reports are in its folder; machine-readable: \`fleet.json\`.`,
    '',
  ].join('\n')
}
