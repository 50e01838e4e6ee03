// Builds every binary of the embedded cluster from source through the Go
// module proxy, once: results are cached under ~/.cache/stateful-conformance
// and a build goes to a temporary folder that is renamed only when complete.
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { binDir, ext4ProvisionerVersion, repoRoot, versions } from '../base/config.ts'
import { log, formatDuration } from '../base/log.ts'
import { $ } from '../base/sh.ts'
import { applyPatch, goModWithView, moduleVersion, type Mutant, mutantBinDir, mutantOverlay } from './mutants.ts'

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
  // Flags that need files written first (a mutant's overlay and go.mod), in a work
  // folder that is removed once the build ends.
  prepare?: (work: string) => Promise<string[]>
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
  // go mod download -json reports a failure in its JSON (and exits 1).
  const out = await $({ cwd: repoRoot, nothrow: true })`go mod download -json ${`${path}@${version}`}`
  const info = JSON.parse(out.stdout || '{}') as { Dir?: string; Error?: string }
  if (!info.Dir) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? 'no directory'}`)
  return info.Dir
}

const kubernetesBuildDir = join(repoRoot, 'cluster', 'build', 'kubernetes')

const builds: GoBuild[] = [
  {
    name: `kubernetes ${versions.kubernetes}`,
    outDir: binDir.kubernetes,
    binaries: [...kubernetesBinaries, 'criclean'],
    dir: async () => kubernetesBuildDir,
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
  for (const b of builds) if (!b.binaries.every((bin) => existsSync(join(b.outDir, bin)))) await build(b)
}

// The component's binary rebuilt with the mutant's patch (cluster/binaries/mutants.ts),
// built once and cached under a key that holds the patch's hash.
export async function buildMutant(m: Mutant): Promise<string> {
  const outDir = mutantBinDir(m)
  if (!existsSync(join(outDir, m.binary))) await build(mutantBuild(m, outDir))
  return join(outDir, m.binary)
}

// The kubernetes build of one binary, with the module seen through the overlay
// that carries the patched files and a go.mod that points the module at it.
function mutantBuild(m: Mutant, outDir: string): GoBuild {
  return {
    name: `mutant ${m.name} (${m.binary} of ${m.module}@${moduleVersion(m.module)})`,
    outDir,
    binaries: [m.binary],
    dir: async () => kubernetesBuildDir,
    packages: [`k8s.io/kubernetes/cmd/${m.binary}`],
    ldflags: versionStamp(),
    prepare: async (work) => {
      const source = await moduleDir(m.module, moduleVersion(m.module))
      const patched = await applyPatch(m, source, join(work, 'patched'))
      // The view is never made on disk: the overlay alone holds its files.
      const view = join(work, 'view', m.module)
      const overlay = { Replace: await mutantOverlay(source, join(work, 'patched'), patched, view) }
      await writeFile(join(work, 'overlay.json'), JSON.stringify(overlay))
      await writeFile(join(work, 'go.mod'), goModWithView(await readFile(join(kubernetesBuildDir, 'go.mod'), 'utf8'), m.module, view))
      await copyFile(join(kubernetesBuildDir, 'go.sum'), join(work, 'go.sum'))
      return [`-modfile=${join(work, 'go.mod')}`, `-overlay=${join(work, 'overlay.json')}`]
    },
  }
}

async function build(b: GoBuild): Promise<void> {
  const started = Date.now()
  log(`building ${b.name} from the Go module proxy (cold builds take minutes; cached afterwards in ${b.outDir})`)
  const tmp = `${b.outDir}.partial`
  const work = `${b.outDir}.work`
  await rm(tmp, { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
  await mkdir(tmp, { recursive: true })
  await mkdir(work, { recursive: true })
  try {
    const cwd = await b.dir()
    const prepared = b.prepare ? await b.prepare(work) : []
    let compiled = 0
    let downloaded = 0
    const heartbeat = setInterval(() => {
      log(`  … ${b.name}: ${downloaded ? `${downloaded} modules downloaded, ` : ''}${compiled} packages compiled, ${formatDuration(Date.now() - started)} so far`)
    }, 30_000)
    const env = { ...process.env, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local', ...(b.static ? { CGO_ENABLED: '0' } : {}) }
    const build = $({ cwd, env, nothrow: true })`go build ${b.flags ?? []} ${prepared} -v -trimpath -ldflags ${`-s -w ${b.ldflags ?? ''}`} -o ${tmp + '/'} ${b.packages}`
    // -v names each package as it is built; the module downloads come first.
    const counting = (async () => {
      for await (const line of build.stderr.pipe(split())) {
        if (line.startsWith('go: downloading')) downloaded++
        else if (line && !line.startsWith('go: ')) compiled++
      }
    })()
    const result = await build.finally(() => clearInterval(heartbeat))
    await counting.catch(() => undefined)
    if (!result.ok) {
      const tail = result.stderr.trimEnd().split('\n').slice(-30).join('\n')
      throw new Error(`go build of ${b.name} (in ${cwd}) exited ${result.exitCode}:\n${tail}`)
    }
    await rm(b.outDir, { recursive: true, force: true })
    await rename(tmp, b.outDir)
    log(`built ${b.name} in ${formatDuration(Date.now() - started)}${b.prepare ? ` (${compiled} packages compiled, the rest from the Go build cache)` : ''}`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

// Lines of a byte stream.
function split(): Transform {
  let partial = ''
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) this.push(line)
      done()
    },
    flush(done) {
      if (partial) this.push(partial)
      done()
    },
  })
}
