// Stored runs for the history: a claims.json, a run's reports folder (reports/, reports/kind-shape/),
// or a folder of many (a nightly's downloaded artifacts): every claims.json in it or below it.
// Each file is read as `npm run diff` reads a run (../diff/load.ts): bad input is one line naming its path.
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { BadInput, loadClaims } from '../diff/load.ts'
import type { StoredRun } from './build.ts'

export { BadInput }

// Folders no run writes claims.json into, and that can be large.
const noRuns = new Set(['node_modules', '.git'])
// npm run sensitivity's runs (reports/sensitivity/<fault>/, reports/sensitivity-ci/…): each on a cluster
// broken on purpose, so no night of that cluster. Passed over inside a folder; given by name, read.
const isSensitivityFolder = (name: string) => /^sensitivity/.test(name)

// The claims.json files a path stands for, in name order: the file itself, or those in the folder and
// below; and the sensitivity folders passed over.
export function claimsFilesOf(path: string): { files: string[]; passedOver: string[] } {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) throw new BadInput(`${path}: no such file or folder`)
  if (!stat.isDirectory()) return { files: [path], passedOver: [] }
  const found: string[] = []
  const passedOver: string[] = []
  const walk = (dir: string) => {
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch (e) {
      throw new BadInput(`${dir}: cannot be listed (${(e as Error).message})`)
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && isSensitivityFolder(e.name)) passedOver.push(join(dir, e.name))
      else if (e.isDirectory() && !noRuns.has(e.name)) walk(join(dir, e.name))
      else if (e.isFile() && e.name === 'claims.json') found.push(join(dir, e.name))
    }
  }
  walk(path)
  if (!found.length && passedOver.length) throw new BadInput(`${path}: no claims.json but in npm run sensitivity's folders (${passedOver.join(', ')}), passed over: their clusters were broken on purpose; give one by name to read it`)
  if (!found.length) throw new BadInput(`${path}: no claims.json in it or below it (a run's reports folder, or a folder of them, was expected)`)
  return { files: found, passedOver }
}

// The run's ID, where an older claims.json does not record it: from the run's .run.json kept beside it
// (an artifact uploaded without hidden files has none).
function runIdBeside(file: string): string | null {
  try {
    const id = (JSON.parse(readFileSync(join(dirname(file), '.run.json'), 'utf8')) as { runId?: unknown }).runId
    return typeof id === 'string' && id ? id : null
  } catch {
    return null
  }
}

// shown: how a file is named on the page and in messages (its path from the caller's folder).
export function loadRun(file: string, shown: (file: string) => string): StoredRun {
  const label = shown(basename(file) === 'claims.json' ? dirname(file) : file)
  const report = loadClaims(file)
  return { label, report, runId: report.run.runId ?? runIdBeside(file) }
}

export function loadRuns(path: string, shown: (file: string) => string): { runs: StoredRun[]; passedOver: string[] } {
  const { files, passedOver } = claimsFilesOf(path)
  return { runs: files.map((f) => loadRun(f, shown)), passedOver: passedOver.map(shown) }
}
