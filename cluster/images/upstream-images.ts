// Upstream's e2e test images that the benchmarked tests use, assembled here
// as images.ts assembles ours (one-layer archives imported into the
// embedded cluster's containerd under their upstream names):
//   agnhost 2.55 and 2.63.0  the agnhost built from k8s.io/kubernetes (its
//                            VERSION is 2.63.0; 2.55 gets the same binary under
//                            a config of its own, so the two tags are two images
//                            as the rolling-update tests expect), busybox for
//                            sh/mv/test, porter's certificate at / (the
//                            StatefulSet readiness probe fetches /localhost.crt)
//   e2e busybox 1.37.0-1     Debian's busybox-static
//   glibc-dns-testing 2.0.0  busybox, Debian's dig and getent with their libraries
//   pause 3.10.2             Debian's catatonit, as our pause
// dig goes into agnhost too (upstream's has Alpine's bind-tools): where dig is
// not installed, neither DNS image is built and the DNS tests are left out.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { paths, versions } from '../base/config.ts'
import { copyExecutables, importImages, packImage, parseLdd, withStagedRoot } from './images.ts'
import { nodesOf, recordedShape } from '../base/shape.ts'
import { agnhostBinary } from '../binaries/upstream-e2e.ts'

const exec = promisify(execFile)
const LAYOUT = 'u1' // bump when the rootfs layouts below change, to invalidate cached archives

export const upstreamImages = {
  agnhostPrev: 'registry.k8s.io/e2e-test-images/agnhost:2.55',
  agnhost: 'registry.k8s.io/e2e-test-images/agnhost:2.63.0',
  busybox: 'registry.k8s.io/e2e-test-images/busybox:1.37.0-1',
  glibcDnsTesting: 'registry.k8s.io/e2e-test-images/glibc-dns-testing:2.0.0',
  pause: 'registry.k8s.io/pause:3.10.2',
} as const

const dnsTools = ['/usr/bin/dig', '/usr/bin/getent']

interface UpstreamImage {
  name: string
  files: Record<string, string> // path in the image -> path on this machine
  links?: Record<string, string> // path in the image -> symlink target
  dirs?: string[]
  withDnsTools?: boolean
  etc?: Record<string, string> // extra files under /etc, by content
  config: { Entrypoint?: string[]; Cmd?: string[]; Labels?: Record<string, string> }
}

export interface UpstreamImagesResult {
  archives: string[]
  // Why the DNS images could not be built, when they could not.
  dnsToolsMissing?: string
}

async function agnhostDir(): Promise<string> {
  const { stdout } = await exec('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${versions.kubernetes}`])
  return join((JSON.parse(stdout) as { Dir: string }).Dir, 'test', 'images', 'agnhost')
}

async function specs(withDns: boolean): Promise<UpstreamImage[]> {
  const porter = join(await agnhostDir(), 'porter')
  const agnhost = (name: string): UpstreamImage => ({
    name,
    files: { '/agnhost': agnhostBinary, '/localhost.crt': join(porter, 'localhost.crt'), '/localhost.key': join(porter, 'localhost.key') },
    links: { '/agnhost-2': 'agnhost' },
    dirs: ['/uploads'],
    withDnsTools: withDns,
    // The user and group upstream's Dockerfile adds for a SupplementalGroups test.
    etc: {
      passwd: 'root:x:0:0:root:/root:/bin/sh\nuser-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
      group: 'root:x:0:\nuser-defined-in-image:x:1000:\ngroup-defined-in-image:x:50000:user-defined-in-image\nnobody:x:65534:\n',
    },
    config: { Entrypoint: ['/agnhost'], Cmd: ['pause'], Labels: { 'org.opencontainers.image.ref.name': name } },
  })
  return [
    agnhost(upstreamImages.agnhostPrev),
    agnhost(upstreamImages.agnhost),
    { name: upstreamImages.busybox, files: {}, config: { Cmd: ['sh'] } },
    { name: upstreamImages.pause, files: { '/pause': '/usr/bin/catatonit' }, config: { Entrypoint: ['/pause', '-P'] } },
    ...(withDns ? [{ name: upstreamImages.glibcDnsTesting, files: {}, withDnsTools: true, etc: { 'nsswitch.conf': 'hosts: files dns\n' }, config: { Cmd: ['sh'] } }] : []),
  ]
}

async function addBusybox(root: string): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true })
  await copyFile('/bin/busybox', join(root, 'bin/busybox'))
  const { stdout } = await exec('/bin/busybox', ['--list-full'])
  for (const applet of stdout.split('\n').filter(Boolean)) {
    if (applet === 'bin/busybox') continue
    await mkdir(join(root, dirname(applet)), { recursive: true })
    if (!existsSync(join(root, applet))) await symlink('/bin/busybox', join(root, applet))
  }
}

async function addDynamic(root: string, binary: string): Promise<void> {
  const { stdout } = await exec('ldd', [binary])
  // The binary replaces busybox's applet of the same name, if any.
  await rm(join(root, binary), { force: true })
  for (const file of [binary, ...parseLdd(stdout)]) {
    await mkdir(join(root, dirname(file)), { recursive: true })
    if (!existsSync(join(root, file))) await copyFile(file, join(root, file))
  }
}

const archivePath = (name: string) => join(paths.imageCache, `${name.replace(/[^a-zA-Z0-9.-]+/g, '_')}.${LAYOUT}.tar`)

function buildArchive(image: UpstreamImage, out: string): Promise<void> {
  return withStagedRoot('sc-upstream-image-', async (work, root) => {
    await addBusybox(root)
    await mkdir(join(root, 'etc'), { recursive: true })
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n')
    await writeFile(join(root, 'etc/group'), 'root:x:0:\nnobody:x:65534:\n')
    for (const [name, content] of Object.entries(image.etc ?? {})) await writeFile(join(root, 'etc', name), content)
    if (image.withDnsTools) for (const tool of dnsTools) await addDynamic(root, tool)
    await copyExecutables(root, image.files)
    for (const [inImage, target] of Object.entries(image.links ?? {})) await symlink(target, join(root, inImage))
    for (const dir of image.dirs ?? []) await mkdir(join(root, dir), { recursive: true })
    await packImage({ work, root, name: image.name, config: image.config, createdBy: 'cluster/images/upstream-images.ts', out, forceRootOwner: true })
  })
}

// Assembles what is missing (agnhost must be built: cluster/binaries/upstream-e2e.ts).
export async function buildUpstreamImages(): Promise<UpstreamImagesResult> {
  const absent = dnsTools.filter((t) => !existsSync(t))
  const dnsToolsMissing = absent.length
    ? `${absent.join(' and ')} not on this machine (apt-get install bind9-dnsutils): upstream's agnhost and glibc-dns-testing images carry dig`
    : undefined
  await mkdir(paths.imageCache, { recursive: true })
  const archives: string[] = []
  for (const image of await specs(!dnsToolsMissing)) {
    // Which agnhost archive carries dig differs: the name says so.
    const out = archivePath(image.withDnsTools && image.name.includes('agnhost') ? `${image.name}-dns` : image.name)
    if (!existsSync(out)) await buildArchive(image, out)
    archives.push(out)
  }
  return { archives, dnsToolsMissing }
}

// Into every node's containerd of the running embedded cluster, beside ours.
export async function importUpstreamImages(archives: string[]): Promise<void> {
  const shape = recordedShape()
  if (!shape) throw new Error('the embedded cluster is not up (npm run cluster:up)')
  for (const node of nodesOf(shape)) await importImages(node, archives)
}
