// What `down` removes beyond the processes: strays, mounts, loop devices,
// cgroups and the runtime's leftovers outside the instance's folders.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, readlink, rm, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import { cgroupRoot, net, paths, state } from '../base/config.ts'
import { $, netnsPath } from '../base/sh.ts'
import type { NodeSpec } from '../base/shape.ts'
import { ourNetns } from './network.ts'

// The kubelet's cgroupRoot must exist in every v1 hierarchy before it starts.
export async function createCgroupRoots(nodes: NodeSpec[]): Promise<void> {
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const node of nodes) await mkdir(join('/sys/fs/cgroup', hierarchy, cgroupRoot, node.cgroup), { recursive: true })
  }
}

// Is `path` the folder `dir` or inside it? (Never a sibling that shares its prefix.)
export const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`)

// Processes still running from this cluster: containerd shims and whatever
// runs in its pods' cgroups.
export function strayProcesses(): number[] {
  const ours: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8')
      const shimOfOurs = cmdline[0]?.includes('containerd-shim') && cmdline.some((a) => within(a, paths.run))
      if (shimOfOurs || cgroup.includes(`:/${cgroupRoot}/`)) ours.push(Number(entry))
    } catch { /* exited meanwhile */ }
  }
  return ours
}

export async function killStrays(): Promise<number> {
  const pids = strayProcesses()
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
  }
  const deadline = Date.now() + 10_000
  while (strayProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  return pids.length
}

// Mounts made for this cluster (kubelet, containerd, the ext4 class's disks) and its namespaces.
// Pod network namespaces (/run/netns/cni-*) are removed by the runtime itself (criclean):
// other runtimes on the machine keep theirs there too.
export async function ourMounts(): Promise<string[]> {
  const netns = (await ourNetns().catch(() => [])).map(netnsPath)
  const dirs = [paths.state, paths.run, paths.etcd, ...netns]
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && dirs.some((d) => within(m, d)))
    .reverse()
}

export async function unmountAll(): Promise<number> {
  const mounts = await ourMounts()
  for (const m of mounts) {
    await $({ nothrow: true })`umount ${m}`.then((r) => (r.ok ? r : $({ nothrow: true })`umount -l ${m}`))
  }
  return mounts.length
}

// Loop devices backed by this instance's disk images (the ext4 class).
export async function ourLoopDevices(): Promise<string[]> {
  const out = await $({ nothrow: true })`losetup --list --noheadings --output NAME,BACK-FILE`
  return out.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter(([dev, file]) => dev && file && within(file, state.disks)).map(([dev]) => dev!)
}

export async function detachLoopDevices(): Promise<number> {
  const devices = await ourLoopDevices()
  for (const d of devices) await $({ nothrow: true })`losetup -d ${d}`
  return devices.length
}

// kubelet (cgroupfs driver) makes its kubepods tree under its cgroupRoot in every v1 hierarchy.
export async function removeCgroups(): Promise<number> {
  let removed = 0
  const rmTree = async (dir: string): Promise<void> => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await rmTree(join(dir, e.name))
    }
    try { await rmdir(dir); removed++ } catch { /* still busy: reported by status */ }
  }
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', hierarchy, cgroupRoot)
    if (existsSync(dir)) await rmTree(dir)
  }
  return removed
}

export function ourCgroups(): string[] {
  return readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, cgroupRoot)).filter((d) => existsSync(d))
}

// containerd 1.6 keeps shim sockets and fifos under /run/containerd, and libcni
// its results under /var/lib/cni, whatever the configuration says. Remove ours
// (this instance's network name) and the folders once empty: another runtime on the
// machine keeps its own there.
export async function removeRuntimeLeftovers(): Promise<string[]> {
  const removed: string[] = []
  const results = '/var/lib/cni/results'
  const ours = new RegExp(`^${net.cniNetwork}-[0-9a-f]{64}-eth0$`)
  for (const f of existsSync(results) ? readdirSync(results) : []) {
    if (ours.test(f)) {
      await rm(join(results, f), { force: true })
      removed.push(join(results, f))
    }
  }
  // The kubelet links each container's log into /var/log/containers, whatever its podLogsDir.
  const links = '/var/log/containers'
  for (const f of existsSync(links) ? readdirSync(links) : []) {
    const target = await readlink(join(links, f)).catch(() => '')
    if (within(target, paths.state)) {
      await rm(join(links, f), { force: true })
      removed.push(join(links, f))
    }
  }
  for (const dir of [results, '/var/lib/cni', '/run/containerd/s', '/run/containerd/fifo', '/run/containerd']) {
    try {
      await rmdir(dir)
      removed.push(dir)
    } catch { /* not there, or not empty: not ours alone */ }
  }
  return removed
}
