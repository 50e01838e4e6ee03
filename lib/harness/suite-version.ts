// The suite's version as a run records it (claims.json run.suiteVersion): package.json's
// version and, in a git checkout, the commit, so two runs of one version but different
// code are told apart ("0.1.0 (git d05edf5)", "+ local changes" when the tree is dirty).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const git = (root: string, args: string[]) => {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 5_000 })
  return r.status === 0 ? r.stdout.trim() : undefined
}

export function suiteVersion(root: string): string {
  let version = 'unknown'
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch { /* a copy without package.json: the commit alone says which suite ran */ }
  const commit = git(root, ['rev-parse', '--short', 'HEAD'])
  if (!commit) return version
  // Untracked files do not change what ran; modified tracked ones do.
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=no'])
  return `${version} (git ${commit}${dirty ? ' + local changes' : ''})`
}
