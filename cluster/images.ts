// Container images without a registry: each image is a one-layer Docker
// archive assembled from binaries built here (and Debian's static busybox and
// catatonit), imported into containerd's k8s.io namespace under its usual
// upstream name, so manifests written for kind run unchanged.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { binDir, images, paths, state, versions } from './config.ts'

const exec = promisify(execFile)
const LAYOUT = 'l2' // bump when the rootfs layout below changes, to invalidate cached archives

interface ImageSpec {
  name: string
  withBusybox: boolean
  files: Record<string, string> // path in the image -> path on this machine
  dirs?: Record<string, string> // folder in the image -> folder on this machine
  config: { Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string; ExposedPorts?: Record<string, object> }
}

async function podinfoUi(release: keyof typeof versions.podinfo): Promise<string> {
  const { stdout } = await exec('go', ['mod', 'download', '-json', `github.com/stefanprodan/podinfo@${versions.podinfo[release]}`])
  return join((JSON.parse(stdout) as { Dir: string }).Dir, 'ui')
}

async function specs(): Promise<ImageSpec[]> {
  const podinfo = async (name: string, release: keyof typeof versions.podinfo): Promise<ImageSpec> => ({
    name,
    withBusybox: true, // so that `kubectl exec -- ls /data` works as in the quests
    files: { '/home/app/podinfo': join(binDir.podinfo(release), 'podinfo') },
    dirs: { '/home/app/ui': await podinfoUi(release) },
    config: { Cmd: ['./podinfo'], WorkingDir: '/home/app', ExposedPorts: { '9898/tcp': {} } },
  })
  return [
    { name: images.pause, withBusybox: false, files: { '/pause': '/usr/bin/catatonit' }, config: { Entrypoint: ['/pause', '-P'] } },
    { name: images.busybox, withBusybox: true, files: {}, config: { Cmd: ['sh'] } },
    { name: images.coredns, withBusybox: false, files: { '/coredns': join(binDir.coredns, 'coredns') }, config: { Entrypoint: ['/coredns'] } },
    {
      name: images.localPathProvisioner, withBusybox: true,
      files: { '/usr/bin/local-path-provisioner': join(binDir.localPathProvisioner, 'local-path-provisioner') },
      config: { Cmd: ['local-path-provisioner'] },
    },
    await podinfo(images.podinfo, '6.7.0'),
    await podinfo(images.podinfoOther, '6.9.2'),
  ]
}

const archivePath = (name: string) => join(paths.imageCache, `${name.replace(/[^a-zA-Z0-9.-]+/g, '_')}.${LAYOUT}.tar`)

async function addBusybox(root: string): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true })
  await copyFile('/bin/busybox', join(root, 'bin/busybox'))
  const { stdout } = await exec('/bin/busybox', ['--list-full'])
  for (const applet of stdout.split('\n').filter(Boolean)) {
    if (applet === 'bin/busybox') continue
    await mkdir(join(root, dirname(applet)), { recursive: true })
    if (!existsSync(join(root, applet))) await symlink('/bin/busybox', join(root, applet))
  }
  await mkdir(join(root, 'etc'), { recursive: true })
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:100:101:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n')
  await writeFile(join(root, 'etc/group'), 'root:x:0:\napp:x:101:app\nnobody:x:65534:\n')
}

async function buildArchive(spec: ImageSpec, out: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'sc-image-'))
  try {
    const root = join(work, 'rootfs')
    await mkdir(join(root, 'tmp'), { recursive: true })
    await chmod(join(root, 'tmp'), 0o1777)
    if (spec.withBusybox) await addBusybox(root)
    for (const [inImage, source] of Object.entries(spec.files)) {
      await mkdir(join(root, dirname(inImage)), { recursive: true })
      await copyFile(source, join(root, inImage))
      await chmod(join(root, inImage), 0o755)
    }
    for (const [inImage, source] of Object.entries(spec.dirs ?? {})) {
      await cp(source, join(root, inImage), { recursive: true })
    }
    const layer = join(work, 'layer.tar')
    await exec('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', layer, '-C', root, '.'])
    const diffId = `sha256:${createHash('sha256').update(await readFile(layer)).digest('hex')}`
    const config = JSON.stringify({
      architecture: 'amd64', os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...spec.config },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created_by: 'stateful-conformance cluster/images.ts' }],
    })
    const configName = `${createHash('sha256').update(config).digest('hex')}.json`
    await writeFile(join(work, configName), config)
    await writeFile(join(work, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [spec.name], Layers: ['layer.tar'] }]))
    await exec('tar', ['-cf', `${out}.partial`, '-C', work, 'manifest.json', configName, 'layer.tar'])
    await rename(`${out}.partial`, out)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

export async function buildImages(): Promise<string[]> {
  await mkdir(paths.imageCache, { recursive: true })
  const archives: string[] = []
  for (const spec of await specs()) {
    const out = archivePath(spec.name)
    if (!existsSync(out)) await buildArchive(spec, out)
    archives.push(out)
  }
  return archives
}

export async function importImages(archives: string[]): Promise<void> {
  for (const archive of archives) {
    await exec('ctr', ['--address', state.containerdSocket, '--namespace', 'k8s.io', 'images', 'import', archive])
  }
}
