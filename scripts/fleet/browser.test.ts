// The fleet's index.html in headless Chromium, built as npm run fleet builds it from a fleet folder:
// two clusters' claims.json and index.html (real runs: lib/report/testdata) and one cluster whose
// setup refused it. Its DOM holds the matrix, every link reaches a claim in a cluster's own page,
// the page writes nothing to its console, and its screenshot shows the five verdicts' colours.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { expectColours, requireChromium, runChromium, screenshot, tmpFolder } from '../../lib/report/testdata/chromium.ts'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { renderHtmlReport } from '../../lib/report/html.ts'
import { loadClaims } from '../diff/load.ts'
import { buildFleet, type ChildEnd } from './merge.ts'
import { renderFleetHtml } from './pages.ts'

const testdata = join(import.meta.dirname, '..', '..', 'lib', 'report', 'testdata')
const fixture = (name: string) => JSON.parse(readFileSync(join(testdata, name), 'utf8')) as ClaimsReport
const ended = (o: Partial<ChildEnd> = {}): ChildEnd => ({ exitCode: 1, signal: null, interrupted: false, tail: [], durationMs: 1_800_000, ...o })

let out = ''

// <out>/<label>/claims.json and index.html, as each cluster's run writes them.
function writeRun(label: string, report: ClaimsReport): void {
  mkdirSync(join(out, label), { recursive: true })
  writeFileSync(join(out, label, 'claims.json'), JSON.stringify(report))
  writeFileSync(join(out, label, 'index.html'), renderHtmlReport(report))
}

describe('the fleet page in headless chromium', () => {
  const folder = tmpFolder('sc-fleet-render-')
  beforeAll(() => {
    out = folder()
    const prod = fixture('cloud2-claims.json')
    const turn = (id: string, status: 'failed' | 'broken', reason: string) => {
      for (const e of prod.claims.filter((x) => x.id === id)) Object.assign(e, { status, reason })
    }
    turn('Q0-01', 'broken', 'gave up waiting for deployment podinfo to be available')
    turn('Q0-04', 'failed', 'restarts 0 → 0: expected 1')
    writeRun('embedded-dev', fixture('claims-report.json'))
    writeRun('prod-eu', prod)
    const fleet = buildFleet([
      { target: { label: 'embedded-dev', embedded: 'dev' }, end: ended(), report: loadClaims(join(out, 'embedded-dev')) },
      { target: { label: 'prod-eu', context: 'prod-eu' }, end: ended(), report: loadClaims(join(out, 'prod-eu')) },
      { target: { label: 'staging', context: 'staging' }, end: ended({ exitCode: 2, durationMs: 2_100, tail: [{ stream: 'err', text: 'stateful-conformance: the cluster of context "staging" at https://10.1.0.1:6443: unreachable: connect ETIMEDOUT 10.1.0.1:6443' }] }) },
    ], { startedAt: '2026-12-05T18:00:00.000Z', finishedAt: '2026-12-05T18:30:00.000Z' })
    writeFileSync(join(out, 'index.html'), renderFleetHtml(fleet))
  })

  test.concurrent('its DOM holds the matrix, the refused cluster\'s column says why, every link reaches a claim of a cluster\'s own page; nothing on its console', async ({ skip }) => {
    requireChromium(skip)
    const { stdout: dom, console: logged } = await runChromium(join(out, 'index.html'), ['--dump-dom'])
    expect(logged, 'what the page wrote to its console').toEqual([])
    expect(dom).toContain('<table class="matrix fleet" id="fleet-matrix">')
    expect(dom).toContain('staging<div class="reason"><b class="failed">preflight failed:</b> the cluster of context "staging" at https://10.1.0.1:6443: unreachable: connect ETIMEDOUT 10.1.0.1:6443</div>')
    const links = [...dom.matchAll(/<td class="cell [a-z]+"[^>]*><a href="([^"#]+)#([^"]+)"/g)].map((m) => ({ file: m[1]!, anchor: m[2]! }))
    expect(links.length).toBeGreaterThan(100)
    for (const { file, anchor } of links) {
      expect(existsSync(join(out, file)), file).toBe(true)
      expect(readFileSync(join(out, file), 'utf8'), `${file}#${anchor}`).toContain(` id="${anchor}"`)
    }
  }, 90_000)

  test.concurrent('its screenshot at 1280×2000 shows the five verdicts\' colours and the refused column', async ({ skip }) => {
    requireChromium(skip)
    const { seen } = await screenshot(join(out, 'index.html'), join(out, 'fleet.png'), 1280, 2000)
    expectColours(seen, [
      ['#dafbe1', 'passed cells', 10_000], ['#ffebe9', 'failed cells and the refused cluster\'s header', 1_000], ['#fbefff', 'broken cells', 300],
      ['#fff8c5', 'partial cells', 100], ['#eaeef2', 'skipped cells and the series rows', 300],
    ])
  }, 90_000)

  test.concurrent('the console check sees what a page writes there, so that its silence above means something', async ({ skip }) => {
    requireChromium(skip)
    const page = join(out, 'noisy.html')
    writeFileSync(page, '<!doctype html><title>noisy</title><script>console.error("boom")</script>')
    const { console: logged } = await runChromium(page, ['--dump-dom'])
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain('"boom"')
  }, 90_000)
})
