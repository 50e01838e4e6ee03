// The node: a network namespace with a veth to the host, and the processes
// of a single-node cluster running in it (containerd, etcd, the control plane,
// kubelet, kube-proxy). Every process is recorded in a pid file so that
// `down` stops exactly what `up` started.
import { execFile, spawn } from 'node:child_process'
import { existsSync, openSync, readFileSync, readdirSync, closeSync } from 'node:fs'
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { binDir, images, net, nodeName, paths, state } from './config.ts'
import { pkiPath } from './pki.ts'
import { log } from './log.ts'

const exec = promisify(execFile)
const netnsPath = `/run/netns/${net.netns}`
const cgroupRoot = 'stateful-conformance'

export const components = [
  'containerd', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy',
] as const
export type Component = (typeof components)[number]

// ---- network namespace ---------------------------------------------------

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await exec(cmd, args)).stdout
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`)
  }
}

const inNode = (cmd: string, args: string[]) => sh('nsenter', [`--net=${netnsPath}`, '--', cmd, ...args])

export function netnsExists(): boolean {
  return existsSync(netnsPath)
}

export async function createNetns(): Promise<void> {
  if (!netnsExists()) {
    await sh('ip', ['netns', 'add', net.netns])
  }
  const links = await sh('ip', ['-br', 'link'])
  if (!links.split('\n').some((l) => l.startsWith(`${net.hostIf}@`) || l.startsWith(`${net.hostIf} `))) {
    await sh('ip', ['link', 'add', net.hostIf, 'type', 'veth', 'peer', 'name', net.nodeIf, 'netns', net.netns])
    await sh('ip', ['addr', 'add', `${net.hostIp}/${net.linkPrefix}`, 'dev', net.hostIf])
    await sh('ip', ['link', 'set', net.hostIf, 'up'])
    await inNode('ip', ['addr', 'add', `${net.nodeIp}/${net.linkPrefix}`, 'dev', net.nodeIf])
    await inNode('ip', ['link', 'set', net.nodeIf, 'up'])
    await inNode('ip', ['link', 'set', 'lo', 'up'])
    // No default route on purpose: nothing in the cluster can reach beyond this machine.
    // Service IPs need a route for the first lookup before kube-proxy's DNAT applies.
    await inNode('ip', ['route', 'add', net.serviceCidr, 'dev', net.nodeIf])
  }
  // These sysctls are per network namespace: the host's own settings stay as they are.
  for (const [key, value] of [['net/ipv4/ip_forward', '1'], ['net/bridge/bridge-nf-call-iptables', '1'],
    ['net/bridge/bridge-nf-call-ip6tables', '1'], ['net/ipv4/conf/all/route_localnet', '1']]) {
    await inNode('sh', ['-c', `echo ${value} > /proc/sys/${key}`])
  }
}

export async function deleteNetns(): Promise<void> {
  if (netnsExists()) await sh('ip', ['netns', 'delete', net.netns])
  // The host end of the veth goes with its peer; make sure.
  await exec('ip', ['link', 'delete', net.hostIf]).catch(() => undefined)
}

// ---- configuration files ---------------------------------------------------

const cfg = (file: string) => join(state.config, file)

export async function writeConfigs(): Promise<void> {
  await mkdir(state.config, { recursive: true })
  await mkdir(state.cniConf, { recursive: true })
  await writeFile(cfg('containerd.toml'), `version = 2
root = "${state.containerdRoot}"
state = "${state.containerdState}"
[grpc]
  address = "${state.containerdSocket}"
[ttrpc]
  address = "${state.containerdSocket}.ttrpc"
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
        Root = "${join(paths.run, 'runc')}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${state.cniConf}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(paths.state, 'opt')}"
`)
  await writeFile(join(state.cniConf, '10-embedded.conflist'), JSON.stringify({
    cniVersion: '1.0.0',
    name: 'embedded',
    plugins: [
      {
        type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: net.nodePodCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: state.cniIpam },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2))
  // Pods get the cluster DNS only: the host's search domains stay out of them.
  await writeFile(cfg('resolv.conf'), `nameserver ${net.dnsIp}\n`)
  await writeFile(cfg('kubelet.yaml'), `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${net.nodeIp}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${pkiPath('ca.crt')} }
authorization: { mode: Webhook }
tlsCertFile: ${pkiPath('kubelet-serving.crt')}
tlsPrivateKeyFile: ${pkiPath('kubelet-serving.key')}
# This host is cgroup v1 (hybrid) and Debian's containerd 1.6 cannot report its cgroup driver.
cgroupDriver: cgroupfs
failCgroupV1: false
# Pods under a cgroup of our own, so that down finds exactly ours (another
# kubelet on the machine keeps its /kubepods).
cgroupRoot: /${cgroupRoot}
failSwapOn: false
containerRuntimeEndpoint: unix://${state.containerdSocket}
clusterDNS: [${net.dnsIp}]
clusterDomain: ${net.clusterDomain}
resolvConf: ${cfg('resolv.conf')}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
podCIDR: ${net.nodePodCidr}
serializeImagePulls: false
# The images were imported, not pulled: they cannot come back, so never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1% }
rotateCertificates: false
fileCheckFrequency: 1h
`)
  await writeFile(cfg('kube-proxy.yaml'), `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: ${pkiPath('kube-proxy.kubeconfig')} }
hostnameOverride: ${nodeName}
clusterCIDR: ${net.podCidr}
bindAddress: ${net.nodeIp}
oomScoreAdj: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# conntrack limits are global, not per namespace: leave the host's alone.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
`)
}

// ---- processes ---------------------------------------------------------------

function commandFor(c: Component): { bin: string; args: string[] } {
  const k8s = (b: string) => join(binDir.kubernetes, b)
  const kubeconfigArgs = (id: string) => [
    `--kubeconfig=${pkiPath(`${id}.kubeconfig`)}`,
    `--authentication-kubeconfig=${pkiPath(`${id}.kubeconfig`)}`,
    `--authorization-kubeconfig=${pkiPath(`${id}.kubeconfig`)}`,
  ]
  switch (c) {
    case 'containerd':
      return { bin: '/usr/bin/containerd', args: ['--config', cfg('containerd.toml')] }
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
        args: ['--etcd-servers=http://127.0.0.1:2379', `--advertise-address=${net.nodeIp}`, '--secure-port=6443',
          `--service-cluster-ip-range=${net.serviceCidr}`, `--client-ca-file=${pkiPath('ca.crt')}`,
          `--tls-cert-file=${pkiPath('apiserver.crt')}`, `--tls-private-key-file=${pkiPath('apiserver.key')}`,
          `--kubelet-client-certificate=${pkiPath('apiserver-kubelet-client.crt')}`,
          `--kubelet-client-key=${pkiPath('apiserver-kubelet-client.key')}`, '--kubelet-preferred-address-types=InternalIP',
          `--service-account-issuer=https://kubernetes.default.svc.${net.clusterDomain}`,
          `--service-account-key-file=${pkiPath('sa.pub')}`, `--service-account-signing-key-file=${pkiPath('sa.key')}`,
          '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction', '--allow-privileged=true',
          '--profiling=false', '--endpoint-reconciler-type=lease'],
      }
    case 'kube-controller-manager':
      return {
        bin: k8s('kube-controller-manager'),
        args: [...kubeconfigArgs('kube-controller-manager'), '--bind-address=127.0.0.1', '--leader-elect=false',
          `--cluster-signing-cert-file=${pkiPath('ca.crt')}`, `--cluster-signing-key-file=${pkiPath('ca.key')}`,
          `--root-ca-file=${pkiPath('ca.crt')}`, `--service-account-private-key-file=${pkiPath('sa.key')}`,
          '--use-service-account-credentials=true', '--allocate-node-cidrs=true', `--cluster-cidr=${net.podCidr}`,
          `--service-cluster-ip-range=${net.serviceCidr}`, '--enable-hostpath-provisioner=true', '--profiling=false'],
      }
    case 'kube-scheduler':
      return {
        bin: k8s('kube-scheduler'),
        args: [...kubeconfigArgs('kube-scheduler'), '--bind-address=127.0.0.1', '--leader-elect=false', '--profiling=false'],
      }
    case 'kubelet':
      return {
        bin: k8s('kubelet'),
        args: [`--config=${cfg('kubelet.yaml')}`, `--kubeconfig=${pkiPath('kubelet.kubeconfig')}`, `--root-dir=${state.kubelet}`,
          `--hostname-override=${nodeName}`, `--node-ip=${net.nodeIp}`, `--cert-dir=${join(state.kubelet, 'pki')}`],
      }
    case 'kube-proxy':
      return { bin: k8s('kube-proxy'), args: [`--config=${cfg('kube-proxy.yaml')}`] }
  }
}

const pidFile = (c: string) => join(state.pids, `${c}.pid`)
export const logFile = (c: string) => join(paths.logs, `${c}.log`)

export function pidOf(c: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(c), 'utf8'))
    return isAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
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

export async function start(c: Component): Promise<void> {
  if (pidOf(c)) return
  await mkdir(state.pids, { recursive: true })
  await mkdir(paths.logs, { recursive: true })
  const { bin, args } = commandFor(c)
  const out = openSync(logFile(c), 'a')
  const child = spawn('nsenter', [`--net=${netnsPath}`, '--', bin, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
  })
  closeSync(out)
  child.unref()
  if (!child.pid) throw new Error(`could not start ${c} (${bin})`)
  await writeFile(pidFile(c), String(child.pid))
}

export async function logTail(c: string, lines = 15): Promise<string> {
  try {
    return (await readFile(logFile(c), 'utf8')).trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

// Throws with the component's last log lines if it has died.
export async function assertRunning(c: Component): Promise<void> {
  if (!pidOf(c)) throw new Error(`${c} exited; last lines of ${logFile(c)}:\n${await logTail(c)}`)
}

async function stopPid(name: string, pid: number, graceMs: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM') } catch { return }
  const deadline = Date.now() + graceMs
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  if (isAlive(pid)) {
    log(`${name} (pid ${pid}) ignored SIGTERM for ${graceMs / 1000}s: killing it`)
    try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
  }
}

export async function stop(c: Component): Promise<void> {
  const pid = pidOf(c)
  if (pid) await stopPid(c, pid, 10_000)
  await rm(pidFile(c), { force: true })
}

// ---- teardown of what the runtime left ------------------------------------

// The kubelet's cgroupRoot must exist in every v1 hierarchy before it starts.
export async function createCgroupRoot(): Promise<void> {
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    await mkdir(join('/sys/fs/cgroup', hierarchy, cgroupRoot), { recursive: true })
  }
}

// Processes still running from this cluster: containerd shims and whatever
// runs in its pods' cgroups.
export function strayProcesses(): number[] {
  const ours: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8')
      if ((cmdline.includes('containerd-shim') && cmdline.includes(state.containerdSocket)) || cgroup.includes(`:/${cgroupRoot}/`)) {
        ours.push(Number(entry))
      }
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

// Mounts made by kubelet and containerd for this cluster. Pod network
// namespaces (/run/netns/cni-*) are removed by the runtime itself (criclean):
// other runtimes on the machine keep theirs there too.
export function ourMounts(): string[] {
  const prefixes = [paths.state, paths.run, paths.etcd, netnsPath]
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && prefixes.some((p) => m.startsWith(p)))
    .reverse()
}

export async function unmountAll(): Promise<number> {
  const mounts = ourMounts()
  for (const m of mounts) {
    await exec('umount', ['-l', m]).catch(() => undefined)
  }
  return mounts.length
}

// kubelet (cgroupfs driver) makes its kubepods tree under cgroupRoot in every v1 hierarchy.
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

// containerd 1.6 keeps shim sockets and fifos under /run/containerd, and libcni
// its results under /var/lib/cni, whatever the configuration says. Remove ours
// (network "embedded") and the folders once empty: another runtime on the
// machine keeps its own there.
export async function removeRuntimeLeftovers(): Promise<string[]> {
  const removed: string[] = []
  const results = '/var/lib/cni/results'
  for (const f of existsSync(results) ? readdirSync(results) : []) {
    if (f.startsWith('embedded-')) {
      await rm(join(results, f), { force: true })
      removed.push(join(results, f))
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
