import { expect, test } from 'vitest'
import { fragmentsTest } from '../../lib/report/testdata/fragments.ts'
import { compareRuns } from './compare.ts'
import { renderDiffHtml, renderDiffMarkdown } from './pages.ts'
import { entry, report } from './testdata/build.ts'

const hostile = 'expected <script>alert("x")</script> & | a pipe\nsecond line'
const a = report([entry('Q0-01', 'passed'), entry('Q0-02', 'failed', { reason: 'was failing' }), entry('Q0-03', 'passed', { durationMs: 20_000 })], { timeoutScale: 1 })
const b = report([entry('Q0-01', 'failed', { storageClass: null, reason: hostile }), entry('Q0-02', 'passed'), entry('Q0-03', 'passed', { durationMs: 60_000 })], { timeoutScale: 2 })
const input = { a: { label: 'reports/<before>', report: a }, b: { label: 'reports/after', report: b }, diff: compareRuns(a, b) }

fragmentsTest('the HTML page escapes every text it did not write itself: reasons, paths', () => renderDiffHtml(input),
  ['expected &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; | a pipe', 'reports/&lt;before&gt;'], ['<script>', 'second line'])

test('the HTML page lists each change with both verdicts, the counts, and timings with why they are not like with like', () => {
  const html = renderDiffHtml(input)
  expect(html).toMatch(/<td>regression<\/td><td>Q0-01<\/td><td><\/td><td>passed<\/td><td>failed<\/td>/)
  expect(html).toMatch(/<td>fixed<\/td><td>Q0-02<\/td>/)
  expect(html).toContain('<tr style="background:#f4b6b6"><td>regression</td><td>1</td>')
  expect(html).toContain('Not like with like: timeout scale 1 in A, 2 in B.')
  expect(html).toMatch(/<td>Q0-03<\/td><td>20.0 s<\/td><td>1 min 0 s<\/td><td>\+200 %<\/td>/)
})

fragmentsTest('the Markdown keeps a reason on its line and out of the table syntax', () => renderDiffMarkdown(input), [
  '## regression (1): newly failed or broken\n\n- Q0-01: passed → failed: expected &lt;script>alert("x")&lt;/script> &amp; \\| a pipe\n',
  '## fixed (1): failed or broken in A, passed in B\n\n- Q0-02: failed → passed\n',
  '| regression | 1 | newly failed or broken |',
  '> **Not like with like:** timeout scale 1 in A, 2 in B.',
  '| Q0-03 | 20.0 s | 1 min 0 s | +200 % |',
])

test('the Markdown names both runs by cluster and version, with totals counted from their claims', () => {
  const md = renderDiffMarkdown(input)
  expect(md).toContain('- A: https://10.0.0.1:6443 (Kubernetes v1.36.3), started 2026-12-05T18:00:00.000Z; claims: 2 passed, 0 partial, 1 failed, 0 broken, 0 skipped (reports/&lt;before>)')
  expect(md).not.toContain('Warning')
})
