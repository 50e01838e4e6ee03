// Builds every binary of the embedded cluster from source through the Go
// module proxy, once: results are cached under ~/.cache/stateful-conformance
// and a build goes to a temporary folder that is renamed only when complete.
import { existsSync } from 'node:fs'
import { copyFile, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { binDir, ext4CsiVersion, ext4ProvisionerVersion, namespaceDefaultsVersion, networkPoliciesBuild, networkPoliciesPatch, type KubernetesRelease, kubernetesBinDir, kubernetesReleases, repoRoot, versions } from '../base/config.ts'
import { log, formatDuration } from '../base/log.ts'
import { $ } from '../base/sh.ts'
import { applyPatch, goModWithView, moduleVersion, type Mutant, mutantBinDir, mutantOverlay, patchTree } from './mutants.ts'

// What the cluster runs; the pinned release also gives kubectl (and criclean, for `down`).
export const clusterBinaries = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'] as const
export const kubernetesBinaries = [...clusterBinaries, 'kubectl'] as const

interface GoBuild {
  name: string
  outDir: string
  binaries: readonly string[]
  // Where `go build` runs and what it builds there; `work` is the build's work folder.
  dir: (work: string) => Promise<string>
  packages: readonly string[]
  ldflags?: string
  // Binaries that run inside images with no libc must be static.
  static?: boolean
  // Extra `go build` flags.
  flags?: string[]
  // Flags that need files written first (a mutant's overlay and go.mod), in a work
  // folder that is removed once the build ends.
  prepare?: (work: string) => Promise<string[]>
  // After a build that succeeded, before its work folder goes: `out` is where its binaries are.
  finish?: (work: string, out: string) => Promise<void>
}

const pinned = kubernetesReleases[0]!

function versionStamp(release: KubernetesRelease = pinned): string {
  const [major, minor] = release.version.slice(1).split('.')
  const vars = {
    gitVersion: release.version, gitMajor: major, gitMinor: minor,
    gitTreeState: 'clean', buildDate: release.buildDate,
  }
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => Object.entries(vars).map(([k, v]) => `-X ${pkg}.${k}=${v}`))
    .join(' ')
}

// A module from the proxy, copied into the work folder (the module cache is read-only, and -overlay
// may not replace its files) and patched there; built with its own go.mod.
async function patchedModule(path: string, version: string, patch: string, work: string): Promise<string> {
  const dir = join(work, 'module')
  await cp(await moduleDir(path, version), dir, { recursive: true })
  await $`chmod -R u+w ${dir}`
  await patchTree(patch, dir, `${path}@${version}`)
  return dir
}

// A module from the proxy, built in place with its own go.mod (and its replace lines).
async function moduleDir(path: string, version: string): Promise<string> {
  // go mod download -json reports a failure in its JSON (and exits 1).
  const out = await $({ cwd: repoRoot, nothrow: true })`go mod download -json ${`${path}@${version}`}`
  const info = JSON.parse(out.stdout || '{}') as { Dir?: string; Error?: string }
  if (!info.Dir) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? 'no directory'}`)
  return info.Dir
}

const moduleFolder = (r: KubernetesRelease) => join(repoRoot, 'cluster', 'build', r.module)
const kubernetesBuildDir = moduleFolder(pinned)

// The pinned release, with kubectl and criclean, from a go.mod and go.sum that pin every module.
const pinnedBuild: GoBuild = {
  name: `kubernetes ${pinned.version}`,
  outDir: binDir.kubernetes,
  binaries: [...kubernetesBinaries, 'criclean'],
  dir: async () => kubernetesBuildDir,
  packages: [...kubernetesBinaries.map((b) => `k8s.io/kubernetes/cmd/${b}`), './criclean'],
  ldflags: versionStamp(),
}

// An older release (the upgrade's starting point): the binaries the cluster runs. Its go.mod is not
// tidied and its go.sum was completed by a first build (cluster/build/README.md): the build runs on a copy
// with -mod=mod, which takes any hash still missing from the Go checksum database, and says so.
function olderBuild(r: KubernetesRelease): GoBuild {
  const dir = moduleFolder(r)
  return {
    name: `kubernetes ${r.version}`,
    outDir: kubernetesBinDir(r.version),
    binaries: clusterBinaries,
    dir: async () => dir,
    packages: clusterBinaries.map((b) => `k8s.io/kubernetes/cmd/${b}`),
    ldflags: versionStamp(r),
    prepare: async (work) => {
      await copyFile(join(dir, 'go.mod'), join(work, 'go.mod'))
      await copyFile(join(dir, 'go.sum'), join(work, 'go.sum'))
      return [`-modfile=${join(work, 'go.mod')}`, '-mod=mod']
    },
    finish: async (work, out) => {
      const committed = new Set((await readFile(join(dir, 'go.sum'), 'utf8')).split('\n').filter(Boolean))
      const used = (await readFile(join(work, 'go.sum'), 'utf8')).split('\n').filter(Boolean)
      const added = used.filter((l) => !committed.has(l))
      if (!added.length) return
      await copyFile(join(work, 'go.sum'), join(out, 'go.sum'))
      log(`${r.module}/go.sum lacked ${added.length} lines, verified against the Go checksum database (sum.golang.org) by this build: ` +
        `to pin them, cp ${join(kubernetesBinDir(r.version), 'go.sum')} ${join(dir, 'go.sum')} and commit it`)
    },
  }
}

// The Kubernetes builds a cluster of this release needs: its own, and the pinned one (the upgrade's
// target, kubectl, and criclean, which `down` uses whatever the cluster ran).
function kubernetesBuilds(version: string): GoBuild[] {
  const older = kubernetesReleases.find((r) => r.version === version && r !== pinned)
  return older ? [pinnedBuild, olderBuild(older)] : [pinnedBuild]
}

const otherBuilds: GoBuild[] = [
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
  {
    // The strict shape's NetworkPolicy enforcer, patched for this machine's kernel (the patch says how).
    name: `kube-network-policies ${versions.kubeNetworkPolicies} (${networkPoliciesBuild})`,
    outDir: binDir.kubeNetworkPolicies,
    binaries: ['kube-network-policies'],
    dir: (work) => patchedModule('sigs.k8s.io/kube-network-policies', versions.kubeNetworkPolicies, networkPoliciesPatch, work),
    packages: ['./cmd'],
    static: true,
    // go build names a main package's binary after its folder.
    finish: (_work, out) => rename(join(out, 'cmd'), join(out, 'kube-network-policies')),
  },
  {
    // The strict shape's stand-in for a policy engine's generate rule: a default-deny in every new namespace.
    name: `namespace-defaults ${namespaceDefaultsVersion}`,
    outDir: binDir.namespaceDefaults,
    binaries: ['namespace-defaults'],
    dir: async () => kubernetesBuildDir,
    packages: ['./namespace-defaults'],
  },
  {
    // The strict shape's zonal disks: their attacher and every node's CSI plugin.
    name: `ext4-csi ${ext4CsiVersion}`,
    outDir: binDir.ext4Csi,
    binaries: ['ext4-csi'],
    dir: async () => kubernetesBuildDir,
    packages: ['./ext4-csi'],
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

// Every build a cluster of that Kubernetes release needs (the pinned one by default).
const buildsFor = (kubernetes: string) => [...kubernetesBuilds(kubernetes), ...otherBuilds]
const built = (b: GoBuild) => b.binaries.every((bin) => existsSync(join(b.outDir, bin)))

export function missingBuilds(kubernetes: string = versions.kubernetes): string[] {
  return buildsFor(kubernetes).filter((b) => !built(b)).map((b) => b.name)
}

export async function buildAll(kubernetes: string = versions.kubernetes): Promise<void> {
  for (const b of buildsFor(kubernetes)) if (!built(b)) await build(b)
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
    const cwd = await b.dir(work)
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
    await b.finish?.(work, tmp)
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
