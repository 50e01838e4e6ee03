// SC-10's figures, class beside class: an inline SVG for index.html (bars per
// figure, one per class, no script) and a Markdown table for summary.md.
import type { IoFigures } from '../apps/fio.ts'
import type { ClaimsReport } from './claims.ts'
import { escapeXml as esc } from './timeline-svg.ts'

export interface ClassIo {
  storageClass: string
  io: IoFigures
}

// The classes SC-10 measured, in the report's class order.
export function measuredIo(report: ClaimsReport): ClassIo[] {
  return report.claims.filter((e) => e.id === 'SC-10' && e.measurements?.io)
    .map((e) => ({ storageClass: e.storageClass ?? '', io: e.measurements!.io! }))
}

interface Panel {
  title: string
  unit: string
  // Higher is better (throughput, IOPS) or lower (latency).
  better: 'higher' | 'lower'
  value: (io: IoFigures) => number
  // A second, lighter mark inside the bar (p50 inside p99).
  inner?: (io: IoFigures) => number
}

const panels: Panel[] = [
  { title: 'sequential write', unit: 'MiB/s', better: 'higher', value: (io) => io.seqWriteMiBps },
  { title: 'sequential read', unit: 'MiB/s', better: 'higher', value: (io) => io.seqReadMiBps },
  { title: '4 KiB random read', unit: 'IOPS', better: 'higher', value: (io) => io.randReadIops },
  { title: '4 KiB random write', unit: 'IOPS', better: 'higher', value: (io) => io.randWriteIops },
  { title: '4 KiB random read latency, p99 (p50 darker)', unit: 'µs', better: 'lower', value: (io) => io.randReadLatencyUs.p99, inner: (io) => io.randReadLatencyUs.p50 },
  { title: '4 KiB random write latency, p99 (p50 darker)', unit: 'µs', better: 'lower', value: (io) => io.randWriteLatencyUs.p99, inner: (io) => io.randWriteLatencyUs.p50 },
]

const palette = ['#0969da', '#bf8700', '#1a7f37', '#8250df', '#cf222e', '#57606a', '#1b7c83', '#953800']
const fmt = (n: number) => (Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(n)) : 'n/a')

export function ioChartSvg(rows: ClassIo[]): string {
  const g = { width: 1180, label: 190, right: 120, bar: 16, gap: 4, panelGap: 26, title: 18 }
  const plot = g.width - g.label - g.right
  const panelHeight = g.title + rows.length * (g.bar + g.gap) + g.panelGap
  const height = panels.length * panelHeight + 10
  const parts: string[] = []
  panels.forEach((p, i) => {
    const top = 10 + i * panelHeight
    const max = Math.max(...rows.map((r) => p.value(r.io)).filter(Number.isFinite), 1)
    parts.push(`<text x="8" y="${top + 12}" class="title">${esc(p.title)} <tspan class="muted">(${esc(p.unit)}, ${p.better} is better)</tspan></text>`)
    rows.forEach((r, j) => {
      const y = top + g.title + j * (g.bar + g.gap)
      const v = p.value(r.io)
      const w = Number.isFinite(v) ? Math.max(1, (v / max) * plot) : 0
      const colour = palette[j % palette.length]!
      parts.push(`<text x="${g.label - 8}" y="${y + g.bar - 4}" text-anchor="end" class="cls">${esc(r.storageClass)}</text>`)
      parts.push(`<rect x="${g.label}" y="${y}" width="${w.toFixed(1)}" height="${g.bar}" fill="${colour}" fill-opacity="${p.inner ? 0.45 : 0.9}"><title>${esc(`${r.storageClass}: ${fmt(v)} ${p.unit}`)}</title></rect>`)
      if (p.inner) {
        const iv = p.inner(r.io)
        const iw = Number.isFinite(iv) ? Math.max(1, (iv / max) * plot) : 0
        parts.push(`<rect x="${g.label}" y="${y}" width="${iw.toFixed(1)}" height="${g.bar}" fill="${colour}"><title>${esc(`${r.storageClass}: p50 ${fmt(iv)} ${p.unit}`)}</title></rect>`)
      }
      const label = p.inner ? `${fmt(v)} (p50 ${fmt(p.inner(r.io))}) ${p.unit}` : `${fmt(v)} ${p.unit}`
      parts.push(`<text x="${(g.label + w + 6).toFixed(1)}" y="${y + g.bar - 4}" class="val">${esc(label)}${r.io.directIo ? '' : ' *'}</text>`)
    })
  })
  const style = 'svg.io text { font-family: ui-sans-serif, system-ui, "DejaVu Sans", sans-serif; font-size: 11px; fill: #24292f } svg.io .title { font-weight: 600; font-size: 12px } svg.io .muted { fill: #57606a; font-weight: normal } svg.io .cls { font-family: ui-monospace, "DejaVu Sans Mono", monospace }'
  return `<svg class="io" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.width} ${height}" width="${g.width}" height="${height}" role="img" aria-label="fio figures per storage class"><style>${style}</style>${parts.join('')}</svg>`
}

// The section of index.html: the chart, how it was measured, and what was buffered.
export function ioSectionHtml(report: ClaimsReport): string {
  const rows = measuredIo(report)
  if (!rows.length) return '<p class="muted">SC-10 measured no class in this run.</p>'
  const buffered = rows.filter((r) => !r.io.directIo)
  return `<p class="muted">fio on a file of a quarter of the claim (${esc([...new Set(rows.map((r) => `${r.io.fileSize} of ${r.io.claimSize}`))].join(', '))}), four jobs of ${esc([...new Set(rows.map((r) => `${r.io.runtimeSeconds}s`))].join('/'))} one after another: 1 MiB sequential write and read, 4 KiB random read and write at iodepth 16. Latency is fio's completion latency.</p>
${ioChartSvg(rows)}
${buffered.length ? `<p class="muted">* buffered I/O: the filesystem of ${buffered.map((r) => `<code>${esc(r.storageClass)}</code>`).join(', ')} refused O_DIRECT (${esc(buffered[0]!.io.directIoRefused ?? '')}); its reads may come from the page cache.</p>` : ''}`
}

// The table of summary.md.
export function ioTableMarkdown(report: ClaimsReport): string[] {
  const rows = measuredIo(report)
  if (!rows.length) return []
  return [
    '### I/O (SC-10, fio)', '',
    '| class | seq write MiB/s | seq read MiB/s | 4k read IOPS | 4k read p50 / p99 µs | 4k write IOPS | 4k write p50 / p99 µs | direct I/O | file / claim |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map(({ storageClass: c, io }) => `| ${c} | ${fmt(io.seqWriteMiBps)} | ${fmt(io.seqReadMiBps)} | ${fmt(io.randReadIops)} | ${fmt(io.randReadLatencyUs.p50)} / ${fmt(io.randReadLatencyUs.p99)} | ${fmt(io.randWriteIops)} | ${fmt(io.randWriteLatencyUs.p50)} / ${fmt(io.randWriteLatencyUs.p99)} | ${io.directIo ? 'yes' : 'no (buffered)'} | ${io.fileSize} / ${io.claimSize} |`),
    '',
  ]
}
