// Headless Chromium for the pages' rendering tests (lib/report/browser.test.ts, scripts/history/browser.test.ts,
// scripts/fleet/browser.test.ts): where it is, a skip with the reason on a machine without it (a failure in CI),
// a page opened with its console captured, and its screenshot's pixels: how many of each colour it shows; and
// a temporary folder for the pages.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, expect } from 'vitest'

// Where Chromium or Chrome usually is: Debian, Ubuntu (snap), Fedora, macOS; SC_CHROMIUM names another.
const candidates = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium',
]
const chromium = process.env.SC_CHROMIUM || candidates.find((p) => existsSync(p)) || ''
const noBrowser = `no Chromium or Chrome found (looked in ${candidates.join(', ')}); install one or set SC_CHROMIUM=<path>`

// Skipped, with its reason, on a machine without a browser; CI (CI=true) installs one, so there it fails instead.
export function requireChromium(skip: (note: string) => void): void {
  if (chromium && existsSync(chromium)) return
  if (process.env.CI) throw new Error(`${noBrowser}: the report's rendering test needs it in CI (.ci/run and the workflows install Debian's chromium)`)
  skip(noBrowser)
}

// A temporary folder for a describe block's pages and screenshots, called in the block: made before its tests
// (and before the block's own beforeAll, registered after it), removed with all it holds after them.
export function tmpFolder(prefix: string): () => string {
  let dir = ''
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), prefix)) })
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }) })
  return () => dir
}

// A page rendered into a temporary folder of its own (tmpFolder) before a describe block's tests, called in the
// block; its path once they run. Their screenshots and probe pages go beside it.
export function renderedPage(prefix: string, name: string, render: () => string | Promise<string>): () => string {
  const dir = tmpFolder(prefix)
  let page = ''
  beforeAll(async () => {
    page = join(dir(), name)
    await writeFile(page, await render())
  })
  return () => page
}

// Opens a page (a file) with these flags; stdout is what --dump-dom prints, `console` every console
// message and uncaught error of the page (Chromium logs them to stderr as INFO:CONSOLE lines).
export async function runChromium(page: string, args: string[]): Promise<{ stdout: string; console: string[] }> {
  const profile = await mkdtemp(join(dirname(page), 'profile-'))
  try {
    const { stdout, stderr } = await promisify(execFile)(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`, ...args, `file://${page}`,
    ], { timeout: 60_000, maxBuffer: 32 << 20 })
    return { stdout, console: stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l)) }
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

const hexRgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',')

// How many pixels of a colour ('#dafbe1') a screenshot shows, sampling every other pixel of every other row.
function colourCounter(png: ReturnType<typeof decodePng>): (hex: string) => number {
  const counts = new Map<string, number>()
  for (let y = 0; y < png.height; y += 2) {
    for (let x = 0; x < png.width; x += 2) {
      const key = png.rgb(x, y).join(',')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  return (hex) => counts.get(hexRgb(hex)) ?? 0
}

// The page's screenshot at width × height, written to `file` (its size checked), and its colours counted as
// colourCounter counts them: `sampled` pixels in all.
export async function screenshot(page: string, file: string, width: number, height: number): Promise<{ seen: (hex: string) => number; sampled: number }> {
  await runChromium(page, [`--screenshot=${file}`, `--window-size=${width},${height}`, '--hide-scrollbars'])
  const png = decodePng(await readFile(file))
  expect([png.width, png.height]).toEqual([width, height])
  return { seen: colourCounter(png), sampled: Math.ceil(width / 2) * Math.ceil(height / 2) }
}

// More than so many pixels of each colour, named by what the page paints with it (a blank or unstyled page
// has none of these): one assertion per colour.
// A page's screenshot beside it (`file`, w × h) shows each colour in more than its count of sampled
// pixels, and white in less than `whiteShare` of them: the page is drawn, not blank.
export async function expectDrawn(page: string, file: string, size: readonly [number, number], colours: Parameters<typeof expectColours>[1], whiteShare: number): Promise<void> {
  const { seen, sampled } = await screenshot(page, join(dirname(page), file), size[0], size[1])
  expectColours(seen, colours)
  expect(seen('#ffffff'), 'white: the page is not all background').toBeLessThan(whiteShare * sampled)
}

export function expectColours(seen: (hex: string) => number, colours: ReadonlyArray<readonly [hex: string, what: string, moreThan: number]>): void {
  expect(colours.length, 'colours to look for').toBeGreaterThan(0)
  for (const [hex, what, moreThan] of colours) expect(seen(hex), `${what} (${hex})`).toBeGreaterThan(moreThan)
}
