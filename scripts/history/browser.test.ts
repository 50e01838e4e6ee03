// reports/history/index.html in a real browser: headless Chromium opens the page built from the three
// stored nightly runs of testdata/nightly (read as `npm run history` reads them). The DOM it builds holds
// the claim × run matrix and the breaks, the page logs nothing to the console, and its screenshot shows
// every verdict's colour: the page is drawn, not blank.
import { writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { expectDrawn, renderedPage, requireChromium, runChromium } from '../../lib/report/testdata/chromium.ts'
import { buildHistory } from './build.ts'
import { loadRuns } from './load.ts'
import { renderHistoryHtml } from './page.ts'

const testdata = fileURLToPath(new URL('./testdata', import.meta.url))

describe('the history page in headless chromium', () => {
  const page = renderedPage('sc-history-render-', 'index.html', () => {
    const { runs } = loadRuns(join(testdata, 'nightly'), (p) => relative(testdata, p))
    expect(runs).toHaveLength(3)
    return renderHistoryHtml(buildHistory(runs))
  })

  test.concurrent('its DOM holds the matrix of 9 claim × class rows by 3 runs and the 3 breaks; the console stays empty', async ({ skip }) => {
    requireChromium(skip)
    const { stdout: dom, console } = await runChromium(page(), ['--dump-dom'])
    expect(console, 'console messages of the page').toEqual([])
    const matrix = dom.slice(dom.indexOf('<table class="history">'), dom.indexOf('</table>', dom.indexOf('<table class="history">')))
    expect([...matrix.matchAll(/<th class="run"[^>]*>(r\d)/g)].map((m) => m[1])).toEqual(['r1', 'r2', 'r3'])
    expect([...matrix.matchAll(/<td class="id"[^>]*>([^<]+)<\/td><td class="class">(?:<span class="muted">)?([^<]+)</g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      'Q0-01 any', 'Q0-04 any', 'Q0-09 hostpath-immediate', 'Q0-09 standard', 'Q0-10 any',
      'Q0-12 hostpath-immediate', 'Q0-12 standard', 'Q1-05 hostpath-immediate', 'Q1-05 standard',
    ])
    expect(matrix.match(/<td class="v (passed|partial|failed|broken|skipped)"/g)).toHaveLength(27)
    expect(dom.match(/<td class="mono run"/g)).toHaveLength(3)
  }, 90_000)

  // The check above is worth something only if a page's console does reach the test.
  test.concurrent('a page that logs and throws is caught by the same console capture', async ({ skip }) => {
    requireChromium(skip)
    const probe = join(dirname(page()), 'probe.html')
    await writeFile(probe, '<!doctype html><title>probe</title><script>console.error("probe error"); undefinedFunction()</script>')
    const { console } = await runChromium(probe, ['--dump-dom'])
    expect(console.join('\n')).toContain('"probe error"')
    expect(console.join('\n')).toContain('Uncaught ReferenceError: undefinedFunction is not defined')
  }, 90_000)

  test.concurrent('its screenshot at 1280×1400 shows the five verdicts\' colours in the matrix', async ({ skip }) => {
    requireChromium(skip)
    // Every other pixel of every other row, 448,000 in all; about half of what this page shows (the
    // matrix and the breaks' verdict cells).
    await expectDrawn(page(), 'history.png', [1280, 1400], [
      ['#dafbe1', 'passed cells', 6000], ['#ffebe9', 'failed cells', 2500], ['#fbefff', 'broken cells', 1200],
      ['#fff8c5', 'partial cells', 900], ['#eaeef2', 'skipped cells and group rows', 5000],
    ], 0.9)
  }, 90_000)
})
