// Builds every binary of the embedded cluster from source through the Go
// module proxy, once: results are cached under ~/.cache/stateful-conformance
// and a build goes to a temporary folder that is renamed only when complete.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { binDir, ext4ProvisionerVersion, repoRoot, versions } from './config.ts'
import { log, formatDuration } from './log.ts'

export const kubernetesBinaries = [
  'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl',
] as const

interface GoBuild {
  name: string
  outDir: string
  binaries: readonly string[]
  // Where `go build` runs and what it builds there.
  dir: () => Promise<string>
  packages: readonly string[]
  ldflags?: string
  // Binaries that run inside images with no libc must be static.
  static?: boolean
  // Extra `go build` flags.
  flags?: string[]
}

function versionStamp(): string {
  const [major, minor] = versions.kubernetes.slice(1).split('.')
  const vars = {
    gitVersion: versions.kubernetes, gitMajor: major, gitMinor: minor,
    gitTreeState: 'clean', buildDate: versions.kubernetesBuildDate,
  }
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => Object.entries(vars).map(([k, v]) => `-X ${pkg}.${k}=${v}`))
    .join(' ')
}

// A module from the proxy, built in place with its own go.mod (and its replace lines).
async function moduleDir(path: string, version: string): Promise<string> {
  const out = await run('go', ['mod', 'download', '-json', `${path}@${version}`], { cwd: repoRoot, capture: true })
  const info = JSON.parse(out) as { Dir?: string; Error?: string }
  if (!info.Dir) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? 'no directory'}`)
  return info.Dir
}

const builds: GoBuild[] = [
  {
    name: `kubernetes ${versions.kubernetes}`,
    outDir: binDir.kubernetes,
    binaries: [...kubernetesBinaries, 'criclean'],
    dir: async () => join(repoRoot, 'cluster', 'build', 'kubernetes'),
    packages: [...kubernetesBinaries.map((b) => `k8s.io/kubernetes/cmd/${b}`), './criclean'],
    ldflags: versionStamp(),
  },
  {
    name: `coredns ${versions.coredns}`,
    outDir: binDir.coredns,
    binaries: ['coredns'],
    dir: () => moduleDir('github.com/coredns/coredns', versions.coredns),
    packages: ['.'],
    static: true,
  },
  {
    name: `local-path-provisioner ${versions.localPathProvisioner}`,
    outDir: binDir.localPathProvisioner,
    binaries: ['local-path-provisioner'],
    dir: () => moduleDir('github.com/rancher/local-path-provisioner', versions.localPathProvisioner),
    packages: ['.'],
    static: true,
    // Its module ships vendor/modules.txt without the vendored code: take dependencies from the proxy.
    flags: ['-mod=mod'],
  },
  {
    // The ext4 class's provisioner (sigs.k8s.io/sig-storage-lib-external-provisioner).
    name: `ext4-provisioner ${ext4ProvisionerVersion}`,
    outDir: binDir.ext4Provisioner,
    binaries: ['ext4-provisioner'],
    dir: async () => join(repoRoot, 'cluster', 'build', 'ext4-provisioner'),
    packages: ['.'],
    // It runs on the host, not in an image: built like kubernetes, it reuses that build's cached client-go.
  },
  ...(Object.keys(versions.podinfo) as (keyof typeof versions.podinfo)[]).map((release) => ({
    name: `podinfo ${release}`,
    outDir: binDir.podinfo(release),
    binaries: ['podinfo', 'podcli'],
    dir: () => moduleDir('github.com/stefanprodan/podinfo', versions.podinfo[release]),
    packages: ['./cmd/podinfo', './cmd/podcli'],
    static: true,
  })),
]

export function missingBuilds(): string[] {
  return builds.filter((b) => !b.binaries.every((bin) => existsSync(join(b.outDir, bin)))).map((b) => b.name)
}

export async function buildAll(): Promise<void> {
  for (const b of builds) {
    if (b.binaries.every((bin) => existsSync(join(b.outDir, bin)))) continue
    const started = Date.now()
    log(`building ${b.name} from the Go module proxy (cold builds take minutes; cached afterwards in ${b.outDir})`)
    const tmp = `${b.outDir}.partial`
    await rm(tmp, { recursive: true, force: true })
    await mkdir(tmp, { recursive: true })
    const cwd = await b.dir()
    let compiled = 0
    let downloaded = 0
    const heartbeat = setInterval(() => {
      log(`  … ${b.name}: ${downloaded ? `${downloaded} modules downloaded, ` : ''}${compiled} packages compiled, ${formatDuration(Date.now() - started)} so far`)
    }, 30_000)
    try {
      await run('go', ['build', ...(b.flags ?? []), '-v', '-trimpath', '-ldflags', `-s -w ${b.ldflags ?? ''}`, '-o', tmp + '/', ...b.packages], {
        cwd,
        env: { ...process.env, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local', ...(b.static ? { CGO_ENABLED: '0' } : {}) },
        // -v names each package as it is built; the module downloads come first.
        onStderrLine: (line) => { if (line.startsWith('go: downloading')) downloaded++; else if (line && !line.startsWith('go: ')) compiled++ },
      })
    } finally {
      clearInterval(heartbeat)
    }
    await rm(b.outDir, { recursive: true, force: true })
    await rename(tmp, b.outDir)
    log(`built ${b.name} in ${formatDuration(Date.now() - started)}`)
  }
}

interface RunOptions {
  cwd: string
  env?: NodeJS.ProcessEnv
  capture?: boolean
  onStderrLine?: (line: string) => void
}

// Runs a build tool; on failure the error carries the tail of its output.
function run(cmd: string, args: string[], opts: RunOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    const tail: string[] = []
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    let partial = ''
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        opts.onStderrLine?.(line)
        tail.push(line)
        if (tail.length > 30) tail.shift()
      }
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolvePromise(opts.capture ? stdout : '')
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${code}:\n${[...tail, partial].join('\n')}\n${stdout.slice(-2000)}`))
    })
  })
}
