// Pictures of an attached timeline: an SVG for the HTML page and a few lines
// of text for the Markdown summary. Each pod is a lane; each incarnation a bar
// coloured by phase; the events the claim orders carry numbered badges.
import type { PodEvent } from '../observe/timeline.ts'
import type { AttachedTimeline } from '../observe/timeline-snapshot.ts'
import { layoutTimeline, type Phase, type Segment, since, type TimelineLayout } from './timeline-layout.ts'

export const phaseStyle: Record<Phase, { fill: string; label: string; char: string }> = {
  starting: { fill: '#e3b341', label: 'starting', char: '░' },
  ready: { fill: '#2da44e', label: 'Ready', char: '█' },
  unready: { fill: '#8c959f', label: 'not Ready', char: '▒' },
  terminating: { fill: '#cf222e', label: 'terminating', char: '▓' },
  stopped: { fill: '#57606a', label: 'stopped', char: '-' },
}

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

const svgStyle = [
  'text { font-family: ui-sans-serif, system-ui, "DejaVu Sans", sans-serif; font-size: 11px; fill: #24292f }',
  '.pod { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px }',
  '.seg { fill: #fff; font-size: 10px }', '.tick { fill: #57606a; font-size: 10px }', '.legend { fill: #57606a }',
  '.grid { stroke: #d0d7de; stroke-width: 1; stroke-dasharray: 2 3 }', '.axis { stroke: #57606a }',
  '.created { fill: #24292f }', '.restart { fill: #bc4c00; font-size: 13px; font-weight: bold }', '.deleted { fill: #24292f; font-weight: bold }',
  '.mark { fill: #57606a }', '.window { fill: #bf8700; fill-opacity: 0.10; stroke: #bf8700; stroke-dasharray: 4 3 }', '.window-label { fill: #7d4e00; font-size: 10px }',
  '.budget { font-size: 10px; fill: #24292f }', '.badge circle { fill: #0969da }', '.badge line { stroke: #0969da }', '.badge text { fill: #fff; font-size: 10px; font-weight: bold }',
].map((rule) => `svg.timeline ${rule}`).join(' ')

const geometry = { width: 1180, right: 24, top: 30, lane: 38, bar: 16, axis: 40 }

function niceStep(spanMs: number, maxTicks = 10): number {
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000]
  return steps.find((s) => spanMs / s <= maxTicks) ?? 3_600_000
}

// A revision label is "<owner>-<hash>" (controller-revision-hash) or the hash alone (pod-template-hash).
const segmentText = (s: Segment) => `${s.incarnation}${s.revision ? ` · rev ${s.revision.split('-').at(-1)}` : ''}`
const eventText = (e: PodEvent, l: TimelineLayout) =>
  `${e.pod} ${e.kind} (${e.incarnation}, uid ${e.uid}${e.revision ? `, rev ${e.revision}` : ''}) at ${since(e.at - l.start)}`

// A budget's lane: disruptions allowed, none (red), unknown (grey).
const budgetFill = (allowed: number | null) => (allowed === null ? '#d0d7de' : allowed > 0 ? '#aceebb' : '#ffcecb')
const budgetLabel = (name: string) => `budget ${name}`

// Each disruption window and each budget value, as spans from t=0 (the picture's end closes an open one).
export function notesLayout(t: AttachedTimeline, l: TimelineLayout) {
  const end = Math.max(l.span, (t.endedAt ?? 0) - l.start)
  const clamp = (ms: number) => Math.min(Math.max(ms, 0), end)
  return {
    windows: (t.windows ?? []).map((w) => ({ label: w.label, from: clamp(w.from - l.start), to: clamp((w.to ?? l.start + end) - l.start), open: w.to === undefined })),
    budgets: (t.budgets ?? []).map((b) => ({
      name: b.name,
      spans: b.points.map((p, i) => ({ allowed: p.allowed, from: clamp(p.at - l.start), to: clamp((b.points[i + 1]?.at ?? l.start + end) - l.start) })),
    })),
  }
}

const windowText = (w: { label: string; from: number; to: number; open: boolean }, i: number) =>
  `${i + 1}. ${w.label} ${since(w.from)} → ${w.open ? 'still going when recording ended' : since(w.to)}`

export function timelineSvg(t: AttachedTimeline, id = 'timeline'): string {
  const l = layoutTimeline(t)
  const notes = notesLayout(t, l)
  // The lane labels are as wide as the longest pod name (monospace, about 7.3px a character).
  const labelWidth = Math.max(70, Math.ceil(Math.max(0, ...l.lanes.map((ln) => ln.pod.length), ...notes.budgets.map((b) => budgetLabel(b.name).length)) * 7.3))
  const g = { ...geometry, labelWidth, plotLeft: labelWidth + 12 }
  const plotWidth = g.width - g.plotLeft - g.right
  const scale = l.span * 1.02 // room for the last marker
  const x = (ms: number) => g.plotLeft + (ms / scale) * plotWidth
  const rows = l.lanes.length + notes.budgets.length
  const height = g.top + Math.max(1, rows) * g.lane + g.axis + (notes.windows.length ? 14 : 0)
  const out: string[] = []
  const titleId = `${id}-title`
  out.push(`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${height}" viewBox="0 0 ${g.width} ${height}" role="img" aria-labelledby="${titleId}">`)
  out.push(`<style>${svgStyle}</style>`)
  out.push(`<title id="${titleId}">${escapeXml(`${t.title}: ${l.marks.map((m) => `${m.n}. ${m.label}${m.event ? ` ${since(m.event.at - l.start)}` : ' never observed'}`).join(', ') || `${t.events.length} pod events`}`)}</title>`)

  // Legend.
  let lx = g.plotLeft
  for (const [phase, s] of Object.entries(phaseStyle) as [Phase, (typeof phaseStyle)[Phase]][]) {
    if (phase === 'stopped' && !l.lanes.some((ln) => ln.segments.some((sg) => sg.phases.some((p) => p.phase === 'stopped')))) continue
    out.push(`<rect x="${lx}" y="8" width="14" height="10" fill="${s.fill}"/><text x="${lx + 18}" y="17" class="legend">${s.label}</text>`)
    lx += 26 + s.label.length * 7
  }
  out.push(`<text x="${lx}" y="17" class="legend">▲ created   ↻ restarted   ✕ deleted${l.marks.length ? '   ① the order the claim checks' : ''}${notes.windows.length ? '   ▭ disruption' : ''}</text>`)

  // Grid and axis.
  const step = niceStep(scale)
  const axisY = g.top + rows * g.lane + 6
  // Disruption windows, behind the lanes, numbered at the top (with their label where it fits) and
  // listed in full under the axis.
  let labelEnd = -Infinity
  notes.windows.forEach((w, i) => {
    out.push(`<rect x="${x(w.from).toFixed(1)}" y="${g.top - 4}" width="${Math.max(1.5, x(w.to) - x(w.from)).toFixed(1)}" height="${axisY - g.top + 4}" class="window"><title>${escapeXml(windowText(w, i))}</title></rect>`)
    const lx = Math.max(x(w.from) + 3, labelEnd + 6)
    const full = `${i + 1} ${w.label}`
    const text = lx + full.length * 6 <= g.width - g.right ? full : String(i + 1)
    labelEnd = lx + text.length * 6
    out.push(`<text x="${lx.toFixed(1)}" y="${g.top + 4}" class="window-label">${escapeXml(text)}</text>`)
  })
  if (notes.windows.length) out.push(`<text x="${g.plotLeft}" y="${axisY + 44}" class="tick">disruptions: ${escapeXml(notes.windows.map(windowText).join('; '))}</text>`)
  // Budgets, a lane each below the pods: disruptions allowed as they changed.
  notes.budgets.forEach((b, i) => {
    const barY = g.top + (l.lanes.length + i) * g.lane + 16
    out.push(`<text x="${g.labelWidth}" y="${barY + 12}" class="pod" text-anchor="end">${escapeXml(budgetLabel(b.name))}</text>`)
    for (const sp of b.spans) {
      const w = Math.max(1.5, x(sp.to) - x(sp.from))
      const text = sp.allowed === null ? 'unknown' : `allows ${sp.allowed}`
      out.push(`<rect x="${x(sp.from).toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${g.bar}" fill="${budgetFill(sp.allowed)}"><title>${escapeXml(`PodDisruptionBudget ${b.name}: disruptions allowed ${sp.allowed ?? 'unknown'} ${since(sp.from)} → ${since(sp.to)}`)}</title></rect>`)
      if (w > text.length * 6.2 + 8) out.push(`<text x="${(x(sp.from) + 4).toFixed(1)}" y="${barY + 12}" class="budget">${text}</text>`)
    }
  })
  for (let ms = 0; ms <= scale; ms += step) {
    out.push(`<line x1="${x(ms).toFixed(1)}" y1="${g.top - 4}" x2="${x(ms).toFixed(1)}" y2="${axisY}" class="grid"/>`)
    out.push(`<text x="${x(ms).toFixed(1)}" y="${axisY + 14}" class="tick" text-anchor="middle">${ms === 0 ? '0' : `+${ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}min` : `${ms / 1000}s`}`}</text>`)
  }
  out.push(`<line x1="${g.plotLeft}" y1="${axisY}" x2="${g.width - g.right}" y2="${axisY}" class="axis"/>`)
  out.push(`<text x="${g.plotLeft}" y="${axisY + 30}" class="tick">time since recording began (t=0 at ${new Date(l.start).toISOString().slice(11, 23)} UTC)</text>`)

  // Lanes.
  const markByEvent = new Map(l.marks.filter((m) => m.event).map((m) => [m.event!.seq, m]))
  l.lanes.forEach((lane, i) => {
    const y = g.top + i * g.lane
    const barY = y + 16
    out.push(`<text x="${g.labelWidth}" y="${barY + 12}" class="pod" text-anchor="end">${escapeXml(lane.pod)}</text>`)
    const badgeXs: number[] = []
    for (const s of lane.segments) {
      const segTitle = `${s.pod} (${segmentText(s)}, uid ${s.uid}${s.openStart ? ', there before recording began' : ''})`
      for (const p of s.phases) {
        const w = Math.max(1.5, x(p.to) - x(p.from))
        out.push(`<rect x="${x(p.from).toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${g.bar}" fill="${phaseStyle[p.phase].fill}"><title>${escapeXml(`${segTitle}: ${phaseStyle[p.phase].label} ${since(p.from)} → ${since(p.to)}${s.openEnd && p === s.phases.at(-1) ? ' (still, when recording ended)' : ''}`)}</title></rect>`)
      }
      const width = x(s.to) - x(s.from)
      const text = segmentText(s)
      if (width > text.length * 6.2 + 8) out.push(`<text x="${(x(s.from) + 4).toFixed(1)}" y="${barY + 12}" class="seg">${escapeXml(text)}</text>`)
      for (const e of s.events) {
        const ex = x(e.at - l.start)
        if (e.kind === 'created') out.push(`<path d="M${ex.toFixed(1)},${barY + g.bar + 1} l-4,7 h8 z" class="created"><title>${escapeXml(eventText(e, l))}</title></path>`)
        if (e.kind === 'restarted') out.push(`<text x="${ex.toFixed(1)}" y="${barY + g.bar + 11}" class="restart" text-anchor="middle">↻<title>${escapeXml(eventText(e, l))}</title></text>`)
        if (e.kind === 'deleted') out.push(`<text x="${ex.toFixed(1)}" y="${barY + 12}" class="deleted" text-anchor="middle">✕<title>${escapeXml(eventText(e, l))}</title></text>`)
        const m = markByEvent.get(e.seq)
        if (m) {
          let bx = ex
          while (badgeXs.some((b) => Math.abs(b - bx) < 16)) bx += 16
          badgeXs.push(bx)
          out.push(`<g class="badge"><line x1="${ex.toFixed(1)}" y1="${barY - 1}" x2="${bx.toFixed(1)}" y2="${y + 12}"/><circle cx="${bx.toFixed(1)}" cy="${y + 7}" r="7"/><text x="${bx.toFixed(1)}" y="${y + 11}" text-anchor="middle">${m.n}</text><title>${escapeXml(`${m.n}. ${m.label} at ${since(e.at - l.start)}`)}</title></g>`)
        }
      }
    }
  })
  out.push('</svg>')
  return out.join('\n')
}

// The same picture in characters, for CI logs and PR comments.
export function timelineText(t: AttachedTimeline, columns = 60): string {
  const l = layoutTimeline(t)
  const width = Math.max(...l.lanes.map((ln) => ln.pod.length), ...(t.budgets ?? []).map((b) => budgetLabel(b.name).length), t.windows?.length ? 'disruption'.length : 0, 3)
  const col = (ms: number) => Math.min(columns - 1, Math.floor((ms / l.span) * (columns - 1)))
  const lines = l.lanes.map((lane) => {
    const row = Array<string>(columns).fill(' ')
    for (const s of lane.segments) {
      for (const p of s.phases) for (let c = col(p.from); c <= col(p.to); c++) row[c] = phaseStyle[p.phase].char
      for (const e of s.events) {
        const m = l.marks.find((mk) => mk.event?.seq === e.seq)
        if (m && m.n < 10) row[col(e.at - l.start)] = String(m.n)
      }
    }
    return `${lane.pod.padEnd(width)} |${row.join('')}|`
  })
  const notes = notesLayout(t, l)
  const row = (label: string, fill: (c: number) => string | undefined) => `${label.padEnd(width)} |${Array.from({ length: columns }, (_, c) => fill(c) ?? ' ').join('')}|`
  for (const b of notes.budgets) {
    lines.push(row(budgetLabel(b.name), (c) => {
      const sp = b.spans.find((x) => col(x.from) <= c && c <= col(x.to))
      return sp ? (sp.allowed === null ? '?' : String(Math.min(sp.allowed, 9))) : undefined
    }))
  }
  if (notes.windows.length) lines.push(row('disruption', (c) => (notes.windows.some((w) => col(w.from) <= c && c <= col(w.to)) ? '=' : undefined)))
  const legend = `${' '.repeat(width)}  0${' '.repeat(columns - 2 - since(l.span).length)}${since(l.span)}`
  const key = (Object.keys(phaseStyle) as Phase[]).map((p) => `${phaseStyle[p].char} ${phaseStyle[p].label}`).join('  ')
  return [...lines, legend, `${key}${l.marks.length ? '  1-9 the order the claim checks' : ''}${notes.budgets.length ? '  budget: disruptions allowed' : ''}${notes.windows.length ? '  = disruption' : ''}`].join('\n')
}

// "1. podinfo-1 terminating (old) +2.10s → 2. …"
export function describeMarks(t: AttachedTimeline): string {
  const l = layoutTimeline(t)
  return l.marks.map((m) => `${m.n}. ${m.label} ${m.event ? since(m.event.at - l.start) : '(never observed)'}`).join(' → ')
}
