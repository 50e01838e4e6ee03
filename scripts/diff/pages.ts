// reports/diff/diff.md and diff.html: what changed from run A to run B, the regressions first.
import { type ClaimStatus, type ClaimsReport, describeTotals } from '../../lib/report/claims.ts'
import { formatDuration } from '../../lib/report/matrix.ts'
import { escapeXml as esc } from '../../lib/report/timeline-svg.ts'
import { type Change, changes, describeChange, keyOf, minShiftMs, minShiftRelative, type RunDiff, saidInB } from './compare.ts'

export interface DiffInput {
  // The paths as given on the command line.
  a: { label: string; report: ClaimsReport }
  b: { label: string; report: ClaimsReport }
  diff: RunDiff
  // A datasheet diff (datasheet-pages.ts): its heading, and its sections after the verdicts'.
  title?: string
  extra?: { markdown: string[]; html: string }
}

const meaning: Record<Change, string> = {
  regression: 'newly failed or broken',
  'still failing': 'failed or broken in both runs',
  fixed: 'failed or broken in A, passed in B',
  'lost visibility': 'checked less in B: passed → partial or skipped, partial → skipped, or failing → not fully checked',
  'gained visibility': 'checked more in B: skipped or partial → passed, skipped → partial',
  missing: 'in A, not in B',
  added: 'in B, not in A',
  unchanged: 'the same verdict',
}

// Counted from the claims, not taken from the file's summary, which a hand-edited or older report may lack.
const totalsOf = (r: ClaimsReport): ClaimsReport['summary'] => {
  const n = (s: ClaimStatus) => r.claims.filter((e) => e.status === s).length
  return { passed: n('passed'), partial: n('partial'), failed: n('failed'), broken: n('broken'), skipped: n('skipped'), waived: r.claims.filter((e) => e.waived).length }
}

const describeRun = (label: string, r: ClaimsReport) => {
  const c = r.run.cluster
  return `${label}: ${c.server} (Kubernetes ${c.version}${c.context ? `, context ${c.context}` : ''}), started ${r.run.startedAt}; ${describeTotals(totalsOf(r))}`
}

const percent = (x: number) => `${Math.round(100 * x)} %`

// "noise ±12 % (the median change over the 118 claims that passed in both runs); a shift is a change beyond 50 % (…) and 5 s"
export function describeNoise(d: RunDiff): string {
  const t = d.timing
  const bar = `${formatDuration(minShiftMs)}`
  if (t.comparable === 0) return 'no claim passed in both runs: no timings to compare'
  if (t.noise === null) return `the noise is not measured: too few claims passed in both runs (${t.comparable}); a shift is a change beyond ${percent(t.threshold)} and ${bar}`
  return `noise ±${percent(t.noise)} (the median change over the ${t.comparable} claims that passed in both runs); `
    + `a shift is a change beyond ${percent(t.threshold)} (3 × the noise, at least ${percent(minShiftRelative)}) and ${bar}`
}

const shown = changes.filter((c) => c !== 'unchanged')

// A reason is the cluster's text: it must not become a table cell's end or a tag.
export const md = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function renderDiffMarkdown({ a, b, diff, title = 'Run diff', extra }: DiffInput): string {
  const section = (c: Change) => {
    const rows = diff.changes.filter((k) => k.change === c)
    if (!rows.length) return []
    return [`## ${c} (${rows.length}): ${meaning[c]}`, '', ...rows.map((k) => `- ${md(describeChange(k))}`), '']
  }
  const t = diff.timing
  return [
    `# ${md(title)}`,
    '',
    `- ${md(describeRun('A', a.report))} (${md(a.label)})`,
    `- ${md(describeRun('B', b.report))} (${md(b.label)})`,
    '',
    ...(diff.warnings.length ? [...diff.warnings.map((w) => `> **Warning:** ${md(w)}`), ''] : []),
    '| change | claims | meaning |',
    '|---|---|---|',
    ...changes.map((c) => `| ${c} | ${diff.counts[c]} | ${meaning[c]} |`),
    '',
    ...shown.flatMap(section),
    `## Timing shifts (${t.shifts.length})`,
    '',
    describeNoise(diff) + '.',
    ...(t.unlike.length ? ['', `> **Not like with like:** ${md(t.unlike.join('; '))}.`] : []),
    '',
    ...(t.shifts.length
      ? ['| claim | A | B | change |', '|---|---|---|---|', ...t.shifts.map((s) => `| ${md(keyOf(s))} | ${formatDuration(s.beforeMs)} | ${formatDuration(s.afterMs)} | ${s.relative > 0 ? '+' : ''}${percent(s.relative)} |`)]
      : ['none']),
    '',
    ...(extra?.markdown ?? []),
  ].join('\n')
}

const colour: Record<Change, string> = {
  regression: '#f4b6b6', 'still failing': '#f4d6a0', fixed: '#cfe8cf', 'lost visibility': '#fff8c5',
  'gained visibility': '#dbeafe', missing: '#eeeeee', added: '#eeeeee', unchanged: '#ffffff',
}

export function renderDiffHtml({ a, b, diff, title = 'Run diff', extra }: DiffInput): string {
  const t = diff.timing
  const counts = changes.map((c) => `<tr style="background:${colour[c]}"><td>${esc(c)}</td><td>${diff.counts[c]}</td><td>${esc(meaning[c])}</td></tr>`).join('\n')
  const rows = diff.changes.filter((k) => k.change !== 'unchanged').map((k) =>
    `<tr style="background:${colour[k.change]}"><td>${esc(k.change)}</td><td>${esc(k.id)}</td><td>${esc(k.storageClass ?? '')}</td>`
    + `<td>${esc(k.before?.status ?? 'absent')}</td><td>${esc(k.after?.status ?? 'absent')}</td><td>${esc(saidInB(k))}</td></tr>`).join('\n')
  const shifts = t.shifts.map((s) => `<tr><td>${esc(keyOf(s))}</td><td>${formatDuration(s.beforeMs)}</td><td>${formatDuration(s.afterMs)}</td><td>${s.relative > 0 ? '+' : ''}${percent(s.relative)}</td></tr>`).join('\n')
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6}.warning{background:#fff8c5;border:1px solid #d4a72c;padding:4px 8px}</style></head><body>
<h1>${esc(title)}</h1>
<ul><li>${esc(describeRun('A', a.report))} (${esc(a.label)})</li><li>${esc(describeRun('B', b.report))} (${esc(b.label)})</li></ul>
${diff.warnings.map((w) => `<p class="warning">Warning: ${esc(w)}</p>`).join('\n')}
<table><tr><th>change</th><th>claims</th><th>meaning</th></tr>
${counts}</table>
<h2>What changed</h2>
${rows ? `<table><tr><th>change</th><th>claim</th><th>class</th><th>A</th><th>B</th><th>B says</th></tr>\n${rows}</table>` : '<p>No verdict changed.</p>'}
<h2>Timing shifts (${t.shifts.length})</h2>
<p>${esc(describeNoise(diff))}.</p>
${t.unlike.length ? `<p class="warning">Not like with like: ${esc(t.unlike.join('; '))}.</p>` : ''}
${shifts ? `<table><tr><th>claim</th><th>A</th><th>B</th><th>change</th></tr>\n${shifts}</table>` : '<p>none</p>'}
${extra?.html ?? ''}
</body></html>
`
}
