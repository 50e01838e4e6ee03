// A vitest reporter that writes reports/claims.json, the human reports beside
// it (index.html, summary.md, a datasheet per storage class) and prints the claims table.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { buildClaimsReport, type ClaimsReport, describeUsage, type FinishedTest, formatClaimsTable } from './claims.ts'
import { writeDatasheets } from './datasheet-files.ts'
import { classesOfRun } from './datasheet.ts'
import { finishedTest } from './finished-test.ts'
import { renderHtmlReport } from './html.ts'
import { renderMarkdownSummary } from './markdown.ts'

// reports/datasheets/<class>.{json,html}, or why not: a datasheet is a view of claims.json, already
// written, so a failure to make one is printed and never fails the run. Returns the line's tail.
export function writeDatasheetsSafely(report: ClaimsReport, dir: string, write = writeDatasheets): string {
  try {
    const classes = classesOfRun(report)
    if (!classes.length) return ''
    write(report, dir, classes)
    return `, ${join(dir, '*.html')} (${classes.length} datasheet${classes.length === 1 ? '' : 's'})`
  } catch (e) {
    console.error(`datasheets not written (the run's other reports are): ${(e as Error).message ?? e}`)
    return ''
  }
}

export default class ClaimsReporter implements Reporter {
  private readonly dir: string
  private namePattern?: string | RegExp

  constructor(opts: { reportsDir?: string } = {}) {
    this.dir = resolve(opts.reportsDir ?? process.env.SC_REPORTS_DIR ?? 'reports')
  }

  onInit(vitest: Vitest): void {
    this.namePattern = vitest.config.testNamePattern
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const tests: FinishedTest[] = modules.flatMap((m) => [...m.children.allTests()].map((t) => finishedTest(t, this.namePattern)))
    const count = (state: FinishedTest['state']) => tests.filter((t) => t.state === state).length
    const totals = `tests: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`
    if (!tests.some((t) => t.meta.claim)) { // a run without specs: unit tests only
      console.log(totals)
      return
    }
    const run = await readFile(join(this.dir, '.run.json'), 'utf8').then((s) => JSON.parse(s), () => ({ startedAt: new Date().toISOString() }))
    // The run's gate keeps its latest figures there (lib/harness/gate-server.ts).
    run.usage = await readFile(join(this.dir, '.usage.json'), 'utf8').then((s) => JSON.parse(s), () => undefined)
    const report = buildClaimsReport(tests, run, new Date().toISOString())
    await mkdir(this.dir, { recursive: true })
    await writeFile(join(this.dir, 'claims.json'), JSON.stringify(report, null, 2) + '\n')
    // Diagnostics directories are linked relative to the pages, so reports/ can move (a CI artifact).
    const diagnosticsHref = (dir: string) => `${relative(this.dir, dir).split(sep).map(encodeURIComponent).join('/')}/`
    await writeFile(join(this.dir, 'index.html'), renderHtmlReport(report, { diagnosticsHref }))
    await writeFile(join(this.dir, 'summary.md'), renderMarkdownSummary(report, { diagnosticsHref }))
    const datasheets = writeDatasheetsSafely(report, join(this.dir, 'datasheets'))
    const usage = report.run.usage ? `\nrun: timeout scale ${report.run.timeoutScale ?? '?'}; ${describeUsage(report.run.usage)}` : ''
    console.log(`\n${formatClaimsTable(report)}${usage}\nreports: ${join(this.dir, 'index.html')}, ${join(this.dir, 'summary.md')}, ${join(this.dir, 'claims.json')}, ${join(this.dir, 'junit.xml')}${datasheets}\n${totals}`)
  }
}
