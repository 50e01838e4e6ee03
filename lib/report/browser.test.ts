// reports/index.html in a real browser: Debian's chromium, headless, opens
// the page built from the fixture report (testdata/claims-report.json). The
// DOM it builds holds the matrix and the SVG timelines, and its screenshot
// shows them: the timeline bars' colours are there, pixel for pixel. And a
// storage class's datasheet, from a real cloud-shape run (testdata/cloud2-claims.json).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClaimsReport } from './claims.ts'
import { buildDatasheet } from './datasheet.ts'
import { renderDatasheetHtml } from './datasheet-html.ts'
import { renderHtmlReport } from './html.ts'
import { phaseStyle } from './timeline-svg.ts'

// Where Chromium or Chrome usually is: Debian, Ubuntu (snap), Fedora, macOS; SC_CHROMIUM names another.
const candidates = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium',
]
const chromium = process.env.SC_CHROMIUM || candidates.find((p) => existsSync(p)) || ''
const noBrowser = `no Chromium or Chrome found (looked in ${candidates.join(', ')}); install one or set SC_CHROMIUM=<path>`

// Skipped, with its reason, on a machine without a browser; CI (CI=true) installs one, so there it fails instead.
function requireChromium(skip: (note: string) => void): void {
  if (chromium && existsSync(chromium)) return
  if (process.env.CI) throw new Error(`${noBrowser}: the report's rendering test needs it in CI (.ci/run and the workflows install Debian's chromium)`)
  skip(noBrowser)
}

let dir = ''
let page = ''

async function runChromium(args: string[], target = page): Promise<string> {
  const profile = await mkdtemp(join(dirname(target), 'profile-'))
  try {
    const { stdout } = await promisify(execFile)(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args, `file://${target}`,
    ], { timeout: 60_000, maxBuffer: 32 << 20 })
    return stdout
  } finally {
    await rm(profile, { recursive: true, force: true })
  }
}

// The pixels of an 8-bit RGB or RGBA PNG, as chromium writes its screenshots.
function decodePng(png: Buffer): { width: number; height: number; rgb: (x: number, y: number) => [number, number, number] } {
  expect(png.subarray(0, 8).toString('hex'), 'PNG signature').toBe('89504e470d0a1a0a')
  let offset = 8
  let width = 0, height = 0, channels = 0
  const idat: Buffer[] = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('ascii', offset + 4, offset + 8)
    const data = png.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      expect(data[8], 'bit depth').toBe(8)
      channels = ({ 2: 3, 6: 4 } as Record<number, number>)[data[9]!] ?? 0
      expect(channels, `colour type ${data[9]}`).toBeGreaterThan(0)
    }
    if (type === 'IDAT') idat.push(data)
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = Buffer.alloc(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    for (let i = 0; i < stride; i++) {
      const cur = raw[y * (stride + 1) + 1 + i]!
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0
      const c = i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels]! : 0
      const p = a + b - c
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!
      pixels[y * stride + i] = (cur + predictor) & 0xff
    }
  }
  return { width, height, rgb: (x, y) => [pixels[y * stride + x * channels]!, pixels[y * stride + x * channels + 1]!, pixels[y * stride + x * channels + 2]!] }
}

const hexRgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))

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
    const dom = await runChromium(['--dump-dom'])
    expect(dom).toContain('<table class="matrix" id="matrix-table">')
    for (const id of ['Q0-01', 'Q0-04', 'Q0-09', 'Q0-10', 'Q0-12', 'Q1-05']) expect(dom).toContain(`>${id}</a></td>`)
    expect(dom.match(/<svg class="timeline"/g)).toHaveLength(2)
    expect(dom).toMatch(/<figure id="timeline-Q0-10-0">[\s\S]*<text[^>]*class="pod"[^>]*>podinfo-1<\/text>/)
  }, 90_000)

  test.concurrent('its screenshot at 1280×2000 shows the matrix colours and the timeline bars', async ({ skip }) => {
    requireChromium(skip)
    const file = join(dir, 'report.png')
    await runChromium([`--screenshot=${file}`, '--window-size=1280,2000', '--hide-scrollbars'])
    const png = decodePng(await readFile(file))
    expect([png.width, png.height]).toEqual([1280, 2000])
    const counts = new Map<string, number>()
    for (let y = 0; y < png.height; y += 2) {
      for (let x = 0; x < png.width; x += 2) {
        const key = png.rgb(x, y).join(',')
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
    const seen = (hex: string) => counts.get(hexRgb(hex).join(',')) ?? 0
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
    const dom = await runChromium(['--dump-dom'], sheet)
    expect(dom).toContain('<h1>Storage class <code>ext4</code></h1>')
    expect(dom.match(/<section id="(capabilities|claims|timings|io|not-recorded)">/g)).toHaveLength(5)
    expect(dom).toContain('<td>Block</td><td>not declared</td>')
    expect(dom).toContain('32,460 IOPS, latency p50 212 µs, p99 4,358 µs')
    const file = `${sheet}.png`
    await runChromium([`--screenshot=${file}`, '--window-size=1280,1400', '--hide-scrollbars'], sheet)
    const png = decodePng(await readFile(file))
    const counts = new Map<string, number>()
    for (let y = 0; y < png.height; y += 2) for (let x = 0; x < png.width; x += 2) counts.set(png.rgb(x, y).join(','), (counts.get(png.rgb(x, y).join(',')) ?? 0) + 1)
    const seen = (hex: string) => counts.get(hexRgb(hex).join(',')) ?? 0
    // "has it" yes cells and passed verdicts; no and skipped ones (a blank or unstyled page has none).
    expect(seen('#dafbe1'), 'yes and passed cells (#dafbe1)').toBeGreaterThan(3000)
    expect(seen('#eaeef2'), 'no and skipped cells (#eaeef2)').toBeGreaterThan(500)
  }, 90_000)
})
