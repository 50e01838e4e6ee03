// SC-10's chart and table, and the capability table, in both reports: built
// from the fixture claims report with two SC-10 entries and the probe's capabilities added.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { IoFigures } from '../apps/fio.ts'
import { snapshotSupport } from '../storage/advanced.ts'
import { classCapabilities } from '../storage/capabilities.ts'
import type { ClaimEntry, ClaimsReport } from './claims.ts'
import { renderHtmlReport } from './html.ts'
import { ioChartSvg, measuredIo } from './io-chart.ts'
import { renderMarkdownSummary } from './markdown.ts'

const io = (o: Partial<IoFigures> = {}): IoFigures => ({
  seqWriteMiBps: 812.4, seqReadMiBps: 1650, randReadIops: 41000, randWriteIops: 22000,
  randReadLatencyUs: { p50: 310, p99: 900.5 }, randWriteLatencyUs: { p50: 420, p99: 2100 },
  directIo: true, fileSize: '256Mi', claimSize: '1Gi', runtimeSeconds: 4, ...o,
})
const sc10 = (storageClass: string, figures: IoFigures): ClaimEntry => ({
  id: 'SC-10', title: 'I/O performance', status: 'passed', storageClass, durationMs: 19_000, measurements: { io: figures },
})
const accepted = { result: 'accepted' as const, detail: 'bound to pv-1', ms: 900 }

function report(): ClaimsReport {
  const r: ClaimsReport = JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', 'claims-report.json'), 'utf8'))
  r.claims.push(sc10('hostpath-immediate', io()), sc10('standard', io({ seqWriteMiBps: 95, randReadIops: 2500, directIo: false, directIoRefused: 'fio: looks like your file system does not support direct=1/buffered=0' })))
  const caps = classCapabilities({ metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' }, null,
    { ReadWriteOnce: accepted, ReadWriteOncePod: accepted, ReadWriteMany: { result: 'refused', detail: 'NodePath only supports ReadWriteOnce' } })
  r.run.capabilities = { standard: { ...caps, block: { result: 'refused', detail: 'no block' }, clone: accepted, snapshots: snapshotSupport(false, [], 'rancher.io/local-path') } }
  return r
}

describe('SC-10 in the reports', () => {
  test('the classes SC-10 measured, in report order', () => {
    expect(measuredIo(report()).map((r) => r.storageClass)).toEqual(['hostpath-immediate', 'standard'])
  })

  test('the chart is an inline SVG with a bar per class in each of the six panels, buffered classes starred', () => {
    const svg = ioChartSvg(measuredIo(report()))
    expect(svg).toMatch(/^<svg class="io" xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg.match(/<text [^>]*class="title"/g)).toHaveLength(6)
    expect(svg.match(/<text [^>]*class="cls">standard</g)).toHaveLength(6)
    expect(svg).toContain('41,000 IOPS')
    expect(svg).toContain('95 MiB/s *')
    expect(svg).toContain('901 (p50 310) µs')
  })

  test('index.html carries the chart and the note on buffered I/O, and stays self-contained', () => {
    const html = renderHtmlReport(report())
    expect(html).toContain('<section id="io">')
    expect(html).toContain('<svg class="io"')
    expect(html).toMatch(/buffered I\/O: the filesystem of <code>standard<\/code> refused O_DIRECT/)
    expect(html).not.toMatch(/<script|<link |<img |src=|url\(/i)
  })

  test('summary.md has the table, a row per class', () => {
    const md = renderMarkdownSummary(report())
    expect(md).toContain('### I/O (SC-10, fio)')
    expect(md).toContain('| hostpath-immediate | 812 | 1,650 | 41,000 | 310 / 901 | 22,000 | 420 / 2,100 | yes | 256Mi / 1Gi |')
    expect(md).toContain('| standard | 95 |')
    expect(md).toContain('| no (buffered) |')
  })

  test('a run without SC-10 says so in the page and adds nothing to the summary', () => {
    const r = report()
    r.claims = r.claims.filter((e) => e.id !== 'SC-10')
    expect(renderHtmlReport(r)).toContain('SC-10 measured no class in this run.')
    expect(renderMarkdownSummary(r)).not.toContain('I/O (SC-10')
  })
})

describe('the capability table', () => {
  test('a row per class, a column per capability, in the page (evidence as a tooltip) and the summary', () => {
    const html = renderHtmlReport(report())
    expect(html).toContain('<section id="capabilities">')
    expect(html).toMatch(/<td class="no" title="NodePath only supports ReadWriteOnce">refused<\/td>/)
    const md = renderMarkdownSummary(report())
    expect(md).toContain('| class | binding | expansion | RWO | RWOP | RWX | fsGroup | block | snapshots | clone | node-local | min size |')
    expect(md).toContain('| standard | WaitForFirstConsumer | not allowed | accepted | accepted | refused | unknown | refused | API not served | accepted | unknown |')
  })
})
