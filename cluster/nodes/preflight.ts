// Before `up` does anything: root, and the Debian packages the cluster runs
// from (installed as root with apt-get, saying so in one line).
import { existsSync } from 'node:fs'
import { log } from '../base/log.ts'
import { $ } from '../base/sh.ts'

// What the cluster runs from Debian: a file each package brings, and the package.
const debianFiles: Record<string, string> = {
  '/usr/bin/containerd': 'containerd', '/usr/bin/ctr': 'containerd', '/usr/sbin/runc': 'runc', '/usr/bin/etcd': 'etcd-server',
  '/usr/lib/cni/bridge': 'containernetworking-plugins', '/usr/bin/catatonit': 'catatonit', '/bin/busybox': 'busybox-static',
  '/usr/bin/openssl': 'openssl', '/usr/bin/curl': 'curl', '/usr/bin/nsenter': 'util-linux', '/usr/sbin/ip': 'iproute2', '/usr/sbin/iptables': 'iptables',
  '/usr/sbin/conntrack': 'conntrack', '/usr/sbin/losetup': 'mount', '/usr/sbin/mkfs.ext4': 'e2fsprogs', '/usr/sbin/resize2fs': 'e2fsprogs',
  // SC-10's fio image is assembled from Debian's fio (cluster/images/images.ts).
  '/usr/bin/fio': 'fio',
  // The strict shape's NetworkPolicy enforcer, and the semantic mutants, are built from patched sources.
  '/usr/bin/patch': 'patch',
}
export const debianPackages = [...new Set(Object.values(debianFiles))].join(' ')

// As root (which the cluster needs anyway), missing Debian packages are installed, saying so in one line.
export async function preflight(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`the embedded cluster needs root (network namespaces, mounts, cgroups, loop devices); run as root (it needs Debian's ${debianPackages}) or point KUBECONFIG at a cluster`)
  const onPath = (p: string) => existsSync(p) || existsSync(p.replace('/usr/sbin/', '/usr/bin/')) || existsSync(p.replace('/usr/bin/', '/usr/sbin/')) || existsSync(p.replace('/usr/', '/'))
  const missing = [...new Set(Object.entries(debianFiles).filter(([file]) => !onPath(file)).map(([, pkg]) => pkg))]
  if (!missing.length) return
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`
  if (!existsSync('/usr/bin/apt-get')) throw new Error(`missing Debian packages ${missing.join(' ')}: install them (${command})`)
  log(`installing what the embedded cluster needs: apt-get update && ${command}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await $({ env })`apt-get update -qq`
  await $({ env })`apt-get install -y -qq --no-install-recommends ${missing}`
}

