// The shape of an embedded cluster: how many nodes, which admission, which
// images and storage, which Kubernetes release. Chosen at `cluster:up` (flags, else SC_CLUSTER_* variables,
// else the preset), recorded in .cluster/shape.json while it runs.
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { kubernetesRelease, kubernetesReleases, minorOf, net, nodeIp6, nodePodCidr6, paths, ShapeError, versions } from './config.ts'

export interface Shape {
  nodes: number
  podSecurity: 'privileged' | 'restricted'
  clusterDomain: string
  // root: podinfo and busybox as this project always built them (podinfo runs as root);
  // upstream: as the upstream images are defined (podinfo as its user app, 100:101).
  images: 'root' | 'upstream'
  // The ext4 class: a loop-device disk per claim, like a cloud disk.
  ext4Class: boolean
  // What a locked-down cluster adds (cluster/addons/strict.yaml): admission policies that refuse
  // containers without requests and limits and pod ids outside the namespace's OpenShift-like
  // range (assigned to every new namespace by annotation), NetworkPolicies enforced on every node
  // (kube-network-policies) with a default-deny in every new namespace, and its last worker tainted NoExecute.
  strict: boolean
  // Pods and nodes get an IPv4 and an IPv6 address, and the Service range has both families
  // (IPv4 first: a Service that asks for none gets IPv4 alone), as on a dual-stack EKS or GKE.
  dualStack: boolean
  // The release `up` started every component on (the pinned one unless --version named the previous
  // minor); `cluster:upgrade` sets it to the pinned one once every component runs that.
  kubernetes: string
}

export const presets = {
  // What kind gives out of the box (and what CI runs until the suite meets the other).
  kind: { nodes: 1, podSecurity: 'privileged', clusterDomain: 'cluster.local', images: 'root', ext4Class: false, strict: false, dualStack: false, kubernetes: versions.kubernetes },
  // What a managed cloud cluster demands: several nodes in zones, restricted pods, non-root images, real disks.
  cloud: { nodes: 3, podSecurity: 'restricted', clusterDomain: 'cluster.local', images: 'upstream', ext4Class: true, strict: false, dualStack: false, kubernetes: versions.kubernetes },
  // The cloud shape made hostile: strict admission, enforced NetworkPolicies, dual-stack, zonal ext4 disks, a second
  // worker in zone-a (a zonal disk moves between the two) and a fifth node (zone-b's second) tainted NoExecute.
  strict: { nodes: 5, podSecurity: 'restricted', clusterDomain: 'cluster.local', images: 'upstream', ext4Class: true, strict: true, dualStack: true, kubernetes: versions.kubernetes },
} as const satisfies Record<string, Shape>

export const maxNodes = 5

export { ShapeError }

// Flags (--nodes=3) win over variables (SC_CLUSTER_NODES=3), which win over the preset.
const options = {
  shape: { flag: 'shape', env: 'SC_CLUSTER_SHAPE', accepted: Object.keys(presets).join('|') },
  nodes: { flag: 'nodes', env: 'SC_CLUSTER_NODES', accepted: `1..${maxNodes}` },
  podSecurity: { flag: 'pod-security', env: 'SC_CLUSTER_POD_SECURITY', accepted: 'privileged|restricted' },
  clusterDomain: { flag: 'cluster-domain', env: 'SC_CLUSTER_DOMAIN', accepted: 'a DNS domain such as cluster.local' },
  images: { flag: 'images', env: 'SC_CLUSTER_IMAGES', accepted: 'root|upstream' },
  ext4Class: { flag: 'ext4-class', env: 'SC_CLUSTER_EXT4_CLASS', accepted: 'on|off' },
  strict: { flag: 'strict', env: 'SC_CLUSTER_STRICT', accepted: 'on|off' },
  dualStack: { flag: 'dual-stack', env: 'SC_CLUSTER_DUAL_STACK', accepted: 'on|off' },
  kubernetes: { flag: 'version', env: 'SC_CLUSTER_VERSION', accepted: kubernetesReleases.map((r) => minorOf(r.version)).join('|') },
} as const
type OptionName = keyof typeof options

function bad(name: OptionName, value: string, why = ''): ShapeError {
  const o = options[name]
  return new ShapeError(`--${o.flag}=${value} (or ${o.env})${why ? `: ${why}` : ''}: accepted values: ${o.accepted}`)
}

export function parseShape(argv: string[], env: NodeJS.ProcessEnv): Shape {
  const given: Partial<Record<OptionName, string>> = {}
  for (const [name, o] of Object.entries(options) as [OptionName, (typeof options)[OptionName]][]) {
    if (env[o.env]) given[name] = env[o.env]
  }
  for (const arg of argv) {
    const m = /^--([a-z0-9-]+)=(.*)$/.exec(arg)
    const name = m && (Object.keys(options) as OptionName[]).find((n) => options[n].flag === m[1])
    if (!m || !name) {
      throw new ShapeError(`unknown option ${arg}: accepted: ${Object.values(options).map((o) => `--${o.flag}=${o.accepted}`).join(' ')}`)
    }
    given[name] = m[2]
  }
  const presetName = given.shape ?? 'kind'
  if (!(presetName in presets)) throw bad('shape', presetName)
  const shape: Shape = { ...presets[presetName as keyof typeof presets] }
  if (given.nodes !== undefined) {
    const n = Number(given.nodes)
    if (!Number.isInteger(n) || n < 1 || n > maxNodes) throw bad('nodes', given.nodes)
    shape.nodes = n
  }
  if (given.podSecurity !== undefined) {
    if (given.podSecurity !== 'privileged' && given.podSecurity !== 'restricted') throw bad('podSecurity', given.podSecurity)
    shape.podSecurity = given.podSecurity
  }
  if (given.clusterDomain !== undefined) {
    // A DNS name of two labels or more, as kubelet's clusterDomain and CoreDNS's zones take it.
    if (!/^(?=.{1,200}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/.test(given.clusterDomain)) {
      throw bad('clusterDomain', given.clusterDomain)
    }
    shape.clusterDomain = given.clusterDomain
  }
  if (given.images !== undefined) {
    if (given.images !== 'root' && given.images !== 'upstream') throw bad('images', given.images)
    shape.images = given.images
  }
  if (given.ext4Class !== undefined) {
    if (given.ext4Class !== 'on' && given.ext4Class !== 'off') throw bad('ext4Class', given.ext4Class)
    shape.ext4Class = given.ext4Class === 'on'
  }
  if (given.strict !== undefined) {
    if (given.strict !== 'on' && given.strict !== 'off') throw bad('strict', given.strict)
    shape.strict = given.strict === 'on'
  }
  if (given.dualStack !== undefined) {
    if (given.dualStack !== 'on' && given.dualStack !== 'off') throw bad('dualStack', given.dualStack)
    shape.dualStack = given.dualStack === 'on'
  }
  if (shape.strict && shape.nodes < 2) throw bad('strict', 'on', `the strict shape taints its last worker NoExecute, so it needs 2 nodes or more, not ${shape.nodes}`)
  if (given.kubernetes !== undefined) {
    const release = kubernetesRelease(given.kubernetes)
    if (!release) throw bad('kubernetes', given.kubernetes)
    shape.kubernetes = release.version
  }
  return shape
}

// The release is named only when it is not the pinned one.
// The release is named where it is not the pinned one, unless the caller names it already (withRelease false).
export function describeShape(s: Shape, withRelease = true): string {
  return `${s.nodes} node${s.nodes === 1 ? '' : 's'}, pod security ${s.podSecurity}, domain ${s.clusterDomain}, ${s.images} images${s.ext4Class ? `, ext4 class${s.strict ? ' (zonal disks)' : ''}` : ''}` +
    `${s.strict ? ', strict admission, NetworkPolicies enforced (a default-deny in every new namespace) and a NoExecute node' : ''}` +
    `${s.dualStack ? ', dual-stack (IPv4 and IPv6)' : ''}` +
    `${withRelease && s.kubernetes !== versions.kubernetes ? `, Kubernetes ${s.kubernetes}` : ''}`
}

// The shape of the running cluster, as `up` recorded it (one recorded before releases were, on the pinned one).
export function recordedShape(): Shape | undefined {
  try {
    const shape = JSON.parse(readFileSync(paths.shape, 'utf8')) as Partial<Shape>
    return { ...shape, strict: shape.strict ?? false, dualStack: shape.dualStack ?? false, kubernetes: shape.kubernetes ?? versions.kubernetes } as Shape
  } catch {
    return undefined
  }
}

export async function recordShape(shape: Shape): Promise<void> {
  await writeFile(paths.shape, JSON.stringify(shape, null, 2) + '\n')
}

export function sameShape(a: Shape, b: Shape): boolean {
  return (Object.keys(presets.kind) as (keyof Shape)[]).every((k) => a[k] === b[k])
}

// ---- nodes -------------------------------------------------------------------

export interface NodeSpec {
  index: number
  name: string
  role: 'control-plane' | 'worker'
  // Tainted NoSchedule, as kubeadm and managed clusters keep their control plane; a lone node is not.
  tainted: boolean
  // Tainted NoExecute (the strict shape's last worker): no pod of the suite may run there.
  quarantined: boolean
  zone?: string
  ip: string
  podCidr: string
  // Its addresses and pod ranges, IPv4 first, then IPv6 on a dual-stack shape.
  ips: string[]
  podCidrs: string[]
  netns: string
  // Appended to the component's name for its pid file and log: '' for the first node.
  procSuffix: string
  dir: string // what the node keeps on disk
  runDir: string // its sockets and runtime state
  containerdSocket: string
  cgroup: string // kubelet's cgroupRoot, under the instance's
}

export const zones = ['zone-a', 'zone-b'] as const

export const quarantineTaint = { key: 'stateful-conformance.dev/quarantine', value: 'true', effect: 'NoExecute' } as const

export function nodesOf(shape: Pick<Shape, 'nodes'> & Partial<Pick<Shape, 'strict' | 'dualStack'>>): NodeSpec[] {
  const ipBase = net.hostIp.split('.').slice(0, 3).join('.')
  return Array.from({ length: shape.nodes }, (_, i) => {
    const short = i === 0 ? 'control-plane' : i === 1 ? 'worker' : `worker${i}`
    const name = `embedded-${short}`
    const dir = join(paths.state, 'nodes', name)
    const runDir = join(paths.run, 'nodes', name)
    const ip = `${ipBase}.${2 + i}` // the first is net.controlPlaneIp
    const podCidr = `10.244.${i}.0/24`
    return {
      index: i,
      name,
      role: i === 0 ? 'control-plane' : 'worker',
      tainted: i === 0 && shape.nodes > 1,
      quarantined: Boolean(shape.strict) && i > 0 && i === shape.nodes - 1,
      zone: i === 0 ? undefined : zones[(i - 1) % zones.length],
      ip,
      podCidr,
      ips: [ip, ...(shape.dualStack ? [nodeIp6(i)] : [])],
      podCidrs: [podCidr, ...(shape.dualStack ? [nodePodCidr6(i)] : [])],
      netns: i === 0 ? net.netnsBase : `${net.netnsBase}-${short}`,
      procSuffix: i === 0 ? '' : `-${short}`,
      dir,
      runDir,
      containerdSocket: join(runDir, 'containerd.sock'),
      cgroup: `${short}`,
    } satisfies NodeSpec
  })
}

export const controlPlane = (nodes: NodeSpec[]) => nodes[0]!
