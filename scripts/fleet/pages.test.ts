import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { renderHtmlReport } from '../../lib/report/html.ts'
import { fragmentsTest } from '../../lib/report/testdata/fragments.ts'
import { entry, report } from '../diff/testdata/build.ts'
import { buildFleet, type ChildEnd, type ClusterResult } from './merge.ts'
import { renderFleetHtml, renderFleetMarkdown } from './pages.ts'

const times = { startedAt: '2026-12-05T18:00:00.000Z', finishedAt: '2026-12-05T18:40:00.000Z' }
const ended = (o: Partial<ChildEnd> = {}): ChildEnd => ({ exitCode: 0, signal: null, interrupted: false, tail: [], durationMs: 600_000, ...o })
const hostile = 'expected <script>alert("x")</script> & | a pipe\nsecond line'

const dev = report([
  entry('Q0-01', 'passed'),
  entry('Q0-12', 'passed', { storageClass: 'standard' }),
  entry('Q0-12', 'skipped', { storageClass: 'fast', reason: 'no expansion' }),
], { storageClasses: ['fast', 'standard'] })
const prod = report([entry('Q0-01', 'failed', { reason: hostile }), entry('Q0-12', 'broken', { storageClass: 'gp3', reason: 'gave up' })], { storageClasses: ['gp3'] })
const results: ClusterResult[] = [
  { target: { label: 'dev', context: 'dev' }, end: ended(), report: dev },
  { target: { label: 'prod', context: 'prod' }, end: ended({ exitCode: 1 }), report: prod },
  { target: { label: 'embedded-ci', embedded: 'ci' }, end: ended({ exitCode: 2, tail: [{ stream: 'err', text: 'stateful-conformance: SC_STORAGE_CLASSES: no such StorageClass: <gold>' }] }) },
]
const fleet = buildFleet(results, times)

test('the matrix has a column per cluster and class, the refused cluster one that says why, and each cell links to its claim', () => {
  const html = renderFleetHtml(fleet)
  expect(html).toContain('<th class="cluster" colspan="2"><a href="dev/index.html">dev</a></th><th class="cluster" colspan="1"><a href="prod/index.html">prod</a></th>'
    + '<th class="cluster none" rowspan="2">embedded-ci<div class="reason"><b class="failed">preflight failed:</b> SC_STORAGE_CLASSES: no such StorageClass: &lt;gold&gt;</div></th>')
  expect(html).toContain('<tr><th class="class">fast</th><th class="class">standard</th><th class="class">gp3</th></tr>')
  // A class-independent claim spans the cluster's class columns; the refused cluster's cell is a dash.
  expect(html).toContain('<td class="id">Q0-01</td><td>title of Q0-01</td><td class="cell passed" colspan="2"><a href="dev/index.html#Q0-01"><span class="status passed">✓ passed</span></a><span class="any">(any class)</span></td>')
  expect(html).toMatch(/<td class="id">Q0-12<\/td><td>title of Q0-12<\/td><td class="cell skipped"><a href="dev\/index.html#Q0-12-fast" title="no expansion">.*<\/td><td class="cell passed"><a href="dev\/index.html#Q0-12-standard">.*<td class="cell broken"><a href="prod\/index.html#Q0-12-gp3"/)
  expect(html).toContain('<td class="cell none"><span class="muted">—</span></td></tr>')
  expect(html).toContain('<p class="headline" id="headline">3 clusters: 2 reported, 1 preflight failed; 2 claims failed or broken (prod: Q0-01, Q0-12 [gp3])</p>')
})

fragmentsTest('the page escapes every text it did not write itself', () => renderFleetHtml(fleet),
  ['expected &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; | a pipe'], ['<script>', '<gold>'])

test('every link of the matrix reaches an anchor of the cluster\'s own index.html', () => {
  const cloud = JSON.parse(readFileSync(new URL('../../lib/report/testdata/cloud2-claims.json', import.meta.url), 'utf8')) as ClaimsReport
  const page = renderHtmlReport(cloud)
  const html = renderFleetHtml(buildFleet([{ target: { label: 'cloud', context: 'cloud' }, end: ended(), report: cloud }], times))
  const links = [...html.matchAll(/href="cloud\/index.html#([^"]+)"/g)].map((m) => m[1]!)
  expect(links).toHaveLength(cloud.claims.length)
  for (const anchor of links) expect(page, anchor).toContain(` id="${anchor}"`)
})

fragmentsTest('the Markdown has the clusters, the matrix with one column per cluster and class, and the failures with their links', () => renderFleetMarkdown(fleet), [
  '## Stateful conformance across a fleet: 3 clusters: 2 reported, 1 preflight failed; 2 claims failed or broken (prod: Q0-01, Q0-12 [gp3])',
  '| embedded-ci | the embedded cluster\'s instance ci | **preflight failed**: SC_STORAGE_CLASSES: no such StorageClass: &lt;gold> |  |  |  | 10 min 0 s |',
  '| [dev](dev/index.html) | context "dev" | 2 passed, 0 partial, 0 failed, 0 broken, 1 skipped | `https://10.0.0.1:6443` | v1.36.3 | fast, standard | 10 min 0 s |',
  '| claim | what it says | dev: fast | dev: standard | prod: gp3 | embedded-ci: preflight failed |\n|---|---|---|---|---|---|\n',
  '| Q0-01 | title of Q0-01 | [✅ passed](dev/index.html#Q0-01) (any class) |  | [❌ failed](prod/index.html#Q0-01) | — |',
  '| Q0-12 | title of Q0-12 | [⏭️ skipped](dev/index.html#Q0-12-fast) | [✅ passed](dev/index.html#Q0-12-standard) | [⛔ broken](prod/index.html#Q0-12-gp3) | — |',
  '- **Q0-01** on prod: failed — expected &lt;script>alert("x")&lt;/script> &amp; \\| a pipe second line ([report](prod/index.html#Q0-01))',
])
