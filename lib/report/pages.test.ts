// The human reports built from a fixture claims report (testdata/claims-report.json:
// a real run of quest 000, with one claim made to fail and one skipped).
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { ClaimsReport } from './claims.ts'
import { renderHtmlReport } from './html.ts'
import { renderMarkdownSummary } from './markdown.ts'
import { claimMatrix } from './matrix.ts'

const fixtureReport = (): ClaimsReport => JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', 'claims-report.json'), 'utf8'))
const href = (dir: string) => `${basename(dir)}/`

describe('claims matrix', () => {
  test('one row per claim, a column per storage class, the row marked by its worst result', () => {
    const m = claimMatrix(fixtureReport())
    expect(m.classes).toEqual(['hostpath-immediate', 'standard'])
    const rows = m.groups.flatMap((g) => g.rows.map((r) => [r.id, r.perClass, r.status]))
    expect(rows).toEqual([
      ['Q0-01', false, 'passed'], ['Q0-04', false, 'passed'], ['Q0-09', true, 'passed'], ['Q0-10', false, 'passed'],
      ['Q0-12', true, 'failed'], ['Q1-05', true, 'partial'],
    ])
    expect(m.groups.map((g) => g.group)).toEqual(['Q0', 'Q1'])
  })
})

describe('HTML report', () => {
  const html = renderHtmlReport(fixtureReport(), { diagnosticsHref: href })

  test('is one self-contained page: no scripts, no external stylesheets or images', () => {
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).not.toMatch(/<script|<link |<img |src=|url\(/i)
    expect(html).not.toMatch(/href="(https?:)?\/\//)
  })

  test('shows the cluster, the totals and the matrix with a cell per class', () => {
    expect(html).toContain('<code>https://10.250.0.2:6443</code>')
    expect(html).toContain('<dt>Kubernetes</dt><dd>v1.36.3</dd>')
    // A report written before the verdict broken existed counts none.
    expect(html).toContain('6 passed</span><span class="partial">1 partial</span><span class="failed">1 failed</span><span class="broken">0 broken</span><span class="skipped">1 skipped')
    expect(html).toContain('<th>hostpath-immediate</th><th>standard</th>')
    // A claim independent of the class spans both class columns.
    expect(html).toMatch(/<a href="#Q0-01">Q0-01<\/a>.*?<td class="cell passed" colspan="2">/)
    expect(html).toContain('&lt;deployment&gt;-&lt;template-hash&gt;')
    expect(html).toMatch(/✓ passed<\/span><span class="dur">26\.4 s<\/span><div class="reason muted">bound in 1\.2s<\/div>/)
  })

  test('a partial claim has its own mark and colour, and names the part not checked, in the matrix and its details', () => {
    expect(html).toMatch(/<td class="cell partial"><span class="status partial">◐ partial<\/span>.*not checked on this cluster: moving the pod to a node the volume excludes/)
    expect(html).toMatch(/<p class="partial"><b>Only in part:<\/b> not checked on this cluster: moving the pod/)
    expect(html).toMatch(/\.partial \{ color: var\(--partial\) \}/)
  })

  test('a failed claim shows why and links its diagnostics directory; a skipped one says why', () => {
    expect(html).toContain('<a href="Q0-12_what_is_stored_on_pod_0_cannot_be_read_from_pod_1_standard/">diagnostics</a>')
    expect(html).toMatch(/<td class="cell failed"><span class="status failed">✗ failed<\/span>.*expected &#39;&#39; to be &#39;reading file failed&#39;/)
    expect(html).toMatch(/<td class="cell skipped">.*one schedulable node: moving a pod to another node needs two/)
    expect(html).toMatch(/<details class="claim" id="Q0-12-standard" open>/)
  })

  test('draws a timeline per attached timeline, with its expected order and verdict', () => {
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(2)
    expect(html).toContain('<figure id="timeline-Q0-10-0">')
    expect(html).toMatch(/<li>podinfo-1 terminating \(old\) <span class="muted">\+[\d.]+s<\/span><\/li><li>podinfo-1 ready \(new\)/)
    expect(html).toContain('✓ observed in this order')
  })
})

describe('Markdown summary', () => {
  const md = renderMarkdownSummary(fixtureReport(), { diagnosticsHref: href })

  test('has the totals, the cluster and a table row per claim', () => {
    expect(md.split('\n')[0]).toBe('## Stateful conformance: 6 passed, 1 partial, 1 failed, 0 broken, 1 skipped')
    expect(md).toContain('Kubernetes v1.36.3, 1 node;')
    expect(md).toContain('| claim | what it says | any class | hostpath-immediate | standard |')
    expect(md).toMatch(/^\| Q0-12 \| what is stored on pod 0 cannot be read from pod 1 \| {2}\| ✅ passed [\d.]+ s \| ❌ failed [\d.]+ s \|$/m)
    expect(md).toMatch(/^\| Q0-01 \| .* \| ✅ passed [\d.]+ s \| {2}\| {2}\|$/m)
    expect(md).toMatch(/^\| Q0-09 \| .* \| ✅ passed 26\.4 s \(bound in 1\.2s\) \|$/m)
  })

  test('lists failures with their diagnostics, skips and partial claims with their reasons', () => {
    expect(md).toContain('### Failed')
    expect(md).toMatch(/- \*\*Q0-12\*\* \[standard\] .*reading file failed.* — diagnostics: `Q0-12_what_is_stored_on_pod_0_cannot_be_read_from_pod_1_standard\/`/)
    expect(md).toMatch(/### Skipped\n\n- \*\*Q1-05\*\* \[standard\] .*: one schedulable node/)
    expect(md).toMatch(/### Partial \(what was checked held; a part could not be checked here\)\n\n- \*\*Q1-05\*\* \[hostpath-immediate\] .*not checked on this cluster: moving the pod to a node the volume excludes/)
    expect(md).toMatch(/^\| Q1-05 \| .* \| 🌓 partial [\d.]+ s \| ⏭️ skipped [\d.]+ s \|$/m)
  })

  test('draws each timeline in text with its order', () => {
    expect(md).toMatch(/\*\*Q0-10\*\* .*: 1\. podinfo-1 terminating \(old\) \+[\d.]+s → 2\. podinfo-1 ready \(new\) .* — observed in this order/)
    expect(md).toMatch(/```text\npodinfo-0 \|[^\n]*\|\npodinfo-1 \|/)
  })
})

describe('a waived failure', () => {
  const report = fixtureReport()
  const failed = report.claims.find((e) => e.status === 'failed')!
  failed.waived = 'known on this cluster'
  report.summary = { ...report.summary, waived: 1 }

  test('says it is waived, and why, in the page and in the summary', () => {
    const html = renderHtmlReport(report, { diagnosticsHref: href })
    expect(html).toContain('(1 waived)')
    expect(html).toContain('<b>waived</b> (the run accepts it): known on this cluster')
    expect(renderMarkdownSummary(report, { diagnosticsHref: href })).toContain('**waived**: known on this cluster')
  })
})
