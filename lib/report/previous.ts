// A run's reports describe that run only: what an earlier run wrote into the
// reports folder goes first. Only the suite's own files, its datasheets and diagnostics
// folders (they hold events.txt) are removed; anything else there stays.
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

// Not junit.xml: vitest's JUnit reporter opens it with "w+" (truncating the last
// run's) in onInit, before global setup runs; removing it then unlinked the file
// the reporter was about to write, and no junit.xml was left (issue 17).
export const reportFiles = ['claims.json', 'index.html', 'summary.md', '.run.json']
// Folders the reporter writes whole (one datasheet per class: a class the next run drops must not keep one).
export const reportFolders = ['datasheets']

export async function clearPreviousRun(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const removed: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const ours = entry.isDirectory() ? existsSync(join(path, 'events.txt')) || reportFolders.includes(entry.name) : reportFiles.includes(entry.name)
    if (!ours) continue
    await rm(path, { recursive: true, force: true })
    removed.push(entry.name)
  }
  return removed
}
