// npm run check-junit — after a run with specs: fails, in one line, unless the
// reports folder's junit.xml lists every claim test of its claims.json with its
// outcome. CI runs it last (.ci/run), so a run cannot lose the file unnoticed (issue 17).
import { readFile } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { checkJunit } from '../lib/report/junit-check.ts'

const root = resolve(import.meta.dirname, '..')
const reports = resolve(root, process.env.SC_REPORTS_DIR ?? 'reports')

// A missing file is for the check to judge; any other read error ends the script.
async function readIfPresent(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
}

async function main(): Promise<void> {
  const [junitXml, claimsJson] = await Promise.all([readIfPresent(join(reports, 'junit.xml')), readIfPresent(join(reports, 'claims.json'))])
  const dir = reports.startsWith(root + sep) ? relative(root, reports) : reports
  const { ok, message } = checkJunit({ dir, junitXml, claimsJson })
  if (ok) {
    console.log(`check-junit: ${message}`)
  } else {
    console.error(`check-junit: ${message}`)
    process.exitCode = 1
  }
}

main().catch((err: Error) => {
  console.error(`check-junit: ${err.message}`)
  process.exitCode = 1
})
