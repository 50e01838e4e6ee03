import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { suiteVersion } from './suite-version.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'suite-version-'))
const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe' })

test('outside git: package.json\'s version alone; without package.json: unknown', () => {
  const d = dir()
  expect(suiteVersion(d)).toBe('unknown')
  writeFileSync(join(d, 'package.json'), JSON.stringify({ version: '0.3.1' }))
  expect(suiteVersion(d)).toBe('0.3.1')
})

test('in a git checkout: the version and the commit, and local changes to tracked files said', () => {
  const d = dir()
  writeFileSync(join(d, 'package.json'), JSON.stringify({ version: '0.3.1' }))
  sh(d, 'init', '-q')
  sh(d, 'add', 'package.json')
  sh(d, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one')
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: d, encoding: 'utf8' }).trim()
  writeFileSync(join(d, 'untracked.txt'), 'x')
  expect(suiteVersion(d)).toBe(`0.3.1 (git ${commit})`)
  writeFileSync(join(d, 'package.json'), JSON.stringify({ version: '0.3.2' }))
  expect(suiteVersion(d)).toBe(`0.3.2 (git ${commit} + local changes)`)
})
