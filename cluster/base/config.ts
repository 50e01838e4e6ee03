// One place for every fact about the embedded cluster: versions, paths,
// addresses and image names. The manifests in cluster/addons and fixtures/
// use the same image names, so they also run unchanged on kind.
//
// Several clusters can run side by side on one machine: SC_CLUSTER_NAME names
// the instance, and every name it owns on the host (network namespaces, veth,
// addresses, folders, cgroup) derives from it. The default instance keeps the
// names it always had.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export const repoRoot = resolve(import.meta.dirname, '..', '..')

export const versions = {
  kubernetes: 'v1.36.3',
  kubernetesBuildDate: '2026-07-22T18:07:38Z', // the module's publication time, stamped into the binaries
  // The previous minor release, which `cluster:up --version=1.35` starts and `cluster:upgrade` moves from (DR-05).
  previousKubernetes: 'v1.35.4',
  previousKubernetesBuildDate: '2026-04-15T18:01:22Z',
  coredns: 'v1.15.0',
  localPathProvisioner: 'v0.0.30',
  // The strict shape's NetworkPolicy enforcer, the one kind ships (built with cluster/build/kube-network-policies/).
  kubeNetworkPolicies: 'v0.8.0',
  // podinfo tags carry no "v", so the Go module proxy knows them only as pseudo-versions.
  podinfo: { '6.7.0': 'v1.8.1-0.20240623182813-0b1481aa8ed0', '6.9.2': 'v1.8.1-0.20250910200901-e86405a8674e' },
} as const

export const images = {
  pause: 'registry.k8s.io/pause:3.10.1',
  busybox: 'docker.io/library/busybox:1.35.0',
  coredns: `registry.k8s.io/coredns/coredns:${versions.coredns}`,
  localPathProvisioner: `docker.io/rancher/local-path-provisioner:${versions.localPathProvisioner}`,
  podinfo: 'ghcr.io/stefanprodan/podinfo:6.7.0',
  podinfoOther: 'ghcr.io/stefanprodan/podinfo:6.9.2',
  // SC-10's fio, under the name lib/harness/images.ts gives it (kubestr's image).
  fio: 'ghcr.io/kastenhq/kubestr:v0.4.49',
} as const

export const defaultInstance = 'stateful-conformance'

// An instance name becomes part of interface names (15 bytes at most) and paths.
export function parseInstanceName(raw: string | undefined): string {
  const name = raw || defaultInstance
  if (name !== defaultInstance && !/^[a-z][a-z0-9]{0,11}$/.test(name)) {
    throw new Error(`SC_CLUSTER_NAME=${name}: expected 1 to 12 lower-case letters and digits, starting with a letter (or unset for ${defaultInstance})`)
  }
  return name
}

// The third octet of the instance's link network 10.250.X.0/24: 0 for the default
// instance, a stable hash of the name for the others (cluster:up refuses one in use).
export function linkOctet(name: string): number {
  if (name === defaultInstance) return 0
  let h = 2166136261
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  return 1 + (h % 254)
}

// Bad input to cluster:up (an option, the instance name): refused with one line.
export class ShapeError extends Error {}

// A bad name is reported when a command runs (assertInstance), not at import.
let instanceProblem: string | undefined
export const instance = (() => {
  try {
    return parseInstanceName(process.env.SC_CLUSTER_NAME)
  } catch (err) {
    instanceProblem = (err as Error).message
    return 'invalid'
  }
})()
export function assertInstance(): void {
  if (instanceProblem) throw new ShapeError(instanceProblem)
}
const isDefault = instance === defaultInstance
// Other instances share no prefix with the default one's names, so that no
// clean-up by prefix (this code's or an older one's) reaches across.
const base = isDefault ? defaultInstance : `sc-${instance}`

const cacheRoot = process.env.SC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stateful-conformance')
const local = join(repoRoot, isDefault ? '.cluster' : `.cluster-${instance}`)

export const paths = {
  cache: cacheRoot,
  bin: join(cacheRoot, 'bin'),
  imageCache: join(cacheRoot, 'images'),
  // What the repo keeps: the admin kubeconfig, the options of the running cluster and the component logs.
  local,
  kubeconfig: join(local, 'kubeconfig'),
  shape: join(local, 'shape.json'),
  logs: join(local, 'logs'),
  // What the nodes keep: removed whole by `cluster:down`.
  state: `/var/lib/${base}`,
  run: `/run/${base}`,
  // etcd fsyncs on every write; tmpfs keeps the API fast and the data is throwaway anyway.
  etcd: `/dev/shm/${base}-etcd`,
} as const

export const state = {
  pki: join(paths.state, 'pki'),
  config: join(paths.state, 'config'),
  pids: join(paths.run, 'pids'),
  // The ext4 class's disks: one image file per volume, and where each is mounted.
  disks: join(paths.state, 'disks'),
  // The shared-immediate class's volumes: one folder of this host, which every
  // node of the embedded cluster sees, as a shared filesystem (NFS, say) would be.
  sharedVolumes: join(paths.state, 'shared-volumes'),
} as const

// The network: a "LAN" network namespace holds a bridge that joins the host
// (one veth, 10.250.X.1) and every node (one veth each, 10.250.X.2, .3, …).
// Each node lives in its own network namespace: its iptables rules, pod bridge
// and routes go away with it, and nothing it does touches the host's network.
// Pod and service ranges exist only inside the namespaces, so instances may share them.
const octet = linkOctet(instance)
export const net = {
  // The first node's namespace is named like the instance, the others after their node.
  netnsBase: base,
  lanNetns: `${base}-lan`,
  hostIf: isDefault ? 'sc-host' : `sc-${instance}`,
  nodeIf: 'sc-node', // inside each node's own namespace
  lanBridge: 'lan0', // inside the LAN namespace
  linkNet: `10.250.${octet}.0/24`,
  hostIp: `10.250.${octet}.1`,
  controlPlaneIp: `10.250.${octet}.2`, // the first node's; the others follow
  linkPrefix: 24,
  podCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/16',
  // A dual-stack shape's second family (IPv6 unique local addresses): the nodes' LAN (nodeIp6),
  // the pods' (a /64 per node: nodePodCidr6) and the Services'.
  lan6: octet ? `fd00:10:250:${octet}::` : 'fd00:10:250::',
  lan6Prefix: 64,
  podCidr6: 'fd00:10:244::/56',
  serviceCidr6: 'fd00:10:96::/112',
  apiServiceIp: '10.96.0.1',
  dnsIp: '10.96.0.10',
  bridge: 'cni0',
  // The CNI network's name; libcni files its results under it in /var/lib/cni.
  cniNetwork: isDefault ? 'embedded' : base,
} as const

// The pod and Service ranges as the components take them: IPv4, then IPv6 on a dual-stack shape.
// Node i's IPv6 address and pod range, in canonical form (RFC 5952), as the API writes them back.
export const nodeIp6 = (i: number) => `${net.lan6}${2 + i}`
export const nodePodCidr6 = (i: number) => (i ? `fd00:10:244:${i}::/64` : 'fd00:10:244::/64')

export const podCidrs = (dualStack: boolean) => [net.podCidr, ...(dualStack ? [net.podCidr6] : [])].join(',')
export const serviceCidrs = (dualStack: boolean) => [net.serviceCidr, ...(dualStack ? [net.serviceCidr6] : [])].join(',')

export const cgroupRoot = base
export const apiServer = `https://${net.controlPlaneIp}:6443`

// Programs of this repository are kept under a hash of their sources (the enforcer under its
// patch's), as a mutant is under its patch's: a changed source is a new build, never a stale cache.
const sourcesHash = (...files: string[]) => {
  const h = createHash('sha256')
  for (const f of files) h.update(readFileSync(f))
  return h.digest('hex').slice(0, 12)
}
const buildDir = (...parts: string[]) => join(repoRoot, 'cluster', 'build', ...parts)
export const ext4ProvisionerVersion = sourcesHash(...['main.go', 'go.mod', 'go.sum'].map((f) => buildDir('ext4-provisioner', f)))
export const networkPoliciesPatch = buildDir('kube-network-policies', 'nfqueue-xt.patch')
export const networkPoliciesBuild = sourcesHash(networkPoliciesPatch)
export const namespaceDefaultsVersion = sourcesHash(buildDir('kubernetes', 'namespace-defaults', 'main.go'))
export const ext4CsiVersion = sourcesHash(...readdirSync(buildDir('kubernetes', 'ext4-csi')).sort().map((f) => buildDir('kubernetes', 'ext4-csi', f)))

// The Kubernetes releases the cluster can run, each built from its own Go module in cluster/build/:
// the pinned one, which `up` starts and `cluster:upgrade` moves to, and the previous minor.
export interface KubernetesRelease {
  version: string
  buildDate: string
  module: string // its folder in cluster/build/
}
export const kubernetesReleases: readonly KubernetesRelease[] = [
  { version: versions.kubernetes, buildDate: versions.kubernetesBuildDate, module: 'kubernetes' },
  { version: versions.previousKubernetes, buildDate: versions.previousKubernetesBuildDate, module: 'kubernetes-1.35' },
]

// "1.35" (as --version takes it) of "v1.35.4".
export const minorOf = (version: string) => version.replace(/^v/, '').split('.').slice(0, 2).join('.')

// The release asked for as 1.35, v1.35, 1.35.4 or v1.35.4; undefined for one the cluster cannot run.
export function kubernetesRelease(asked: string): KubernetesRelease | undefined {
  const a = asked.trim().replace(/^v/, '')
  return kubernetesReleases.find((r) => a === minorOf(r.version) || a === r.version.slice(1))
}

export const kubernetesBinDir = (version: string) => join(paths.bin, `kubernetes-${version}`)

export const binDir = {
  kubernetes: kubernetesBinDir(versions.kubernetes),
  coredns: join(paths.bin, `coredns-${versions.coredns}`),
  localPathProvisioner: join(paths.bin, `local-path-provisioner-${versions.localPathProvisioner}`),
  ext4Provisioner: join(paths.bin, 'ext4-provisioner-' + ext4ProvisionerVersion),
  kubeNetworkPolicies: join(paths.bin, `kube-network-policies-${versions.kubeNetworkPolicies}-${networkPoliciesBuild}`),
  namespaceDefaults: join(paths.bin, `namespace-defaults-${namespaceDefaultsVersion}`),
  ext4Csi: join(paths.bin, `ext4-csi-${ext4CsiVersion}`),
  podinfo: (release: keyof typeof versions.podinfo) => join(paths.bin, `podinfo-${release}`),
} as const
