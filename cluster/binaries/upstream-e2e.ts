// Upstream's e2e.test and agnhost, built from the same k8s.io/kubernetes module
// as the embedded cluster (cluster/build/kubernetes/go.mod, its replace lines
// included), once: cached beside the cluster's binaries, built into a folder
// that is renamed only when complete. Used by `npm run bench -- --upstream`.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { paths, repoRoot, versions } from '../base/config.ts'
import { formatDuration, log } from '../base/log.ts'

export const upstreamBinDir = join(paths.bin, `e2e-${versions.kubernetes}`)
export const e2eTestBinary = join(upstreamBinDir, 'e2e.test')
export const agnhostBinary = join(upstreamBinDir, 'agnhost')

// The test packages need modules the cluster's binaries do not (ginkgo, gomega …),
// whose checksums cluster/build/kubernetes/go.sum lacks: the build runs in a copy
// of that go.mod and go.sum, where -mod=mod may add them, and the cluster's files stay as they are.
const workDir = join(paths.cache, 'build', `e2e-${versions.kubernetes}`)

// The cluster's version stamp (build.ts), so that e2e.test reports the same version.
function versionStamp(): string {
  const [major, minor] = versions.kubernetes.slice(1).split('.')
  const vars = { gitVersion: versions.kubernetes, gitMajor: major, gitMinor: minor, gitTreeState: 'clean', buildDate: versions.kubernetesBuildDate }
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => Object.entries(vars).map(([k, v]) => `-X ${pkg}.${k}=${v}`))
    .join(' ')
}

// As build.ts builds; nice, since this build takes minutes of both cores.
const goEnv = (extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, GOFLAGS: '-buildvcs=false -mod=mod', GOTOOLCHAIN: 'local', ...extra })

export function upstreamBuilt(): boolean {
  return existsSync(e2eTestBinary) && existsSync(agnhostBinary)
}

export async function buildUpstream(): Promise<void> {
  if (upstreamBuilt()) return
  const started = Date.now()
  await mkdir(workDir, { recursive: true })
  for (const f of ['go.mod', 'go.sum']) await copyFile(join(repoRoot, 'cluster', 'build', 'kubernetes', f), join(workDir, f))
  const tmp = `${upstreamBinDir}.partial`
  await rm(tmp, { recursive: true, force: true })
  await mkdir(tmp, { recursive: true })

  log(`e2e.test ${versions.kubernetes}: listing its packages (module downloads first, cached afterwards)`)
  const pkg = 'k8s.io/kubernetes/test/e2e'
  const listed = await runGo(['list', '-deps', '-test', '-f', '{{if not .Standard}}{{.ImportPath}}{{end}}', pkg], { capture: true })
  const total = listed.split('\n').filter(Boolean).length
  log(`e2e.test ${versions.kubernetes}: ${total} packages; building (a cold build takes many minutes on 2 cores; cached afterwards in ${upstreamBinDir})`)
  let compiled = 0
  const heartbeat = setInterval(() => log(`  … e2e.test: ${compiled} of ${total} packages compiled (others come from Go's build cache), ${formatDuration(Date.now() - started)} so far`), 30_000)
  try {
    // -x names each compile as it starts: the only progress `go test -c` gives. -vet=off: go test
    // would otherwise vet every dependency for facts, as long again, for a binary that is the same.
    await runGo(['test', '-c', '-x', '-vet=off', '-trimpath', '-ldflags', `-s -w ${versionStamp()}`, '-o', join(tmp, 'e2e.test'), pkg], {
      onStderrLine: (line) => { if (/\/compile -o /.test(line)) compiled++ },
    })
  } finally {
    clearInterval(heartbeat)
  }
  log(`e2e.test built in ${formatDuration(Date.now() - started)}; agnhost (static: its packages compile again without cgo) …`)
  let built = 0
  const agnhostBeat = setInterval(() => log(`  … agnhost: ${built} packages compiled, ${formatDuration(Date.now() - started)} so far`), 30_000)
  try {
    // agnhost runs in an image without libc, as upstream's static build does; -v names each package built.
    await runGo(['build', '-v', '-trimpath', '-ldflags', '-s -w', '-o', join(tmp, 'agnhost'), 'k8s.io/kubernetes/test/images/agnhost'], {
      env: goEnv({ CGO_ENABLED: '0' }),
      onStderrLine: (line) => { if (line && !line.startsWith('go: ')) built++ },
    })
  } finally {
    clearInterval(agnhostBeat)
  }
  await rm(upstreamBinDir, { recursive: true, force: true })
  await rename(tmp, upstreamBinDir)
  log(`built e2e.test and agnhost from k8s.io/kubernetes ${versions.kubernetes} in ${formatDuration(Date.now() - started)}`)
}

interface GoOptions {
  env?: NodeJS.ProcessEnv
  capture?: boolean
  onStderrLine?: (line: string) => void
}

// `nice go …` in the work folder; on failure the error carries the last lines of its output.
function runGo(args: string[], opts: GoOptions = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('nice', ['-n', '10', 'go', ...args], { cwd: workDir, env: opts.env ?? goEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    const tail: string[] = []
    let partial = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        opts.onStderrLine?.(line)
        // -x prints whole scripts: their import tables stay out of the tail.
        if (!/^(packagefile|importmap|modinfo|EOF|cat >)/.test(line)) tail.push(line)
        if (tail.length > 30) tail.shift()
      }
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolvePromise(opts.capture ? stdout : '')
      else reject(new Error(`go ${args.slice(0, 3).join(' ')} … (in ${workDir}) exited ${code}:\n${[...tail, partial].join('\n')}`))
    })
  })
}
