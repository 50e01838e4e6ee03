// A vitest reporter that writes reports/claims.json, the human reports beside
// it (index.html, summary.md) and prints the claims table.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'
import { buildClaimsReport, describeUsage, type FinishedTest, formatClaimsTable } from './claims.ts'
import { finishedTest } from './finished-test.ts'
import { renderHtmlReport } from './html.ts'
import { renderMarkdownSummary } from './markdown.ts'

export default class ClaimsReporter implements Reporter {
  private readonly dir: string

  constructor(opts: { reportsDir?: string } = {}) {
    this.dir = resolve(opts.reportsDir ?? process.env.SC_REPORTS_DIR ?? 'reports')
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const tests: FinishedTest[] = modules.flatMap((m) => [...m.children.allTests()].map(finishedTest))
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
    const usage = report.run.usage ? `\nrun: timeout scale ${report.run.timeoutScale ?? '?'}; ${describeUsage(report.run.usage)}` : ''
    console.log(`\n${formatClaimsTable(report)}${usage}\nreports: ${join(this.dir, 'index.html')}, ${join(this.dir, 'summary.md')}, ${join(this.dir, 'claims.json')}, ${join(this.dir, 'junit.xml')}\n${totals}`)
  }
}
