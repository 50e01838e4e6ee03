// npm run cluster:up | cluster:down | cluster:status
// A real single-node Kubernetes built from upstream parts, with no Docker.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { addonFile, apiReadyz, applyFile, clients, deploymentAvailable, fitnessCheck, nodeReady, poll } from './api.ts'
import { buildAll, missingBuilds } from './build.ts'
import { apiServer, binDir, net, paths, state, versions } from './config.ts'
import { buildImages, importImages } from './images.ts'
import { formatDuration, log, phase } from './log.ts'
import {
  assertRunning, components, createCgroupRoot, createNetns, deleteNetns, killStrays, netnsExists, ourMounts, pidOf, removeCgroups, removeRuntimeLeftovers,
  start, stop, strayProcesses, unmountAll, writeConfigs, type Component,
} from './node.ts'
import { ensurePki, kubeconfig } from './pki.ts'
import { parseOptions } from '../lib/harness/options.ts'

const exec = promisify(execFile)

// Timeouts for bringing the cluster up, in one place; SC_TIMEOUT_SCALE stretches them for slow machines.
function upTimeouts() {
  const scale = parseOptions(process.env).timeoutScale
  return { apiServer: 60_000 * scale, node: 60_000 * scale, addons: 90_000 * scale, fitness: 90_000 * scale }
}

function preflight(): void {
  if (process.getuid?.() !== 0) throw new Error('the embedded cluster needs root (network namespace, mounts, cgroups); run as root or point KUBECONFIG at a cluster')
  const needed = ['/usr/bin/containerd', '/usr/sbin/runc', '/usr/bin/etcd', '/usr/lib/cni/bridge', '/usr/bin/catatonit', '/bin/busybox', '/usr/bin/ctr',
    '/usr/bin/openssl', '/usr/bin/nsenter', '/usr/sbin/ip', '/usr/sbin/iptables', '/usr/sbin/conntrack']
  const onPath = (p: string) => existsSync(p) || existsSync(p.replace('/usr/sbin/', '/usr/bin/')) || existsSync(p.replace('/usr/bin/', '/usr/sbin/'))
  const missing = needed.filter((p) => !onPath(p))
  if (missing.length) {
    throw new Error(`missing ${missing.join(', ')}: apt-get install containerd runc etcd-server containernetworking-plugins catatonit busybox-static iptables conntrack openssl iproute2 util-linux (see .ci/run)`)
  }
}

export async function up(): Promise<void> {
  const t0 = Date.now()
  const timeouts = upTimeouts()
  preflight()
  if (await isUp()) {
    log(`already up: ${apiServer} (kubeconfig ${paths.kubeconfig})`)
    return
  }
  if (netnsExists() || existsSync(paths.state) || components.some((c) => pidOf(c))) {
    // Half a cluster (a crashed component, a machine that kept state but not
    // processes) is not worth reviving: start clean.
    log('found the remains of an earlier cluster: removing them first')
    await down()
  }
  if (missingBuilds().length) {
    await exec('go', ['version']).catch(() => {
      throw new Error(`Go is needed to build ${missingBuilds().join(', ')} (once; cached in ${paths.bin}); none on PATH`)
    })
    await phase(`build ${missingBuilds().join(', ')}`, buildAll)
  }
  const archives = await phase('image archives', buildImages)
  await phase('certificates and kubeconfigs', async () => {
    await ensurePki()
    await mkdir(paths.local, { recursive: true })
    await writeFile(paths.kubeconfig, await kubeconfig('admin'), { mode: 0o600 })
  })
  await phase(`node network namespace ${net.netns} (${net.nodeIp})`, async () => {
    await exec('mount', ['--make-rshared', '/'])
    await createNetns()
    await createCgroupRoot()
    await writeConfigs()
    await mkdir(state.localPath, { recursive: true })
  })
  const guard = (...cs: Component[]) => async () => { for (const c of cs) await assertRunning(c) }
  const runtime = phase('containerd and images', async () => {
    await start('containerd')
    await poll({ what: 'the containerd socket', timeoutMs: 20_000, guard: guard('containerd'), check: async () => (existsSync(state.containerdSocket) ? { done: true } : { done: false, seen: 'no socket' }) })
    await importImages(archives)
  })
  const controlPlane = phase(`etcd and kube-apiserver ${versions.kubernetes}`, async () => {
    await start('etcd')
    await start('kube-apiserver')
    await poll({ what: `kube-apiserver /readyz at ${apiServer}`, timeoutMs: timeouts.apiServer, guard: guard('etcd', 'kube-apiserver'), check: apiReadyz })
  })
  await Promise.all([runtime, controlPlane])
  const c = clients(paths.kubeconfig)
  await phase('controllers, scheduler, kubelet, kube-proxy; node Ready', async () => {
    for (const comp of ['kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'] as const) await start(comp)
    await poll({ what: 'the node to be Ready', timeoutMs: timeouts.node, guard: guard(...components), check: () => nodeReady(c) })
  })
  await phase('add-ons: CoreDNS, local-path-provisioner, storage classes', async () => {
    await applyFile(c, addonFile('coredns.yaml'))
    await applyFile(c, addonFile('storage.yaml'))
    await poll({ what: 'CoreDNS', timeoutMs: timeouts.addons, guard: guard(...components), check: () => deploymentAvailable(c, 'kube-system', 'coredns') })
    await poll({ what: 'local-path-provisioner', timeoutMs: timeouts.addons, guard: guard(...components), check: () => deploymentAvailable(c, 'local-path-storage', 'local-path-provisioner') })
  })
  await phase('fitness: in-cluster DNS answers, default StorageClass provisions', () => fitnessCheck(c, 'embedded-cluster-check', timeouts.fitness))
  log(`up in ${formatDuration(Date.now() - t0)}: Kubernetes ${versions.kubernetes} at ${apiServer}; KUBECONFIG=${paths.kubeconfig}`)
}

export async function isUp(): Promise<boolean> {
  if (!components.every((c) => pidOf(c)) || !existsSync(paths.kubeconfig)) return false
  return (await apiReadyz().catch(() => ({ done: false }))).done
}

export async function down(): Promise<void> {
  const t0 = Date.now()
  if (pidOf('kubelet')) await phase('stop kubelet', () => stop('kubelet'))
  if (pidOf('containerd') && existsSync(`${binDir.kubernetes}/criclean`)) {
    await phase('remove pod sandboxes through the runtime', async () => {
      const { stdout } = await exec(`${binDir.kubernetes}/criclean`, [`--endpoint=unix://${state.containerdSocket}`]).catch((e: { stderr?: string; stdout?: string }) => {
        log(`criclean failed; stray processes are killed below: ${e.stderr ?? ''}`)
        return { stdout: e.stdout ?? '' }
      })
      if (stdout.trim()) log(stdout.trim())
    })
  }
  await phase('stop control plane and runtime', async () => {
    for (const c of [...components].reverse()) await stop(c)
  })
  await phase('leftovers: processes, mounts, cgroups, network namespace, state', async () => {
    const killed = await killStrays()
    const unmounted = await unmountAll()
    const cgroups = await removeCgroups()
    await deleteNetns()
    await removeRuntimeLeftovers()
    for (const dir of [paths.state, paths.run, paths.etcd, paths.hostpathVolumes]) await rm(dir, { recursive: true, force: true })
    await rm(paths.kubeconfig, { force: true })
    log(`killed ${killed} stray processes, unmounted ${unmounted}, removed ${cgroups} cgroups`)
  })
  log(`down in ${formatDuration(Date.now() - t0)}`)
}

export async function status(): Promise<boolean> {
  const lines: string[] = []
  let healthy = true
  for (const c of components) {
    const pid = pidOf(c)
    if (!pid) healthy = false
    lines.push(`  ${c.padEnd(24)} ${pid ? `running (pid ${pid})` : 'not running'}`)
  }
  const api = netnsExists() && existsSync(paths.kubeconfig) ? await apiReadyz().catch((e: Error) => ({ done: false, seen: e.message })) : { done: false, seen: 'not set up' }
  if (!api.done) healthy = false
  lines.push(`  ${'api'.padEnd(24)} ${api.done ? `ready at ${apiServer}` : `not ready (${'seen' in api ? api.seen : ''})`}`)
  if (api.done) {
    const c = clients(paths.kubeconfig)
    const node = await nodeReady(c).catch((e: Error) => ({ done: false, seen: e.message }))
    lines.push(`  ${'node'.padEnd(24)} ${node.done ? 'Ready' : `not Ready (${'seen' in node ? node.seen : ''})`}`)
    if (!node.done) healthy = false
  }
  const leftovers = [
    ...(netnsExists() && !healthy ? [`network namespace ${net.netns}`] : []),
    ...(strayProcesses().length && !pidOf('containerd') ? [`${strayProcesses().length} stray processes`] : []),
    ...(ourMounts().length && !healthy ? [`${ourMounts().length} mounts`] : []),
    ...(existsSync(paths.state) && !healthy ? [paths.state] : []),
  ]
  console.log(`embedded cluster (Kubernetes ${versions.kubernetes}): ${healthy ? 'up' : 'down'}`)
  console.log(lines.join('\n'))
  if (healthy) console.log(`  KUBECONFIG=${paths.kubeconfig}`)
  if (leftovers.length) console.log(`  leftovers (npm run cluster:down removes them): ${leftovers.join(', ')}`)
  const builds = missingBuilds()
  console.log(`  binaries: ${builds.length ? `not built yet: ${builds.join(', ')}` : `cached in ${paths.bin}`}`)
  return healthy
}

async function main(): Promise<void> {
  const cmd = process.argv[2]
  switch (cmd) {
    case 'up': return up()
    case 'down': return down()
    case 'status': process.exitCode = (await status()) ? 0 : 3; return
    case 'build': return buildAll()
    default:
      console.error('usage: node cluster/cli.ts up | down | status | build')
      process.exitCode = 2
  }
}

if (import.meta.main) {
  main().catch(async (err: Error) => {
    log(`FAILED: ${err.message}`)
    if (readdirSafe(paths.logs).length) log(`component logs: ${paths.logs}`)
    process.exitCode = 1
  })
}

function readdirSafe(dir: string): string[] {
  try { return readdirSync(dir) } catch { return [] }
}

