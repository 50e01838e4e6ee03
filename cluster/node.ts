// The nodes: each a network namespace on the instance's LAN, with its own
// containerd, kubelet and kube-proxy; the first also runs etcd and the control
// plane. Every process is recorded in a pid file so that `down` stops exactly
// what `up` started.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, readFile, readlink, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { binDir, cgroupRoot, images, net, paths, state } from './config.ts'
import { log } from './log.ts'
import { kubeletIdentity, pkiPath } from './pki.ts'
import { $, netnsPath } from './sh.ts'
import { controlPlane, type NodeSpec, type Shape } from './shape.ts'

export const nodeComponents = ['containerd', 'kubelet', 'kube-proxy'] as const
export const controlPlaneComponents = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const
export const hostComponents = ['ext4-provisioner'] as const
export type Component = (typeof nodeComponents)[number] | (typeof controlPlaneComponents)[number] | (typeof hostComponents)[number]

// One running process of the cluster: a component, on a node or on the host.
export interface Proc {
  component: Component
  node?: NodeSpec
  name: string // of its pid file and log: the component, then the node for all but the first
}

export function procsOf(shape: Shape, nodes: NodeSpec[]): Proc[] {
  const cp = controlPlane(nodes)
  return [
    ...nodes.map((node) => ({ component: 'containerd' as const, node, name: `containerd${node.procSuffix}` })),
    ...controlPlaneComponents.map((component) => ({ component, node: cp, name: component })),
    ...nodes.flatMap((node) => (['kubelet', 'kube-proxy'] as const).map((component) => ({ component, node, name: `${component}${node.procSuffix}` }))),
    ...(shape.ext4Class ? [{ component: 'ext4-provisioner' as const, name: 'ext4-provisioner' }] : []),
  ]
}

// ---- network -----------------------------------------------------------------

const nsenter = (netns: string) => ['nsenter', `--net=${netnsPath(netns)}`, '--']

export function netnsExists(netns = controlPlaneNetns()): boolean {
  return existsSync(netnsPath(netns))
}
const controlPlaneNetns = () => net.netnsBase

// Every namespace of this instance, whatever shape made it.
export async function ourNetns(): Promise<string[]> {
  const listed = (await $`ip netns list`).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean)
  const ours = new RegExp(`^${net.netnsBase}(-lan|-worker\\d*)?$`)
  return listed.filter((n) => ours.test(n))
}

// The LAN: a bridge in a namespace of its own, so that traffic between nodes
// never passes the host's iptables. The host joins it with one veth.
export async function createNetwork(nodes: NodeSpec[]): Promise<void> {
  const lan = net.lanNetns
  await $`ip netns add ${lan}`
  await $`ip -n ${lan} link set lo up`
  await $`ip -n ${lan} link add ${net.lanBridge} type bridge`
  await $`ip -n ${lan} link set ${net.lanBridge} up`
  // Bridged frames skip iptables here (where the sysctl is per namespace): this namespace has no rules anyway.
  await $`${nsenter(lan)} sh -c ${'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e "$f" ] && echo 0 > "$f"; done; true'}`
  await $`ip link add ${net.hostIf} type veth peer name host netns ${lan}`
  await $`ip -n ${lan} link set host master ${net.lanBridge} up`
  await $`ip addr add ${net.hostIp}/${net.linkPrefix} dev ${net.hostIf}`
  await $`ip link set ${net.hostIf} up`
  await Promise.all(nodes.map(async (node) => {
    const port = `n${node.index}`
    await $`ip netns add ${node.netns}`
    await $`ip -n ${lan} link add ${port} type veth peer name ${net.nodeIf} netns ${node.netns}`
    await $`ip -n ${lan} link set ${port} master ${net.lanBridge} up`
    await $`ip -n ${node.netns} addr add ${node.ip}/${net.linkPrefix} dev ${net.nodeIf}`
    await $`ip -n ${node.netns} link set ${net.nodeIf} up`
    await $`ip -n ${node.netns} link set lo up`
    // No default route on purpose: nothing in the cluster can reach beyond this machine.
    // Service IPs need a route for the first lookup before kube-proxy's DNAT applies.
    await $`ip -n ${node.netns} route add ${net.serviceCidr} dev ${net.nodeIf}`
    // Pods on other nodes: straight to their node over the LAN.
    for (const other of nodes.filter((o) => o !== node)) {
      await $`ip -n ${node.netns} route add ${other.podCidr} via ${other.ip} dev ${net.nodeIf}`
    }
    // These sysctls are per network namespace: the host's own settings stay as they are.
    await $`${nsenter(node.netns)} sh -c ${[
      'echo 1 > /proc/sys/net/ipv4/ip_forward',
      'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet',
      'for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables; do [ -e "$f" ] && echo 1 > "$f"; done; true',
    ].join('; ')}`
  }))
}

export async function deleteNetwork(): Promise<string[]> {
  const removed = await ourNetns()
  for (const n of removed) await $`ip netns delete ${n}`
  // The host end of the veth goes with its peer; make sure.
  await $({ nothrow: true })`ip link delete ${net.hostIf}`
  return removed
}

// Is the instance's link network free on this host (no other address or route in it)?
export async function linkNetworkInUse(): Promise<string | undefined> {
  const routes = (await $`ip -4 route show`).stdout.split('\n')
  const prefix = net.linkNet.split('.').slice(0, 3).join('.') + '.'
  return routes.find((r) => r.startsWith(prefix) && !r.includes(` dev ${net.hostIf} `))
}

// ---- configuration files -----------------------------------------------------

const cfg = (file: string) => join(state.config, file)
const nodeCfg = (node: NodeSpec, file: string) => join(node.dir, 'config', file)

export const nodeDirs = (node: NodeSpec) => ({
  kubelet: join(node.dir, 'kubelet'),
  containerdRoot: join(node.dir, 'containerd'),
  containerdState: join(node.runDir, 'containerd'),
  cniConf: join(node.dir, 'cni', 'net.d'),
  cniIpam: join(node.dir, 'cni', 'ipam'),
  localPath: join(node.dir, 'local-path'),
  podLogs: join(node.dir, 'pod-logs'),
})

export async function writeConfigs(shape: Shape, nodes: NodeSpec[]): Promise<void> {
  await mkdir(state.config, { recursive: true })
  await mkdir(state.sharedVolumes, { recursive: true, mode: 0o777 })
  // Pods get the cluster DNS only: the host's search domains stay out of them.
  await writeFile(cfg('resolv.conf'), `nameserver ${net.dnsIp}\n`)
  await writeFile(cfg('admission.yaml'), admissionConfig(shape))
  for (const node of nodes) await writeNodeConfigs(shape, node)
}

// PodSecurity admission: the level enforced on every namespace without a
// pod-security.kubernetes.io/enforce label of its own; the cluster's own namespaces are exempt.
export const podSecurityExemptNamespaces = ['kube-system', 'local-path-storage'] as const
function admissionConfig(shape: Shape): string {
  const level = shape.podSecurity
  return `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: ${level}
      enforce-version: latest
      audit: ${level}
      audit-version: latest
      warn: ${level}
      warn-version: latest
    exemptions:
      usernames: []
      runtimeClasses: []
      namespaces: [${podSecurityExemptNamespaces.join(', ')}]
`
}

async function writeNodeConfigs(shape: Shape, node: NodeSpec): Promise<void> {
  const dirs = nodeDirs(node)
  await mkdir(join(node.dir, 'config'), { recursive: true })
  await mkdir(dirs.cniConf, { recursive: true })
  await mkdir(dirs.localPath, { recursive: true })
  await writeFile(nodeCfg(node, 'containerd.toml'), `version = 2
root = "${dirs.containerdRoot}"
state = "${dirs.containerdState}"
[grpc]
  address = "${node.containerdSocket}"
[ttrpc]
  address = "${node.containerdSocket}.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${images.pause}"
  # Sandboxed machines (like this one) may deny CAP_SYS_RESOURCE: never ask for
  # an oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${join(node.runDir, 'runc')}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dirs.cniConf}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(node.dir, 'opt')}"
`)
  await writeFile(join(dirs.cniConf, '10-embedded.conflist'), JSON.stringify({
    cniVersion: '1.0.0',
    name: net.cniNetwork,
    plugins: [
      {
        type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: node.podCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: dirs.cniIpam },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2))
  const id = kubeletIdentity(node)
  await writeFile(nodeCfg(node, 'kubelet.yaml'), `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${node.ip}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${pkiPath('ca.crt')} }
authorization: { mode: Webhook }
tlsCertFile: ${pkiPath(`${id.serving}.crt`)}
tlsPrivateKeyFile: ${pkiPath(`${id.serving}.key`)}
# This host is cgroup v1 (hybrid) and Debian's containerd 1.6 cannot report its cgroup driver.
cgroupDriver: cgroupfs
failCgroupV1: false
# Pods under a cgroup of this node's, under the instance's (another kubelet on
# the machine keeps its /kubepods, another node of ours its own).
cgroupRoot: /${cgroupRoot}/${node.cgroup}
failSwapOn: false
containerRuntimeEndpoint: unix://${node.containerdSocket}
clusterDNS: [${net.dnsIp}]
clusterDomain: ${shape.clusterDomain}
resolvConf: ${cfg('resolv.conf')}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
podCIDR: ${node.podCidr}
serializeImagePulls: false
# The images were imported, not pulled: they cannot come back, so never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1% }
rotateCertificates: false
fileCheckFrequency: 1h
# Not the machine's /var/log/pods: a kubelet removes the log folders of pods it does not know,
# so kubelets sharing one (another node, another cluster) delete each other's logs.
podLogsDir: ${dirs.podLogs}
${node.tainted ? 'registerWithTaints: [{ key: node-role.kubernetes.io/control-plane, effect: NoSchedule }]\n' : ''}`)
  await writeFile(nodeCfg(node, 'kube-proxy.yaml'), `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: ${pkiPath('kube-proxy.kubeconfig')} }
hostnameOverride: ${node.name}
clusterCIDR: ${net.podCidr}
bindAddress: ${node.ip}
oomScoreAdj: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# conntrack limits are global, not per namespace: leave the host's alone.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
`)
}

// ---- processes ---------------------------------------------------------------

function commandFor(p: Proc, shape: Shape): { bin: string; args: string[] } {
  const k8s = (b: string) => join(binDir.kubernetes, b)
  const kubeconfigArgs = (id: string) => [
    `--kubeconfig=${pkiPath(`${id}.kubeconfig`)}`,
    `--authentication-kubeconfig=${pkiPath(`${id}.kubeconfig`)}`,
    `--authorization-kubeconfig=${pkiPath(`${id}.kubeconfig`)}`,
  ]
  const node = p.node!
  switch (p.component) {
    case 'containerd':
      return { bin: '/usr/bin/containerd', args: ['--config', nodeCfg(node, 'containerd.toml')] }
    case 'etcd':
      return {
        bin: '/usr/bin/etcd',
        args: ['--name=node', `--data-dir=${paths.etcd}`, '--listen-client-urls=http://127.0.0.1:2379',
          '--advertise-client-urls=http://127.0.0.1:2379', '--listen-peer-urls=http://127.0.0.1:2380',
          '--initial-advertise-peer-urls=http://127.0.0.1:2380', '--initial-cluster=node=http://127.0.0.1:2380',
          '--listen-metrics-urls=http://127.0.0.1:2381', '--log-level=warn'],
      }
    case 'kube-apiserver':
      return {
        bin: k8s('kube-apiserver'),
        args: ['--etcd-servers=http://127.0.0.1:2379', `--advertise-address=${node.ip}`, '--secure-port=6443',
          `--service-cluster-ip-range=${net.serviceCidr}`, `--client-ca-file=${pkiPath('ca.crt')}`,
          `--tls-cert-file=${pkiPath('apiserver.crt')}`, `--tls-private-key-file=${pkiPath('apiserver.key')}`,
          `--kubelet-client-certificate=${pkiPath('apiserver-kubelet-client.crt')}`,
          `--kubelet-client-key=${pkiPath('apiserver-kubelet-client.key')}`, '--kubelet-preferred-address-types=InternalIP',
          `--service-account-issuer=https://kubernetes.default.svc.${shape.clusterDomain}`,
          `--service-account-key-file=${pkiPath('sa.pub')}`, `--service-account-signing-key-file=${pkiPath('sa.key')}`,
          '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction', '--allow-privileged=true',
          `--admission-control-config-file=${cfg('admission.yaml')}`,
          '--profiling=false', '--endpoint-reconciler-type=lease'],
      }
    case 'kube-controller-manager':
      return {
        bin: k8s('kube-controller-manager'),
        args: [...kubeconfigArgs('kube-controller-manager'), '--bind-address=127.0.0.1', '--leader-elect=false',
          `--cluster-signing-cert-file=${pkiPath('ca.crt')}`, `--cluster-signing-key-file=${pkiPath('ca.key')}`,
          `--root-ca-file=${pkiPath('ca.crt')}`, `--service-account-private-key-file=${pkiPath('sa.key')}`,
          // Each node's pod range is fixed here (its CNI configuration): `up` writes it into the Node.
          '--use-service-account-credentials=true', '--allocate-node-cidrs=false', `--cluster-cidr=${net.podCidr}`,
          `--service-cluster-ip-range=${net.serviceCidr}`, '--profiling=false'],
      }
    case 'kube-scheduler':
      return {
        bin: k8s('kube-scheduler'),
        args: [...kubeconfigArgs('kube-scheduler'), '--bind-address=127.0.0.1', '--leader-elect=false', '--profiling=false'],
      }
    case 'kubelet': {
      const id = kubeletIdentity(node)
      return {
        bin: k8s('kubelet'),
        args: [`--config=${nodeCfg(node, 'kubelet.yaml')}`, `--kubeconfig=${pkiPath(`${id.client}.kubeconfig`)}`,
          `--root-dir=${nodeDirs(node).kubelet}`, `--hostname-override=${node.name}`, `--node-ip=${node.ip}`,
          `--cert-dir=${join(nodeDirs(node).kubelet, 'pki')}`,
          // The kubelet may set the zone label itself (NodeRestriction allows it); node-role labels come from `up`.
          ...(node.zone ? [`--node-labels=topology.kubernetes.io/zone=${node.zone}`] : [])],
      }
    }
    case 'kube-proxy':
      return { bin: k8s('kube-proxy'), args: [`--config=${nodeCfg(node, 'kube-proxy.yaml')}`] }
    case 'ext4-provisioner':
      return {
        bin: join(binDir.ext4Provisioner, 'ext4-provisioner'),
        args: [`--kubeconfig=${pkiPath('ext4-provisioner.kubeconfig')}`, `--disks=${state.disks}`],
      }
  }
}

const pidFile = (p: { name: string }) => join(state.pids, `${p.name}.pid`)
export const logFile = (name: string) => join(paths.logs, `${name}.log`)

export function pidOf(p: { name: string }): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(p), 'utf8'))
    return isAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

// Every process recorded in a pid file, whatever shape started it.
export function recordedProcs(): { name: string; pid: number | undefined }[] {
  const files = existsSync(state.pids) ? readdirSync(state.pids).filter((f) => f.endsWith('.pid')) : []
  return files.map((f) => ({ name: f.slice(0, -4), pid: pidOf({ name: f.slice(0, -4) }) }))
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    // A zombie or a recycled pid is not ours.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return false
  }
}

// Long-lived processes are spawned, not run through zx: they must outlive
// `cluster:up` (detached, unref'd, output straight into their log file), which
// zx's $ is not for: it holds a process until it ends and buffers its output.
export async function start(p: Proc, shape: Shape, extraArgs: string[] = []): Promise<void> {
  if (pidOf(p)) return
  await mkdir(state.pids, { recursive: true })
  await mkdir(paths.logs, { recursive: true })
  const { bin, args: usual } = commandFor(p, shape)
  const args = [...usual, ...extraArgs]
  const out = openSync(logFile(p.name), 'a')
  const [cmd, ...rest] = p.node ? [...nsenter(p.node.netns), bin, ...args] : [bin, ...args]
  const child = spawn(cmd!, rest, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
  })
  closeSync(out)
  child.unref()
  if (!child.pid) throw new Error(`could not start ${p.name} (${bin})`)
  await writeFile(pidFile(p), String(child.pid))
}

export async function logTail(name: string, lines = 15): Promise<string> {
  try {
    return (await readFile(logFile(name), 'utf8')).trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

// Throws with the process's last log lines if it has died.
export async function assertRunning(p: { name: string }): Promise<void> {
  if (!pidOf(p)) throw new Error(`${p.name} exited; last lines of ${logFile(p.name)}:\n${await logTail(p.name)}`)
}

async function stopPid(name: string, pid: number, graceMs: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM') } catch { return }
  const deadline = Date.now() + graceMs
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (isAlive(pid)) {
    log(`${name} (pid ${pid}) ignored SIGTERM for ${graceMs / 1000}s: killing it`)
    try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
  }
}

export async function stop(p: { name: string }): Promise<void> {
  const pid = pidOf(p)
  if (pid) await stopPid(p.name, pid, 10_000)
  await rm(pidFile(p), { force: true })
}

// Faults (cluster/faults.ts): one component stopped and started again, with
// arguments after its usual ones (a repeated flag wins: the last one counts),
// or with none to put it back as `up` started it.
export async function restartWith(p: Proc, shape: Shape, extraArgs: string[] = []): Promise<void> {
  await stop(p)
  if (extraArgs.length) log(`${p.name}: restarting with ${extraArgs.join(' ')}`)
  await start(p, shape, extraArgs)
}

// Resident memory of a process and its children (nsenter execs in place, so the pid is the component's).
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

// Memory charged to a node's pods (the kubelet's cgroupRoot in the memory hierarchy).
export function podsMemoryBytes(node: NodeSpec): number {
  for (const file of ['memory.usage_in_bytes', 'memory.current']) {
    for (const dir of [join('/sys/fs/cgroup/memory', cgroupRoot, node.cgroup), join('/sys/fs/cgroup/unified', cgroupRoot, node.cgroup)]) {
      try { return Number(readFileSync(join(dir, file), 'utf8')) } catch { /* not this one */ }
    }
  }
  return 0
}

// ---- teardown of what the runtime left ------------------------------------

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
