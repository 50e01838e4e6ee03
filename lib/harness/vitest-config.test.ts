// vitest.config.ts as vitest loads it on machines of 1 to 16 cores (issue 21:
// on 3, 4 or 6+ cores every `npm test` threw before its first test, "Projects
// "specs" and "unit" have different 'maxWorkers' but same 'sequence.groupOrder'").
// The check is vitest's own: its pool groups the files of both projects before
// it runs any, and is handed them here with the run already cancelled, so that
// it groups them and runs none (no global setup, no cluster).
import { syncBuiltinESMExports } from 'node:module'
import os from 'node:os'
import { resolve } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { createVitest, type TestSpecification } from 'vitest/node'

const root = resolve(import.meta.dirname, '..', '..')

// os.availableParallelism() and os.cpus() answer `cores`, for vitest (which
// imports them by name: hence syncBuiltinESMExports) and for the config.
function pretendCores(cores: number): () => void {
  const { availableParallelism, cpus } = os
  const one = cpus()[0]!
  os.availableParallelism = () => cores
  os.cpus = () => Array.from({ length: cores }, () => one)
  syncBuiltinESMExports()
  return () => {
    os.availableParallelism = availableParallelism
    os.cpus = cpus
    syncBuiltinESMExports()
  }
}

interface Taken {
  project: string
  file: string
}

// The files of both projects in the order vitest's pool takes them up: group
// by group (a group finishes before the next starts), within a group as handed
// over. They are handed over specs first, so that only vitest's grouping can
// put the unit tests before them.
async function groupedByVitest(cores: number): Promise<Taken[]> {
  const restore = pretendCores(cores)
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
  try {
    const vitest = await createVitest('test', { root, config: resolve(root, 'vitest.config.ts'), watch: false, run: true }, {}, { stdout: quiet, stderr: quiet })
    try {
      const specs = await vitest.globTestSpecifications()
      // Makes the pool, with no file (so no project's global setup runs); then cancels,
      // so that the pool cancels every file it is handed instead of running it.
      await vitest.collectTests([])
      await vitest.cancelCurrentRun('keyboard-input')
      const taken: Taken[] = []
      const cancelFiles = vitest.state.cancelFiles.bind(vitest.state)
      vitest.state.cancelFiles = (files, project) => {
        taken.push(...files.map((f) => ({ project: project.name, file: f.filepath })))
        cancelFiles(files, project)
      }
      const pool = (vitest as unknown as { pool?: { collectTests(specs: TestSpecification[], invalidates: string[]): Promise<void> } }).pool
      if (!pool?.collectTests) throw new Error(`vitest ${vitest.version} keeps its pool elsewhere: update this test`)
      const specsFirst = (a: TestSpecification, b: TestSpecification) => Number(a.project.name !== 'specs') - Number(b.project.name !== 'specs')
      await pool.collectTests([...specs].sort(specsFirst), [])
      return taken
    } finally {
      await vitest.close()
    }
  } finally {
    restore()
  }
}

describe('vitest.config.ts on any number of cores', () => {
  test.each([1, 2, 4, 8, 16])('%i cores: vitest accepts both projects and takes up the unit tests before the specs', async (cores) => {
    const taken = await groupedByVitest(cores)
    const projects = taken.map((t) => t.project)
    expect(new Set(projects)).toEqual(new Set(['unit', 'specs']))
    const lastUnit = taken[projects.lastIndexOf('unit')]
    const firstSpec = taken[projects.indexOf('specs')]
    expect(projects.lastIndexOf('unit'), `unit test ${lastUnit?.file} comes after spec ${firstSpec?.file}`).toBeLessThan(projects.indexOf('specs'))
  }, 60_000)
})
