import { mkdir, mkdtemp, open, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { clearPreviousRun } from './previous.ts'

test('removes the last run\'s report files, datasheets and diagnostics folders, nothing else', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reports-'))
  await writeFile(join(dir, 'claims.json'), '{}')
  await writeFile(join(dir, 'notes.txt'), 'mine')
  await mkdir(join(dir, 'Q0-10_rollout'))
  await writeFile(join(dir, 'Q0-10_rollout', 'events.txt'), '')
  await mkdir(join(dir, 'least-privilege'))
  await mkdir(join(dir, 'datasheets'))
  await writeFile(join(dir, 'datasheets', 'gone-class.json'), '{}')
  expect((await clearPreviousRun(dir)).sort()).toEqual(['Q0-10_rollout', 'claims.json', 'datasheets'])
  expect((await readdir(dir)).sort()).toEqual(['least-privilege', 'notes.txt'])
})

// Issue 17. Vitest's JUnit reporter opens junit.xml in onInit, before global
// setup clears the folder, and writes through that handle at the end of the run.
test('junit.xml missing after a run that includes specs: the file the JUnit reporter already opened stays', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reports-'))
  const junit = await open(join(dir, 'junit.xml'), 'w+')
  try {
    expect(await clearPreviousRun(dir)).toEqual([])
    await junit.writeFile('<testsuites/>\n')
  } finally {
    await junit.close()
  }
  expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toBe('<testsuites/>\n')
})
