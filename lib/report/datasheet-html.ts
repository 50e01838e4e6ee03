// reports/datasheets/<class>.html: a class's datasheet (datasheet.ts) as one self-contained page,
// styled as index.html is, every figure from the JSON beside it.
import type { IoFigures } from '../apps/fio.ts'
import { describeTotals } from './claims.ts'
import { type CapabilityLine, type Datasheet, datasheetFileName, type TimingSeries } from './datasheet.ts'
import { reportCss } from './html.ts'
import { formatDuration, statusMark } from './matrix.ts'
import { escapeXml as esc } from './timeline-svg.ts'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(n))

function capabilityRows(lines: CapabilityLine[]): string {
  const tone = (h: boolean | null) => (h === true ? 'yes' : h === false ? 'no' : '')
  return lines.map((l) => `<tr><td>${esc(l.capability)}</td><td>${esc(l.declared)}</td><td title="${esc(l.detail)}">${esc(l.observed)}</td>`
    + `<td class="${tone(l.holds)}" title="${esc(l.detail)}">${l.holds === true ? 'yes' : l.holds === false ? 'no' : '<span class="muted">—</span>'}</td>`
    + `<td>${l.checkedBy.length ? l.checkedBy.map((c) => `<span class="${c.status === 'not run' ? 'muted' : c.status}">${esc(c.id)} ${c.status === 'not run' ? 'not run' : `${statusMark[c.status]} ${c.status}`}</span>`).join(', ') : '<span class="muted">no claim</span>'}</td></tr>`).join('\n')
}

function timingRow(what: string, t: TimingSeries): string {
  const p = t.percentiles
  if (!p) return `<tr><td>${what}</td><td colspan="5" class="muted">not recorded</td></tr>`
  return `<tr><td>${what}</td><td>${p.n}</td><td class="nowrap">${seconds(p.p50)}</td><td class="nowrap">${seconds(p.p90)}</td><td class="nowrap">${seconds(p.max)}</td><td class="muted">${esc(t.samples.map((s) => `${s.source} ${seconds(s.ms)}`).join('; '))}</td></tr>`
}

function ioTable(io: IoFigures): string {
  const rows: [string, string][] = [
    ['sequential write (1 MiB)', `${fmt(io.seqWriteMiBps)} MiB/s`],
    ['sequential read (1 MiB)', `${fmt(io.seqReadMiBps)} MiB/s`],
    ['4 KiB random read', `${fmt(io.randReadIops)} IOPS, latency p50 ${fmt(io.randReadLatencyUs.p50)} µs, p99 ${fmt(io.randReadLatencyUs.p99)} µs`],
    ['4 KiB random write', `${fmt(io.randWriteIops)} IOPS, latency p50 ${fmt(io.randWriteLatencyUs.p50)} µs, p99 ${fmt(io.randWriteLatencyUs.p99)} µs`],
    ['how', `${io.directIo ? 'direct I/O' : `buffered (O_DIRECT refused: ${io.directIoRefused ?? 'no reason recorded'})`}; a ${io.fileSize} file on a ${io.claimSize} claim, ${io.runtimeSeconds} s per job${io.fioVersion ? `; ${io.fioVersion}` : ''}`],
  ]
  return `<table class="io">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`
}

export function renderDatasheetHtml(d: Datasheet): string {
  const r = d.run
  const c = d.class
  const facts: [string, string][] = [
    ['provisioner', c ? `<code>${esc(c.provisioner)}</code>${c.isDefault ? ' (the default class)' : ''}` : '<span class="muted">not recorded</span>'],
    ['parameters', !c?.parameters ? '<span class="muted">not recorded</span>' : Object.keys(c.parameters).length
      ? Object.entries(c.parameters).map(([k, v]) => `<code>${esc(k)}: ${esc(v)}</code>`).join('<br>') : '<span class="muted">none</span>'],
    ...(c?.mountOptions.length ? [['mount options', c.mountOptions.map((o) => `<code>${esc(o)}</code>`).join(', ')] as [string, string]] : []),
    ...(c ? [['CSI', esc(c.csi)] as [string, string]] : []),
    ...(c?.minimumSize ? [['minimum size', `${esc(c.minimumSize)} (a smaller claim was refused; the run's claims asked for no less)`] as [string, string]] : []),
    ['cluster', `<code>${esc(r.cluster.server)}</code>${r.cluster.context ? ` (context <code>${esc(r.cluster.context)}</code>)` : ''}, Kubernetes ${esc(r.cluster.version)}, ${r.cluster.nodes} node${r.cluster.nodes === 1 ? '' : 's'}`],
    ['suite', r.suiteVersion ? esc(r.suiteVersion) : '<span class="muted">not recorded</span>'],
    ['run', `${esc(r.startedAt)} → ${esc(r.finishedAt)}${r.timeoutScale !== null ? `, timeout scale ${r.timeoutScale}` : ''}`],
  ]
  const t = d.totals
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Storage class ${esc(d.storageClass)}: datasheet</title>
<style>${reportCss} .nowrap { white-space: nowrap }</style>
</head>
<body>
<header>
<h1>Storage class <code>${esc(d.storageClass)}</code></h1>
<div class="totals" id="totals"><span class="passed">${t.passed} passed</span><span class="partial">${t.partial} partial</span><span class="failed">${t.failed} failed</span><span class="broken">${t.broken} broken</span>${t.waived ? `<span class="muted">(${t.waived} waived)</span>` : ''}<span class="skipped">${t.skipped} skipped</span></div>
<dl class="cluster" id="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
</header>
<section id="capabilities">
<h2>Capabilities: declared, observed, checked</h2>
${d.capabilities.length ? `<table class="caps"><thead><tr><th>capability</th><th>declared</th><th>observed by the probe</th><th>has it</th><th>checked by</th></tr></thead><tbody>
${capabilityRows(d.capabilities)}
</tbody></table>
<p class="muted">Declared: by the StorageClass, its CSIDriver and snapshot classes. Observed: by the probe at the start of the run (small claims, deleted at once); hover a cell for the evidence. Checked by: the claims that test it on this class, with their verdicts.</p>` : '<p class="muted">The run recorded no capabilities for this class.</p>'}
</section>
<section id="claims">
<h2>Verdicts of the [sc] claims on this class</h2>
${d.claims.length ? `<table><thead><tr><th>claim</th><th>what it says</th><th>verdict</th><th>took</th><th>why</th></tr></thead><tbody>
${d.claims.map((e) => `<tr><td class="mono">${esc(e.id)}</td><td>${esc(e.title)}</td><td class="${e.status} nowrap">${statusMark[e.status]} ${e.status}</td><td class="nowrap">${formatDuration(e.durationMs)}</td><td>${e.waived ? `<b>waived</b> (${esc(e.waived)}) ` : ''}${esc(e.reason ?? '')}</td></tr>`).join('\n')}
</tbody></table>
<p class="muted">${esc(describeTotals(d.totals))}</p>` : '<p class="muted">No claim ran on this class.</p>'}
</section>
<section id="timings">
<h2>Bind and first-write times</h2>
<table><thead><tr><th>from creating a claim and its pod</th><th>samples</th><th>p50</th><th>p90</th><th>max</th><th>each</th></tr></thead><tbody>
${timingRow('to Bound', d.timings.bind)}
${timingRow('to the first write', d.timings.firstWrite)}
</tbody></table>
<p class="muted">Percentiles by nearest rank: each is a time that was measured. Bound: SC-06's claim, each access-mode and clone claim of the probe the class bound, and each claim a [sc] claim waited for from unbound (timed from its creationTimestamp, which is in whole seconds: up to 1 s long); first write: SC-06's.</p>
</section>
<section id="io">
<h2>I/O (SC-10, fio)</h2>
${d.io ? `${ioTable(d.io.figures)}<p class="muted">SC-10 ${statusMark[d.io.status]} ${d.io.status}. Latency is fio's completion latency.</p>` : '<p class="muted">SC-10 measured nothing on this class.</p>'}
</section>
${d.notRecorded.length ? `<section id="not-recorded">
<h2>Not recorded by this run</h2>
<ul>${d.notRecorded.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</section>` : ''}
<footer>Machine-readable: <a href="${esc(datasheetFileName(d.storageClass))}.json">${esc(datasheetFileName(d.storageClass))}.json</a>. Compare two: <code>npm run diff -- A.json B.json</code>.</footer>
</body>
</html>
`
}
