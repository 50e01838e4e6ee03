import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { entry, report } from '../diff/testdata/build.ts'
import { breakMeaning, buildHistory, flakeRateMeaning, type StoredRun } from './build.ts'
import { renderHistoryHtml } from './page.ts'

const nights: StoredRun[] = [1, 2, 3].map((n) => {
  const label = `nightly/1234560${n}/reports-kubernetes-1.36`
  return { label, runId: null, report: JSON.parse(readFileSync(new URL(`./testdata/${label}/claims.json`, import.meta.url), 'utf8')) as ClaimsReport }
})
const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0

test('the page of three nightly runs: a glyph per claim × class × run, coloured by verdict, each row\'s flake rate and first bad run', () => {
  const html = renderHistoryHtml(buildHistory(nights))
  expect(html).toContain('<p>3 runs of 1 cluster, started 2026-12-03 02:23 UTC to 2026-12-05 02:22 UTC.</p>')
  expect(html).toContain('<h2>kind-stateful-conformance · Kubernetes v1.36 · 1 node</h2>')
  // 9 rows × 3 runs; the verdicts as the fixture has them.
  expect(count(html, /<td class="v /g)).toBe(27)
  expect(count(html, /<td class="v passed"[^>]*>✓</g)).toBe(17)
  expect(count(html, /<td class="v partial"[^>]*>◐</g)).toBe(3)
  expect(count(html, /<td class="v failed"[^>]*>✗</g)).toBe(3)
  expect(count(html, /<td class="v broken"[^>]*>⊘</g)).toBe(1)
  expect(count(html, /<td class="v skipped"[^>]*>–</g)).toBe(3)
  // r2 brought Kubernetes v1.36.4, r3 a new commit: both headers say so.
  expect(html).toMatch(/<th class="run" title="r2: started 2026-12-04 02:24 UTC; Kubernetes v1.36.4; [^"]*; against r1: Kubernetes v1.36.3 → v1.36.4">r2<span class="delta">Δ<\/span>/)
  expect(html).toMatch(/<th class="run" title="r1: [^"]*">r1<br>/)
  expect(html).toContain('title="Q0-10, r3 (2026-12-05 02:22 UTC): failed — in Then &quot;ordinal 1 is replaced and Ready before ordinal 0 is deleted&quot;: AssertionError: replacement order')
  expect(html).toMatch(/<td class="id"[^>]*>Q0-04<\/td><td class="class"><span class="muted">any<\/span><\/td>(<td [^>]*>.<\/td>){3}<td class="rate flaky"[^>]*>100 % <span class="muted">\(2\/2\)<\/span><\/td><td class="bad"><span class="broken">⊘<\/span> r2 \(2026-12-04 02:24 UTC\) broken, after it held in r1: Kubernetes v1.36.3 → v1.36.4 <span class="muted">\(held again since\)<\/span>/)
  expect(html).toMatch(/<td class="id"[^>]*>Q1-05<\/td><td class="class">standard<\/td>(<td [^>]*>.<\/td>){3}<td class="rate muted"[^>]*>—<\/td>/)
  // The breaks, newest first.
  const breaks = html.slice(html.indexOf('<table id="breaks-table">'), html.indexOf('</table>', html.indexOf('<table id="breaks-table">')))
  expect([...breaks.matchAll(/<td class="mono" title="[^"]*">([^<]+)<\/td>/g)].map((m) => m[1])).toEqual(['Q0-10', 'Q0-04', 'Q0-12 [standard]'])
  expect(breaks).toContain('<td>suite 0.1.0 (git 1a2b3c4) → 0.1.0 (git 5d6e7f8)</td>')
  // The definitions are build.ts's, as history.json carries them.
  expect(html).toContain(`<dt>Flake rate</dt><dd>A${flakeRateMeaning.slice('flake rate: a'.length)}</dd>`)
  expect(html).toContain(`<dt>First bad run</dt><dd>A${breakMeaning.slice('first bad run: a'.length)}</dd>`)
  expect(html).not.toContain('id="few-runs"')
  expect(count(html, /<tr><td class="mono">r\d<\/td>/g)).toBe(3)
})

test('one run still draws, with a note that there is no history yet', () => {
  const html = renderHistoryHtml(buildHistory([nights[0]!]))
  expect(html).toContain('<p class="note" id="few-runs">Only one run was given: there is no history yet, so no flake rate and no first bad run.')
  expect(html).toContain('One run of this cluster')
  expect(count(html, /<td class="v passed"/g)).toBe(7)
  expect(html).toContain('No break: no claim failed or broke')
  expect(renderHistoryHtml(buildHistory([]))).toContain('No run was given')
})

test('what the cluster and the paths said is escaped', () => {
  const html = renderHistoryHtml(buildHistory([
    { label: 'runs/<b>', runId: '"x"', report: report([entry('Q0-01', 'passed')], { startedAt: '2026-12-01T00:00:00.000Z' }) },
    { label: 'runs/2', runId: null, report: report([entry('Q0-01', 'failed', { reason: '<script>alert(1)</script> & more' })], { startedAt: '2026-12-02T00:00:00.000Z' }) },
  ]))
  expect(html).not.toContain('<script>')
  expect(html).not.toContain('<b>')
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more')
  expect(html).toContain('runs/&lt;b&gt;')
  expect(html).toContain('&quot;x&quot;')
})
