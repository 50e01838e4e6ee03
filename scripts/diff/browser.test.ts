// reports/diff/diff.html in a real browser: headless Chromium opens the page `npm run diff` writes for
// two runs that differ in every way a claim can change. The DOM it builds holds the counts and one row
// per change, the page logs nothing to the console, and its screenshot shows each change's colour: the
// page is drawn, not blank.
import { describe, expect, test } from 'vitest'
import { expectDrawn, renderedPage, requireChromium, runChromium } from '../../lib/report/testdata/chromium.ts'
import { compareRuns } from './compare.ts'
import { renderDiffHtml } from './pages.ts'
import { entry, report } from './testdata/build.ts'

const a = report([
  entry('Q0-01', 'passed'), entry('Q0-02', 'failed', { reason: 'was failing' }), entry('Q0-03', 'failed', { reason: 'still failing' }),
  entry('Q0-04', 'passed'), entry('Q0-05', 'skipped', { reason: 'no second node' }), entry('Q0-06', 'passed'),
])
const b = report([
  entry('Q0-01', 'broken', { reason: 'gave up waiting for web-0' }), entry('Q0-02', 'passed'), entry('Q0-03', 'failed', { reason: 'still failing' }),
  entry('Q0-04', 'partial', { unchecked: ['a move across nodes'] }), entry('Q0-05', 'passed'), entry('Q0-06', 'passed'),
])

describe('the run diff page in headless chromium', () => {
  const page = renderedPage('sc-diff-render-', 'diff.html', () => {
    const diff = compareRuns(a, b)
    expect(diff.counts.regression).toBe(1)
    return renderDiffHtml({ a: { label: 'reports/a', report: a }, b: { label: 'reports/b', report: b }, diff })
  })

  test.concurrent('its DOM holds each change with both verdicts; the console stays empty', async ({ skip }) => {
    requireChromium(skip)
    const { stdout: dom, console } = await runChromium(page(), ['--dump-dom'])
    expect(console, 'console messages of the page').toEqual([])
    const rows = [...dom.matchAll(/<td>(regression|still failing|fixed|lost visibility|gained visibility)<\/td><td>(Q0-\d\d)<\/td><td><\/td><td>(\w+)<\/td><td>(\w+)<\/td>/g)]
      .map((m) => `${m[1]} ${m[2]} ${m[3]} → ${m[4]}`)
    expect(rows.sort()).toEqual([
      'fixed Q0-02 failed → passed', 'gained visibility Q0-05 skipped → passed', 'lost visibility Q0-04 passed → partial',
      'regression Q0-01 passed → broken', 'still failing Q0-03 failed → failed',
    ])
  }, 90_000)

  test.concurrent('its screenshot at 1280×900 shows each change\'s colour', async ({ skip }) => {
    requireChromium(skip)
    // Each change colours its row in the counts table and its row in the changes table.
    await expectDrawn(page(), 'diff.png', [1280, 900], [
      ['#f4b6b6', 'regression rows', 500], ['#f4d6a0', 'still failing rows', 500], ['#cfe8cf', 'fixed rows', 500],
      ['#fff8c5', 'lost visibility rows', 500], ['#dbeafe', 'gained visibility rows', 500],
    ], 0.98)
  }, 90_000)
})
