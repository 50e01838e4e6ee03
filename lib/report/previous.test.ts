import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { clearPreviousRun } from './previous.ts'

test('removes the last run\'s report files and diagnostics folders, nothing else', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reports-'))
  await writeFile(join(dir, 'claims.json'), '{}')
  await writeFile(join(dir, 'notes.txt'), 'mine')
  await mkdir(join(dir, 'Q0-10_rollout'))
  await writeFile(join(dir, 'Q0-10_rollout', 'events.txt'), '')
  await mkdir(join(dir, 'least-privilege'))
  expect((await clearPreviousRun(dir)).sort()).toEqual(['Q0-10_rollout', 'claims.json'])
  expect((await readdir(dir)).sort()).toEqual(['least-privilege', 'notes.txt'])
})
