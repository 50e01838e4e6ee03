// Container images without a registry: each image is a one-layer Docker
// archive assembled from binaries built here (and Debian's static busybox and
// catatonit), imported into each node's containerd (namespace k8s.io) under its
// usual upstream name, so manifests written for kind run unchanged.
//
// Two variants (the shape's `images`):
// - root: podinfo runs as root, busybox with every applet at its usual path
//   (what this cluster always had);
// - upstream: as the upstream images are defined, which this checks against:
//   * podinfo: github.com/stefanprodan/podinfo, Dockerfile (FROM alpine:3.20;
//     `addgroup -S app && adduser -S -G app app`, so app is uid 100 and gid 101,
//     alpine's group 100 being "users"; WORKDIR /home/app with podinfo and ui/,
//     `chown -R app:app ./`; podcli in /usr/local/bin; USER app; CMD ["./podinfo"]; no EXPOSE);
//   * busybox: github.com/docker-library/busybox, latest-1/glibc/Dockerfile.builder
//     and amd64/image-config.json (every applet in /bin via `busybox --install /bin`,
//     buildroot's skeleton /etc/passwd and /etc/group, home folders, /usr/bin/env,
//     /etc/localtime UTC; no USER, so root; CMD ["sh"]).
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, chown, copyFile, cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { binDir, images, paths, versions } from '../base/config.ts'
import { $ } from '../base/sh.ts'
import type { NodeSpec, Shape } from '../base/shape.ts'

// Bump when a rootfs layout below changes, to invalidate cached archives.
const LAYOUT = { root: 'l2', upstream: 'u1' } as const

interface ImageSpec {
  name: string
  busybox?: 'applets-everywhere' | 'official'
  files: Record<string, string> // path in the image -> path on this machine
  dirs?: Record<string, string> // folder in the image -> folder on this machine
  etc?: { passwd: string; group: string }
  owned?: { path: string; uid: number; gid: number } // chown -R in the image
  config: { Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string; ExposedPorts?: Record<string, object> }
}

async function podinfoUi(release: keyof typeof versions.podinfo): Promise<string> {
  const { stdout } = await $`go mod download -json ${`github.com/stefanprodan/podinfo@${versions.podinfo[release]}`}`
  return join((JSON.parse(stdout) as { Dir: string }).Dir, 'ui')
}

// What this project's images always had in /etc (podinfo's app user included, unused as root).
const rootEtc = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:100:101:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  group: 'root:x:0:\napp:x:101:app\nnobody:x:65534:\n',
}
// alpine 3.20's base accounts that matter, and what podinfo's adduser/addgroup add.
const alpineEtc = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\n'
    + 'guest:x:405:100:guest:/dev/null:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\napp:x:100:101:Linux User,,,:/home/app:/sbin/nologin\n',
  group: 'root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\nusers:x:100:games\nnogroup:x:65533:\nnobody:x:65534:\napp:x:101:app\n',
}
// buildroot's system/skeleton/etc/{passwd,group}, as the official busybox image ships them.
const buildrootEtc = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\n'
    + 'sys:x:3:3:sys:/dev:/bin/false\nsync:x:4:100:sync:/bin:/bin/sync\nmail:x:8:8:mail:/var/spool/mail:/bin/false\n'
    + 'www-data:x:33:33:www-data:/var/www:/bin/false\noperator:x:37:37:Operator:/var:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
  group: 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nlp:x:7:\nmail:x:8:\nkmem:x:9:\nwheel:x:10:root\n'
    + 'cdrom:x:11:\ndialout:x:18:\nfloppy:x:19:\nvideo:x:28:\naudio:x:29:\ntape:x:32:\nwww-data:x:33:\noperator:x:37:\n'
    + 'utmp:x:43:\nplugdev:x:46:\nstaff:x:50:\nlock:x:54:\nnetdev:x:82:\nusers:x:100:\nnobody:x:65534:\n',
}

async function specs(variant: Shape['images']): Promise<ImageSpec[]> {
  const upstream = variant === 'upstream'
  const podinfo = async (name: string, release: keyof typeof versions.podinfo): Promise<ImageSpec> => ({
    name,
    busybox: 'applets-everywhere', // alpine's busybox: so that `kubectl exec -- ls /data` works as in the quests
    files: {
      '/home/app/podinfo': join(binDir.podinfo(release), 'podinfo'),
      ...(upstream ? { '/usr/local/bin/podcli': join(binDir.podinfo(release), 'podcli') } : {}),
    },
    dirs: { '/home/app/ui': await podinfoUi(release) },
    etc: upstream ? alpineEtc : rootEtc,
    ...(upstream ? { owned: { path: '/home/app', uid: 100, gid: 101 } } : {}),
    config: upstream
      ? { Cmd: ['./podinfo'], WorkingDir: '/home/app', User: 'app' }
      : { Cmd: ['./podinfo'], WorkingDir: '/home/app', ExposedPorts: { '9898/tcp': {} } },
  })
  return [
    { name: images.pause, files: { '/pause': '/usr/bin/catatonit' }, config: { Entrypoint: ['/pause', '-P'] } },
    upstream
      ? { name: images.busybox, busybox: 'official', files: {}, etc: buildrootEtc, config: { Cmd: ['sh'] } }
      : { name: images.busybox, busybox: 'applets-everywhere', files: {}, etc: rootEtc, config: { Cmd: ['sh'] } },
    { name: images.coredns, files: { '/coredns': join(binDir.coredns, 'coredns') }, config: { Entrypoint: ['/coredns'] } },
    {
      name: images.localPathProvisioner, busybox: 'applets-everywhere', etc: rootEtc,
      files: { '/usr/bin/local-path-provisioner': join(binDir.localPathProvisioner, 'local-path-provisioner') },
      config: { Cmd: ['local-path-provisioner'] },
    },
    await podinfo(images.podinfo, '6.7.0'),
    await podinfo(images.podinfoOther, '6.9.2'),
    // kubestr's image runs fio with a shell beside it (Alpine's fio and busybox):
    // here Debian's fio with the libraries it links, and busybox.
    { name: images.fio, busybox: 'applets-everywhere', files: await withLibraries('/usr/bin/fio'), config: { Cmd: ['sh'] } },
  ]
}

// `ldd` output: the files a dynamic binary loads, the loader included.
export function parseLdd(output: string): string[] {
  const files: string[] = []
  for (const line of output.split('\n')) {
    const m = /=>\s+(\/\S+)\s+\(/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line)
    if (m?.[1]) files.push(m[1])
  }
  return files
}

// A dynamically linked program and every library it loads (ldd), at the same paths.
async function withLibraries(program: string): Promise<Record<string, string>> {
  const { stdout } = await $`ldd ${program}`
  return Object.fromEntries([program, ...parseLdd(stdout)].map((p) => [p, p]))
}

// Only podinfo and busybox differ between the variants; the others share one archive.
const variantOf = (spec: ImageSpec, variant: Shape['images']) =>
  spec.name === images.busybox || spec.name.startsWith('ghcr.io/stefanprodan/podinfo:') ? variant : 'root'
const archivePath = (name: string, variant: Shape['images']) =>
  join(paths.imageCache, `${name.replace(/[^a-zA-Z0-9.-]+/g, '_')}.${variant === 'root' ? '' : 'upstream.'}${LAYOUT[variant]}.tar`)

async function addBusybox(root: string, layout: NonNullable<ImageSpec['busybox']>): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true })
  await copyFile('/bin/busybox', join(root, 'bin/busybox'))
  const { stdout } = await $`/bin/busybox --list-full`
  for (const applet of stdout.split('\n').filter(Boolean)) {
    // `busybox --install /bin` puts every applet in /bin; --list-full gives each its usual folder.
    const path = layout === 'official' ? join('bin', applet.split('/').pop()!) : applet
    if (path === 'bin/busybox') continue
    await mkdir(join(root, dirname(path)), { recursive: true })
    if (!existsSync(join(root, path))) await symlink('/bin/busybox', join(root, path))
  }
  if (layout === 'official') {
    await mkdir(join(root, 'usr/bin'), { recursive: true })
    await symlink('../../bin/env', join(root, 'usr/bin/env'))
    await mkdir(join(root, 'etc'), { recursive: true })
    await copyFile('/usr/share/zoneinfo/UTC', join(root, 'etc/localtime'))
    // buildroot's device_table.txt and the home folders of its accounts.
    for (const [dir, mode] of [['root', 0o700], ['home', 0o755], ['var/www', 0o755], ['var/spool/mail', 0o755], ['usr/sbin', 0o755]] as const) {
      await mkdir(join(root, dir), { recursive: true })
      await chmod(join(root, dir), mode)
    }
  }
}

// A root folder staged in a temporary work folder (its /tmp world-writable, sticky), removed after `fn`.
export async function withStagedRoot(prefix: string, fn: (work: string, root: string) => Promise<void>): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), prefix))
  try {
    const root = join(work, 'rootfs')
    await mkdir(join(root, 'tmp'), { recursive: true })
    await chmod(join(root, 'tmp'), 0o1777)
    await fn(work, root)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

// Each file copied from the machine into the image at its path, executable.
export async function copyExecutables(root: string, files: Record<string, string>): Promise<void> {
  for (const [inImage, source] of Object.entries(files)) {
    await mkdir(join(root, dirname(inImage)), { recursive: true })
    await copyFile(source, join(root, inImage))
    await chmod(join(root, inImage), 0o755)
  }
}

function buildArchive(spec: ImageSpec, out: string): Promise<void> {
  return withStagedRoot('sc-image-', async (work, root) => {
    if (spec.busybox) await addBusybox(root, spec.busybox)
    if (spec.etc) {
      await mkdir(join(root, 'etc'), { recursive: true })
      await writeFile(join(root, 'etc/passwd'), spec.etc.passwd)
      await writeFile(join(root, 'etc/group'), spec.etc.group)
    }
    await copyExecutables(root, spec.files)
    for (const [inImage, source] of Object.entries(spec.dirs ?? {})) {
      await cp(source, join(root, inImage), { recursive: true })
    }
    if (spec.owned) await $`chown -R ${`${spec.owned.uid}:${spec.owned.gid}`} ${join(root, spec.owned.path)}`
    else await chown(root, 0, 0)
    // Owners as they are in the staging folder (root, but for `owned`), by number.
    await packImage({ work, root, name: spec.name, config: spec.config, createdBy: 'cluster/images/images.ts', out })
  })
}

// The staged root folder as a one-layer Docker archive at `out`: the layer
// (reproducible: sorted, numeric owners, mtime 0), its config and manifest.
// forceRootOwner: every file root-owned in the layer, whatever the staging folder says.
export async function packImage(o: { work: string; root: string; name: string; config: ImageSpec['config']; createdBy: string; out: string; forceRootOwner?: boolean }): Promise<void> {
  const layer = join(o.work, 'layer.tar')
  await $`tar --sort=name ${o.forceRootOwner ? ['--owner=0', '--group=0'] : []} --numeric-owner --mtime=@0 -cf ${layer} -C ${o.root} .`
  const diffId = `sha256:${createHash('sha256').update(await readFile(layer)).digest('hex')}`
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...o.config },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created_by: `stateful-conformance ${o.createdBy}` }],
  })
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`
  await writeFile(join(o.work, configName), config)
  await writeFile(join(o.work, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [o.name], Layers: ['layer.tar'] }]))
  await $`tar -cf ${`${o.out}.partial`} -C ${o.work} manifest.json ${configName} layer.tar`
  await rename(`${o.out}.partial`, o.out)
}

export interface ImageArchive {
  name: string
  archive: string
}

export async function buildImages(shape: Pick<Shape, 'images'>): Promise<ImageArchive[]> {
  await mkdir(paths.imageCache, { recursive: true })
  const archives: ImageArchive[] = []
  for (const spec of await specs(shape.images)) {
    const out = archivePath(spec.name, variantOf(spec, shape.images))
    if (!existsSync(out)) await buildArchive(spec, out)
    archives.push({ name: spec.name, archive: out })
  }
  return archives
}

// What the nodes need before their kubelets start pods: the sandbox image and the
// add-ons'. A tainted control plane runs nothing else (CoreDNS alone tolerates it).
const systemImages: readonly string[] = [images.pause, images.coredns, images.localPathProvisioner]
export function imagesFor(node: Pick<NodeSpec, 'tainted'>, all: ImageArchive[]): { system: string[]; workload: string[] } {
  // A tainted node runs only what tolerates its taint: CoreDNS, and local-path-provisioner's
  // helper pods (busybox), which tolerate every taint and prepare shared-immediate's folders.
  const onTainted: string[] = [images.pause, images.coredns, images.busybox]
  const wanted = node.tainted ? all.filter((i) => onTainted.includes(i.name)) : all
  return {
    system: wanted.filter((i) => systemImages.includes(i.name)).map((i) => i.archive),
    workload: wanted.filter((i) => !systemImages.includes(i.name)).map((i) => i.archive),
  }
}

export async function importImages(node: NodeSpec, archives: string[]): Promise<void> {
  for (const archive of archives) {
    await $`ctr --address ${node.containerdSocket} --namespace k8s.io images import ${archive}`
  }
}
