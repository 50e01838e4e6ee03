// The nodes: each a network namespace on the instance's LAN, with its own
// containerd, kubelet and kube-proxy (and, on the strict shape, kube-network-policies);
// the first also runs etcd and the control plane. Every process is recorded in a pid file so that `down` stops exactly
// what `up` started, and each Kubernetes component's release beside it, so
// that a restart keeps it and `cluster:upgrade` can move one component at a time.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cgroupRoot, kubernetesBinDir, paths, podCidrs, serviceCidrs, state } from '../base/config.ts'
import { log } from '../base/log.ts'
import { kubeletIdentity, pkiPath } from './pki.ts'
import { controlPlane, type NodeSpec, type Shape } from '../base/shape.ts'
import { cfg, nodeCfg, nodeDirs } from './node-config.ts'
import { nsenter } from './network.ts'
import { addOnCommand, type AddOnComponent } from './addon-commands.ts'

export const nodeComponents = ['containerd', 'kubelet', 'kube-proxy'] as const
export const controlPlaneComponents = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const
// AddOnComponent: started by `up` with the add-ons they serve, not with the node (./addon-commands.ts).
export type Component = (typeof nodeComponents)[number] | (typeof controlPlaneComponents)[number] | AddOnComponent
// The components built from k8s.io/kubernetes, which run one release or another.
export const kubernetesComponents = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'] as const
export type KubernetesComponent = (typeof kubernetesComponents)[number]
export const isKubernetesComponent = (c: Component): c is KubernetesComponent => (kubernetesComponents as readonly string[]).includes(c)

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
    // The strict shape's ext4 disks are zonal: attached to one node at a time by ext4-csi.
    ...(shape.ext4Class && shape.strict ? [{ component: 'ext4-csi' as const, name: 'ext4-csi' }] : []),
    ...(shape.strict ? [
      ...nodes.map((node) => ({ component: 'kube-network-policies' as const, node, name: `kube-network-policies${node.procSuffix}` })),
      { component: 'namespace-defaults' as const, name: 'namespace-defaults' },
    ] : []),
  ]
}

// ---- processes ---------------------------------------------------------------

function commandFor(p: Proc, shape: Shape, version: string): { bin: string; args: string[]; env?: Record<string, string> } {
  const k8s = (b: string) => join(kubernetesBinDir(version), b)
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
          `--service-cluster-ip-range=${serviceCidrs(shape.dualStack)}`, `--client-ca-file=${pkiPath('ca.crt')}`,
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
          '--use-service-account-credentials=true', '--allocate-node-cidrs=false', `--cluster-cidr=${podCidrs(shape.dualStack)}`,
          `--service-cluster-ip-range=${serviceCidrs(shape.dualStack)}`, '--profiling=false'],
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
          `--root-dir=${nodeDirs(node).kubelet}`, `--hostname-override=${node.name}`, `--node-ip=${node.ips.join(',')}`,
          `--cert-dir=${join(nodeDirs(node).kubelet, 'pki')}`,
          // The kubelet may set the zone label itself (NodeRestriction allows it); node-role labels come from `up`.
          ...(node.zone ? [`--node-labels=topology.kubernetes.io/zone=${node.zone}`] : [])],
      }
    }
    case 'kube-proxy':
      return { bin: k8s('kube-proxy'), args: [`--config=${nodeCfg(node, 'kube-proxy.yaml')}`] }
    case 'kube-network-policies': case 'namespace-defaults': case 'ext4-provisioner': case 'ext4-csi':
      return addOnCommand({ component: p.component, node: p.node }, shape)
  }
}

const pidFile = (p: { name: string }) => join(state.pids, `${p.name}.pid`)
export const logFile = (name: string) => join(paths.logs, `${name}.log`)
// The release a Kubernetes component last started on, kept after it stops (a restart keeps it).
const versionFile = (p: { name: string }) => join(state.pids, `${p.name}.version`)
// The other build a component runs from, where it runs from one (a semantic mutant's): a restart
// that is only a restart (a DR claim's control plane, a node's kubelet) keeps it.
const binaryFile = (p: { name: string }) => join(state.pids, `${p.name}.bin`)
// A line kept beside the pid file, or undefined where there is none.
function readBeside(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}
export const binaryOf = (p: { name: string }): string | undefined => readBeside(binaryFile(p))

// The release a Kubernetes component runs (or last ran): as it last started, else the shape's, as `up`
// starts it; undefined for the others (etcd, containerd, the ext4 provisioner).
export function versionOf(p: Proc, shape: Shape): string | undefined {
  if (!isKubernetesComponent(p.component)) return undefined
  return readBeside(versionFile(p)) ?? shape.kubernetes
}

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
// `bin` runs another build of the component (a mutant's, cluster/binaries/mutants.ts) with its usual arguments;
// `version`, another release's binary (cluster:upgrade), recorded as the release it runs from now on.
export async function start(p: Proc, shape: Shape, extraArgs: string[] = [], bin?: string, version = versionOf(p, shape) ?? shape.kubernetes): Promise<void> {
  if (pidOf(p)) return
  await mkdir(state.pids, { recursive: true })
  await mkdir(paths.logs, { recursive: true })
  if (isKubernetesComponent(p.component)) await writeFile(versionFile(p), version)
  if (bin) await writeFile(binaryFile(p), bin)
  else await rm(binaryFile(p), { force: true })
  const usual = commandFor(p, shape, version)
  const args = [...usual.args, ...extraArgs]
  const out = openSync(logFile(p.name), 'a')
  const binary = bin ?? usual.bin
  const [cmd, ...rest] = p.node ? [...nsenter(p.node.netns), binary, ...args] : [binary, ...args]
  const child = spawn(cmd!, rest, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, ...usual.env },
  })
  closeSync(out)
  child.unref()
  if (!child.pid) throw new Error(`could not start ${p.name} (${binary})`)
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

// Every kubelet on a machine listens on one device-plugin socket, /var/lib/kubelet/device-plugins/kubelet.sock,
// whatever its --root-dir: two nodes of this machine that start at once may race for it, and the loser
// exits ("Failed to start ContainerManager" … "bind: address already in use"; seen once in CI, 6 December 2026).
export const lostSocketRace = (logTail: string) => /device-plugins\/kubelet\.sock: bind: address already in use/.test(logTail)
// assertRunning, but a kubelet that lost that race is started again (up to 3 times), saying so.
const raceRestarts = new Map<string, number>()
export async function keepRunning(p: Proc, shape: Shape): Promise<void> {
  if (pidOf(p)) return
  const restarts = raceRestarts.get(p.name) ?? 0
  if (p.component === 'kubelet' && restarts < 3 && lostSocketRace(await logTail(p.name, 5))) {
    raceRestarts.set(p.name, restarts + 1)
    log(`${p.name} lost the race for the machine's one device-plugin socket to another node's kubelet: starting it again (${restarts + 1} of 3)`)
    return start(p, shape)
  }
  await assertRunning(p)
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

// Faults (scripts/sensitivity/catalogue.ts): one component stopped and started again, with
// arguments after its usual ones (a repeated flag wins: the last one counts),
// or with none to put it back as `up` started it; `bin`, from a mutant's build instead of the usual one.
export async function restartWith(p: Proc, shape: Shape, extraArgs: string[] = [], bin?: string, version?: string): Promise<void> {
  await stop(p)
  if (extraArgs.length) log(`${p.name}: restarting with ${extraArgs.join(' ')}`)
  if (bin) log(`${p.name}: restarting from ${bin}`)
  await start(p, shape, extraArgs, bin, version)
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
