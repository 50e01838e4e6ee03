// reports/index.html in a real browser: Debian's chromium, headless, opens
// the page built from the fixture report (testdata/claims-report.json). The
// DOM it builds holds the matrix and the SVG timelines, and its screenshot
// shows them: the timeline bars' colours are there, pixel for pixel. And a
// storage class's datasheet, from a real cloud-shape run (testdata/cloud2-claims.json).
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { ClaimsReport } from './claims.ts'
import { buildDatasheet } from './datasheet.ts'
import { renderDatasheetHtml } from './datasheet-html.ts'
import { renderHtmlReport } from './html.ts'
import { expectColours, renderedPage, requireChromium, runChromium, screenshot } from './testdata/chromium.ts'
import { phaseStyle } from './timeline-svg.ts'

describe('the HTML report in headless chromium', () => {
  const page = renderedPage('sc-report-render-', 'index.html', async () => {
    const report = JSON.parse(await readFile(join(import.meta.dirname, 'testdata', 'claims-report.json'), 'utf8')) as ClaimsReport
    return renderHtmlReport(report, { diagnosticsHref: (d) => `${d.split('/').at(-1)}/` })
  })

  test.concurrent('its DOM holds the claims matrix and an SVG timeline per attached timeline', async ({ skip }) => {
    requireChromium(skip)
    const dom = (await runChromium(page(), ['--dump-dom'])).stdout
    expect(dom).toContain('<table class="matrix" id="matrix-table">')
    for (const id of ['Q0-01', 'Q0-04', 'Q0-09', 'Q0-10', 'Q0-12', 'Q1-05']) expect(dom).toContain(`>${id}</a></td>`)
    expect(dom.match(/<svg class="timeline"/g)).toHaveLength(2)
    expect(dom).toMatch(/<figure id="timeline-Q0-10-0">[\s\S]*<text[^>]*class="pod"[^>]*>podinfo-1<\/text>/)
  }, 90_000)

  test.concurrent('its screenshot at 1280×2000 shows the matrix colours and the timeline bars', async ({ skip }) => {
    requireChromium(skip)
    const { seen } = await screenshot(page(), join(dirname(page()), 'report.png'), 1280, 2000)
    // Passed and failed cells of the matrix, then the Ready and terminating bars of the timelines.
    expectColours(seen, [
      ['#dafbe1', 'passed cells', 10_000], ['#ffebe9', 'failed cells', 1000],
      [phaseStyle.ready.fill, 'Ready bars', 1500], [phaseStyle.terminating.fill, 'terminating bars', 400],
    ])
  }, 90_000)
})

describe('a storage-class datasheet in headless chromium', () => {
  const sheet = renderedPage('sc-datasheet-render-', 'ext4.html', async () => {
    const report = JSON.parse(await readFile(join(import.meta.dirname, 'testdata', 'cloud2-claims.json'), 'utf8')) as ClaimsReport
    return renderDatasheetHtml(buildDatasheet(report, 'ext4'))
  })

  test.concurrent('its DOM holds the capability table, the verdicts, the timings and fio\'s figures; its screenshot their colours', async ({ skip }) => {
    requireChromium(skip)
    const dom = (await runChromium(sheet(), ['--dump-dom'])).stdout
    expect(dom).toContain('<h1>Storage class <code>ext4</code></h1>')
    expect(dom.match(/<section id="(capabilities|claims|timings|io|not-recorded)">/g)).toHaveLength(5)
    expect(dom).toContain('<td>Block</td><td>not declared</td>')
    expect(dom).toContain('32,460 IOPS, latency p50 212 µs, p99 4,358 µs')
    const { seen } = await screenshot(sheet(), `${sheet()}.png`, 1280, 1400)
    // "has it" yes cells and passed verdicts; no and skipped ones.
    expectColours(seen, [['#dafbe1', 'yes and passed cells', 3000], ['#eaeef2', 'no and skipped cells', 500]])
  }, 90_000)
})
