// reports/index.html in a real browser: Debian's chromium, headless, opens
// the page built from the fixture report (testdata/claims-report.json). The
// DOM it builds holds the matrix and the SVG timelines, and its screenshot
// shows them: the timeline bars' colours are there, pixel for pixel. And a
// storage class's datasheet, from a real cloud-shape run (testdata/cloud2-claims.json).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClaimsReport } from './claims.ts'
import { buildDatasheet } from './datasheet.ts'
import { renderDatasheetHtml } from './datasheet-html.ts'
import { renderHtmlReport } from './html.ts'
import { colourCounter, decodePng, requireChromium, runChromium } from './testdata/chromium.ts'
import { phaseStyle } from './timeline-svg.ts'

let dir = ''
let page = ''

describe('the HTML report in headless chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-report-render-'))
    page = join(dir, 'index.html')
    const report = JSON.parse(await readFile(join(import.meta.dirname, 'testdata', 'claims-report.json'), 'utf8')) as ClaimsReport
    await writeFile(page, renderHtmlReport(report, { diagnosticsHref: (d) => `${d.split('/').at(-1)}/` }))
  })
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }) })

  test.concurrent('its DOM holds the claims matrix and an SVG timeline per attached timeline', async ({ skip }) => {
    requireChromium(skip)
    const dom = (await runChromium(page, ['--dump-dom'])).stdout
    expect(dom).toContain('<table class="matrix" id="matrix-table">')
    for (const id of ['Q0-01', 'Q0-04', 'Q0-09', 'Q0-10', 'Q0-12', 'Q1-05']) expect(dom).toContain(`>${id}</a></td>`)
    expect(dom.match(/<svg class="timeline"/g)).toHaveLength(2)
    expect(dom).toMatch(/<figure id="timeline-Q0-10-0">[\s\S]*<text[^>]*class="pod"[^>]*>podinfo-1<\/text>/)
  }, 90_000)

  test.concurrent('its screenshot at 1280×2000 shows the matrix colours and the timeline bars', async ({ skip }) => {
    requireChromium(skip)
    const file = join(dir, 'report.png')
    await runChromium(page, [`--screenshot=${file}`, '--window-size=1280,2000', '--hide-scrollbars'])
    const png = decodePng(await readFile(file))
    expect([png.width, png.height]).toEqual([1280, 2000])
    const seen = colourCounter(png)
    // Passed and failed cells of the matrix, then the Ready and terminating bars of the
    // timelines (every other pixel of every other row; a blank or unstyled page has none).
    expect(seen('#dafbe1'), 'passed cells (#dafbe1)').toBeGreaterThan(10_000)
    expect(seen('#ffebe9'), 'failed cells (#ffebe9)').toBeGreaterThan(1000)
    expect(seen(phaseStyle.ready.fill), `Ready bars (${phaseStyle.ready.fill})`).toBeGreaterThan(1500)
    expect(seen(phaseStyle.terminating.fill), `terminating bars (${phaseStyle.terminating.fill})`).toBeGreaterThan(400)
  }, 90_000)
})

describe('a storage-class datasheet in headless chromium', () => {
  let sheet = ''
  beforeAll(async () => {
    const sheetDir = await mkdtemp(join(tmpdir(), 'sc-datasheet-render-'))
    sheet = join(sheetDir, 'ext4.html')
    const report = JSON.parse(await readFile(join(import.meta.dirname, 'testdata', 'cloud2-claims.json'), 'utf8')) as ClaimsReport
    await writeFile(sheet, renderDatasheetHtml(buildDatasheet(report, 'ext4')))
  })
  afterAll(async () => { if (sheet) await rm(dirname(sheet), { recursive: true, force: true }) })

  test.concurrent('its DOM holds the capability table, the verdicts, the timings and fio\'s figures; its screenshot their colours', async ({ skip }) => {
    requireChromium(skip)
    const dom = (await runChromium(sheet, ['--dump-dom'])).stdout
    expect(dom).toContain('<h1>Storage class <code>ext4</code></h1>')
    expect(dom.match(/<section id="(capabilities|claims|timings|io|not-recorded)">/g)).toHaveLength(5)
    expect(dom).toContain('<td>Block</td><td>not declared</td>')
    expect(dom).toContain('32,460 IOPS, latency p50 212 µs, p99 4,358 µs')
    const file = `${sheet}.png`
    await runChromium(sheet, [`--screenshot=${file}`, '--window-size=1280,1400', '--hide-scrollbars'])
    const png = decodePng(await readFile(file))
    const seen = colourCounter(png)
    // "has it" yes cells and passed verdicts; no and skipped ones (a blank or unstyled page has none).
    expect(seen('#dafbe1'), 'yes and passed cells (#dafbe1)').toBeGreaterThan(3000)
    expect(seen('#eaeef2'), 'no and skipped cells (#eaeef2)').toBeGreaterThan(500)
  }, 90_000)
})
