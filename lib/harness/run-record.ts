// A run's record of the namespaces it makes: one name a line in
// <reports>/.runs/<run id>.namespaces, appended (by global setup and by every
// worker) before each namespace is created. Labels find a run's namespaces
// while they exist; once one is gone, its name in this record is the only
// evidence that the volumes its claims left were the run's (a volume keeps
// its claim's namespace name and nothing of the run). The run's teardown
// sweeps with it and then removes it; a killed run's stays for `npm run clean`.
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { NamespaceRun } from '../k8s/namespaces.ts'

export interface RunRecord extends NamespaceRun {
  file: string
  // The namespaces recorded so far.
  recorded(): Promise<string[]>
  // Removes the record: the run left nothing behind.
  forget(): Promise<void>
}

export const runRecordsDir = (reportsDir: string) => join(reportsDir, '.runs')
const suffix = '.namespaces'

// A run id as global setup makes it; it names a file and goes into a label selector.
export const isRunId = (id: string) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)

export function runRecord(reportsDir: string, runId: string): RunRecord {
  if (!isRunId(runId)) throw new Error(`not a run id: ${JSON.stringify(runId)}`)
  const dir = runRecordsDir(reportsDir)
  const file = join(dir, `${runId}${suffix}`)
  return {
    id: runId,
    file,
    // One short line per append: workers append to the same file concurrently.
    recordNamespace: async (name) => {
      await mkdir(dir, { recursive: true })
      await appendFile(file, `${name}\n`)
    },
    recorded: async () => {
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return ''
        throw err
      })
      return [...new Set(text.split('\n').map((l) => l.trim()).filter(Boolean))]
    },
    forget: () => rm(file, { force: true }),
  }
}

// The records of every run that wrote its reports to `reportsDir` (npm run clean).
export async function runRecords(reportsDir: string): Promise<RunRecord[]> {
  const files = await readdir(runRecordsDir(reportsDir)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  return files.filter((f) => f.endsWith(suffix) && isRunId(f.slice(0, -suffix.length)))
    .map((f) => runRecord(reportsDir, f.slice(0, -suffix.length)))
}
