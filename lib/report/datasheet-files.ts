// Writes a run's datasheets, <class>.json and <class>.html per class, into one folder
// (reports/datasheets/ at the end of a run; npm run datasheet's --out).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ClaimsReport } from './claims.ts'
import { buildDatasheet, classesOfRun, datasheetFileName } from './datasheet.ts'
import { renderDatasheetHtml } from './datasheet-html.ts'

// Returns the files written, JSON then HTML per class, in the run's class order.
export function writeDatasheets(report: ClaimsReport, dir: string, classes = classesOfRun(report)): string[] {
  mkdirSync(dir, { recursive: true })
  return classes.flatMap((c) => {
    const sheet = buildDatasheet(report, c)
    const base = join(dir, datasheetFileName(c))
    writeFileSync(`${base}.json`, JSON.stringify(sheet, null, 2) + '\n')
    writeFileSync(`${base}.html`, renderDatasheetHtml(sheet))
    return [`${base}.json`, `${base}.html`]
  })
}
