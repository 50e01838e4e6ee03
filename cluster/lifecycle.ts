// The embedded cluster's API: up, down, isUp, status and its memory (upgrade: upgrade.ts), as lib/harness,
// scripts/ and the command line (cli.ts) use them. A real Kubernetes built from
// upstream parts, with no Docker: one node, or a control plane and workers, each
// in its own network namespace.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { freemem } from 'node:os'
import { apiReadyz, applyFile, clients, completeNodes, deploymentAvailable, fitnessCheck, nodesReady, poll, type Clients } from './api/client.ts'
import { addonFile, shapeCoreDns, shapeExt4Class, shapeStorage } from './addons/addons.ts'
import { startStrictAddOns, startZonalDisks } from './api/strict.ts'
import { isAddOn } from './nodes/addon-commands.ts'
import { buildAll, missingBuilds } from './binaries/build.ts'
import { apiServer, assertInstance, binDir, cgroupRoot, instance, net, paths, versions } from './base/config.ts'
import { buildImages, importImages, imagesFor } from './images/images.ts'
import { formatDuration, log, phase } from './base/log.ts'
import { createNetwork, deleteNetwork, linkNetworkInUse, netnsExists, ourNetns } from './nodes/network.ts'
import { keepRunning, pidOf, podsMemoryBytes, type Proc, procsOf, recordedProcs, rssBytes, start, stop, versionOf } from './nodes/node.ts'
import { writeConfigs } from './nodes/node-config.ts'
import { createCgroupRoots, detachLoopDevices, killStrays, ourCgroups, ourLoopDevices, ourMounts, removeCgroups, removeRuntimeLeftovers, strayProcesses, unmountAll } from './nodes/teardown.ts'
import { ensurePki, kubeconfig } from './nodes/pki.ts'
import { $, errorLine } from './base/sh.ts'
import { preflight } from './nodes/preflight.ts'
import { controlPlane, describeShape, maxNodes, nodesOf, parseShape, recordedShape, recordShape, sameShape, ShapeError, type NodeSpec, type Shape } from './base/shape.ts'
import { parseOptions, provisionalScale } from '../lib/options/options.ts'

// Timeouts for bringing the cluster up, in one place; SC_TIMEOUT_SCALE stretches them for slow machines.
function upTimeouts() {
  const scale = provisionalScale(parseOptions(process.env).timeoutScale)
  return { apiServer: 60_000 * scale, node: 60_000 * scale, addons: 90_000 * scale, fitness: 90_000 * scale }
}

// Builds what the release needs and is not built yet (its own binaries and the pinned ones).
export async function buildMissing(kubernetes: string): Promise<void> {
  const missing = missingBuilds(kubernetes)
  if (!missing.length) return
  await $`go version`.catch(() => {
    throw new Error(`Go is needed to build ${missing.join(', ')} (once; cached in ${paths.bin}); none on PATH`)
  })
  await phase(`build ${missing.join(', ')}`, () => buildAll(kubernetes))
}

// What one more node costs, measured on the running cluster (docs/measurements.md), with room for the suite's pods.
const memoryBudget = { base: 1.5 * 2 ** 30, perNode: 0.5 * 2 ** 30 }

function nodesThisMachineHolds(): number {
  const available = Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? freemem() / 1024) * 1024
  return Math.max(0, Math.min(maxNodes, Math.floor((available - memoryBudget.base) / memoryBudget.perNode)))
}

// Refused before anything starts, with one line naming the accepted values.
async function checkFits(shape: Shape): Promise<void> {
  const holds = nodesThisMachineHolds()
  if (shape.nodes > holds) {
    throw new ShapeError(`--nodes=${shape.nodes}: this machine has memory for ${holds} node${holds === 1 ? '' : 's'} now: accepted values: 1..${Math.max(1, holds)}`)
  }
  const clash = await linkNetworkInUse()
  if (clash) throw new ShapeError(`SC_CLUSTER_NAME=${instance}: its link network ${net.linkNet} is in use on this host (${clash.trim()}): choose another name`)
}

export async function up(argv: string[] = []): Promise<void> {
  const t0 = Date.now()
  const timeouts = upTimeouts()
  assertInstance()
  const shape = parseShape(argv, process.env)
  await preflight()
  if (await isUp()) {
    const running = recordedShape()
    if (running && !sameShape(running, shape)) {
      throw new ShapeError(`the ${instance} cluster is up as ${describeShape(running)}, not ${describeShape(shape)}: npm run cluster:down first`)
    }
    log(`already up: ${apiServer} (kubeconfig ${paths.kubeconfig})`)
    return
  }
  if ((await ourNetns()).length || existsSync(paths.state) || recordedProcs().some((p) => p.pid)) {
    // Half a cluster (a crashed component, a machine that kept state but not
    // processes) is not worth reviving: start clean.
    log('found the remains of an earlier cluster: removing them first')
    await down()
  }
  await checkFits(shape)
  const nodes = nodesOf(shape)
  const cp = controlPlane(nodes)
  const procs = procsOf(shape, nodes)
  const proc = (component: Proc['component'], node?: NodeSpec) => procs.find((p) => p.component === component && p.node === node)!
  log(`instance ${instance}: ${describeShape(shape)}`)
  await buildMissing(shape.kubernetes)
  const archives = await phase('image archives', () => buildImages(shape))
  const imagesOf = new Map(nodes.map((n) => [n, imagesFor(n, archives)]))
  await phase('certificates and kubeconfigs', async () => {
    await ensurePki(shape, nodes)
    await mkdir(paths.local, { recursive: true })
    await writeFile(paths.kubeconfig, await kubeconfig('admin'), { mode: 0o600 })
    await recordShape(shape)
  })
  await phase(`network namespaces of ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${nodes.map((n) => n.ip).join(', ')})`, async () => {
    await $`mount --make-rshared /`
    await createNetwork(nodes)
    await createCgroupRoots(nodes)
    await writeConfigs(shape, nodes)
  })
  const guard = (...ps: Proc[]) => async () => { for (const p of ps) await keepRunning(p, shape) }
  const runtimes = phase('containerd and the system images on every node', () => Promise.all(nodes.map(async (node) => {
    const containerd = proc('containerd', node)
    await start(containerd, shape)
    await poll({ what: `the containerd socket of ${node.name}`, timeoutMs: 20_000, guard: guard(containerd), check: async () => (existsSync(node.containerdSocket) ? { done: true } : { done: false, seen: 'no socket' }) })
    await importImages(node, imagesOf.get(node)!.system)
  })))
  const controlPlaneUp = phase(`etcd and kube-apiserver ${shape.kubernetes}`, async () => {
    await start(proc('etcd', cp), shape)
    await start(proc('kube-apiserver', cp), shape)
    await poll({ what: `kube-apiserver /readyz at ${apiServer}`, timeoutMs: timeouts.apiServer, guard: guard(proc('etcd', cp), proc('kube-apiserver', cp)), check: apiReadyz })
  })
  await Promise.all([runtimes, controlPlaneUp])
  // The workloads' images (podinfo, busybox, fio) go in while the nodes register and the add-ons start.
  const t1 = Date.now()
  const workloadImages = Promise.all(nodes.map((node) => importImages(node, imagesOf.get(node)!.workload)))
  workloadImages.catch(() => undefined) // awaited below; until then a failure must not go unhandled
  const c = clients(paths.kubeconfig)
  const running = procs.filter((p) => !isAddOn(p.component))
  await phase(`controllers, scheduler, kubelets, kube-proxies; ${nodes.length === 1 ? 'node' : 'nodes'} Ready`, async () => {
    for (const p of running.filter((p) => !pidOf(p))) await start(p, shape)
    await poll({ what: 'every node to be Ready', timeoutMs: timeouts.node, guard: guard(...running), check: () => nodesReady(c, nodes) })
    await completeNodes(c, nodes)
  })
  await phase(`add-ons: CoreDNS, local-path-provisioner${shape.ext4Class ? `, ext4-provisioner${shape.strict ? ' and ext4-csi' : ''}` : ''}, storage classes${shape.strict ? ', strict admission policies, NetworkPolicies enforced and a default-deny in every new namespace' : ''}`, async () => {
    await applyFile(c, addonFile('coredns.yaml'), shapeCoreDns(shape))
    await applyFile(c, addonFile('storage.yaml'), shapeStorage(shape, nodes))
    const wait = { timeoutMs: timeouts.addons, guard, running }
    if (shape.strict) await startStrictAddOns(c, shape, procs, { ...wait, files: { admission: addonFile('strict.yaml'), networkPolicies: addonFile('network-policies.yaml') } })
    if (shape.ext4Class) {
      await applyFile(c, addonFile('ext4.yaml'), shapeExt4Class(shape))
      await start(proc('ext4-provisioner'), shape)
      if (shape.strict) await startZonalDisks(c, shape, procs, { ...wait, nodes: nodes.map((n) => n.name) })
    }
    await poll({ what: 'CoreDNS', timeoutMs: timeouts.addons, guard: guard(...running), check: () => deploymentAvailable(c, 'kube-system', 'coredns') })
    await poll({ what: 'local-path-provisioner', timeoutMs: timeouts.addons, guard: guard(...running), check: () => deploymentAvailable(c, 'local-path-storage', 'local-path-provisioner') })
  })
  await workloadImages
  log(`workload images on every node that runs workloads: done ${formatDuration(Date.now() - t1)} after they started`)
  await phase('fitness: in-cluster DNS answers, default StorageClass provisions', () => fitnessCheck(c, 'embedded-cluster-check', shape.clusterDomain, timeouts.fitness))
  log(`up in ${formatDuration(Date.now() - t0)}: Kubernetes ${shape.kubernetes} at ${apiServer}, ${describeShape(shape, false)}; KUBECONFIG=${paths.kubeconfig}`)
}

export async function isUp(): Promise<boolean> {
  const shape = recordedShape()
  if (!shape || !existsSync(paths.kubeconfig)) return false
  if (!procsOf(shape, nodesOf(shape)).every((p) => pidOf(p))) return false
  return (await apiReadyz().catch(() => ({ done: false }))).done
}

// The order to stop in: what uses the API and the runtimes first, containerd last.
const stopOrder = ['ext4-csi', 'ext4-provisioner', 'namespace-defaults', 'kube-network-policies', 'kube-proxy', 'kubelet', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd', 'containerd']
const tierOf = (name: string) => stopOrder.findIndex((c) => name === c || name.startsWith(`${c}-`))

export async function down(): Promise<void> {
  assertInstance()
  const t0 = Date.now()
  const recorded = recordedProcs()
  const tiers = [...new Set(recorded.map((p) => tierOf(p.name)))].sort((a, b) => a - b)
  const stopTier = (tier: number) => Promise.all(recorded.filter((p) => tierOf(p.name) === tier).map(stop))
  const kubelets = tierOf('kubelet')
  await phase('stop kubelets and what uses the API', async () => {
    for (const tier of tiers.filter((t) => t <= kubelets)) await stopTier(tier)
  })
  // Whatever shape started them (or none recorded one): every node whose containerd still runs.
  const withRuntime = nodesOf({ nodes: maxNodes }).filter((n) => pidOf({ name: `containerd${n.procSuffix}` }))
  if (withRuntime.length && existsSync(`${binDir.kubernetes}/criclean`)) {
    await phase('remove pod sandboxes through the runtimes', () => Promise.all(withRuntime.map(async (n) => {
      const r = await $({ nothrow: true, timeout: '60s' })`${binDir.kubernetes}/criclean --endpoint=${`unix://${n.containerdSocket}`}`
      if (!r.ok) log(`criclean on ${n.name} failed; stray processes are killed below: ${errorLine(r)}`)
      else if (r.stdout.trim()) log(`${n.name}: ${r.stdout.trim()}`)
    })))
  }
  await phase('stop control plane and runtimes', async () => {
    for (const tier of tiers.filter((t) => t > kubelets)) await stopTier(tier)
  })
  await phase('leftovers: processes, mounts, loop devices, cgroups, network namespaces, state', async () => {
    const killed = await killStrays()
    const unmounted = await unmountAll()
    const loops = await detachLoopDevices()
    const cgroups = await removeCgroups()
    const netns = await deleteNetwork()
    await removeRuntimeLeftovers()
    for (const dir of [paths.state, paths.run, paths.etcd]) await rm(dir, { recursive: true, force: true })
    await rm(paths.kubeconfig, { force: true })
    await rm(paths.shape, { force: true })
    log(`killed ${killed} stray processes, unmounted ${unmounted}, detached ${loops} loop devices, removed ${cgroups} cgroups and ${netns.length} network namespaces`)
  })
  log(`down in ${formatDuration(Date.now() - t0)}`)
}

// The running cluster's memory: each node's processes (resident) and its pods' cgroup, and the host's processes.
export function clusterMemory(): { total: number; host: number; perNode: { name: string; processes: number; pods: number; bytes: number }[] } {
  const shape = recordedShape()
  if (!shape) return { total: 0, host: 0, perNode: [] }
  const nodes = nodesOf(shape)
  const procs = procsOf(shape, nodes)
  const rss = (p: Proc) => { const pid = pidOf(p); return pid ? rssBytes(pid) : 0 }
  const perNode = nodes.map((node) => {
    const processes = procs.filter((p) => p.node === node).reduce((sum, p) => sum + rss(p), 0)
    const pods = podsMemoryBytes(node)
    return { name: node.name, processes, pods, bytes: processes + pods }
  })
  const host = procs.filter((p) => !p.node).reduce((sum, p) => sum + rss(p), 0)
  return { total: host + perNode.reduce((sum, n) => sum + n.bytes, 0), host, perNode }
}

// version: the release a Kubernetes component runs (they differ halfway through cluster:upgrade).
export interface ProcStatus { component: string; pid?: number; rssBytes?: number; version?: string }
export interface NodeStatus {
  name: string
  ip: string
  zone: string
  ready: string
  taints: string[]
  processBytes: number
  podBytes: number
  procs: ProcStatus[]
}
export interface ClusterStatus {
  healthy: boolean
  instance: string
  kubernetes: string
  shape?: string
  api: { ready: true; at: string } | { ready: false; seen: string }
  nodes: NodeStatus[]
  host: ProcStatus[]
  memoryBytes?: number
  kubeconfig?: string
  // What `down` would remove: set only when the cluster is not healthy.
  leftovers: string[]
  missingBuilds: string[]
  binaryCache: string
}

// What runs and how well, read from the host and the API; starts and stops nothing.
export async function status(): Promise<ClusterStatus> {
  assertInstance()
  const shape = recordedShape()
  const nodes = shape ? nodesOf(shape) : []
  const procs = shape ? procsOf(shape, nodes) : []
  let healthy = !!shape
  const api = shape && netnsExists() && existsSync(paths.kubeconfig)
    ? await apiReadyz().catch((e: Error) => ({ done: false as const, seen: e.message }))
    : { done: false as const, seen: 'not set up' }
  if (!api.done) healthy = false
  const c: Clients | undefined = api.done ? clients(paths.kubeconfig) : undefined
  const listed = c ? await c.core.listNode().then((l) => l.items).catch(() => []) : []
  const memory = clusterMemory()
  const procStatus = (p: Proc): ProcStatus => {
    const pid = pidOf(p)
    if (!pid) healthy = false
    const version = shape ? versionOf(p, shape) : undefined
    return { component: p.component, ...(pid ? { pid, rssBytes: rssBytes(pid) } : {}), ...(version ? { version } : {}) }
  }
  const nodeStatus = nodes.map((node): NodeStatus => {
    const n = listed.find((l) => l.metadata?.name === node.name)
    const ready = n?.status?.conditions?.find((x) => x.type === 'Ready')?.status ?? 'unknown'
    if (ready !== 'True') healthy = false
    const { processes, pods } = memory.perNode.find((m) => m.name === node.name)!
    return {
      name: node.name,
      ip: node.ip,
      zone: n?.metadata?.labels?.['topology.kubernetes.io/zone'] ?? node.zone ?? '-',
      ready,
      taints: (n?.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`),
      processBytes: processes,
      podBytes: pods,
      procs: procs.filter((p) => p.node === node).map(procStatus),
    }
  })
  const host = procs.filter((p) => !p.node).map(procStatus)
  const strays = strayProcesses().length && !recordedProcs().some((p) => p.pid) ? strayProcesses().length : 0
  const leftovers = healthy ? [] : [
    ...(await ourNetns()).map((n) => `network namespace ${n}`),
    ...(strays ? [`${strays} stray processes`] : []),
    ...((await ourMounts()).length ? [`${(await ourMounts()).length} mounts`] : []),
    ...((await ourLoopDevices()).length ? [`${(await ourLoopDevices()).length} loop devices`] : []),
    ...(ourCgroups().length && !recordedProcs().some((p) => p.pid) ? [`cgroups /${cgroupRoot}`] : []),
    ...(existsSync(paths.state) ? [paths.state] : []),
  ]
  return {
    healthy,
    instance,
    kubernetes: shape?.kubernetes ?? versions.kubernetes,
    ...(shape ? { shape: describeShape(shape, false) } : {}),
    api: api.done ? { ready: true, at: apiServer } : { ready: false, seen: 'seen' in api ? api.seen : '' },
    nodes: nodeStatus,
    host,
    ...(nodes.length ? { memoryBytes: memory.total } : {}),
    ...(healthy ? { kubeconfig: paths.kubeconfig } : {}),
    leftovers,
    missingBuilds: missingBuilds(shape?.kubernetes),
    binaryCache: paths.bin,
  }
}
