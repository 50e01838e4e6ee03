// cluster:upgrade, and DR-05's upgrade on the embedded cluster: the running cluster moved to the
// pinned release (config.ts versions.kubernetes) as kubeadm's procedure moves one: the control
// plane first, the API server before the controller manager and the scheduler (neither may be
// newer than it), each restarted from the new binaries with its usual arguments and healthy
// again before the next; then node by node, the control plane's first: cordoned, drained
// through the Eviction API (PodDisruptionBudgets honoured: cluster/api/drain.ts), its kubelet
// and kube-proxy restarted from the new binaries, Ready on the new release, uncordoned.
// A component already on the target is left alone, so a run that stopped halfway can be run again.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { apiReadyz, apiVersion, type Clients, clients, componentHealthy, poll } from '../api/client.ts'
import { cordonedByOthers, type Drained, drainNode, setUnschedulable } from '../api/drain.ts'
import { kubernetesBinDir, paths, versions } from '../base/config.ts'
import { formatDuration, log } from '../base/log.ts'
import { controlPlane, type NodeSpec, nodesOf, recordedShape, recordShape, type Shape } from '../base/shape.ts'
import { assertRunning, kubernetesComponents, type Proc, procsOf, restartWith, start, stop, versionOf } from '../nodes/node.ts'

export const controlPlaneOrder = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const
export type ControlPlaneComponent = (typeof controlPlaneOrder)[number]

// What each step does to the cluster; the runner below decides their order (the unit test gives fakes).
export interface UpgradeActions {
  // The release a component runs now: `component` on `node` (the control plane's for its components).
  runs(component: string, node: string): string | undefined
  // Stopped, started from the target's binary, and healthy (the API server ready and reporting the target).
  restartControlPlane(component: ControlPlaneComponent, target: string): Promise<void>
  // Cordoned before the upgrade by someone else (not an upgrade that stopped halfway): left cordoned.
  cordonedByOthers(node: string): Promise<boolean>
  cordon(node: string): Promise<void>
  drain(node: string): Promise<Drained>
  // The node's kubelet and kube-proxy stopped and started from the target's binaries.
  restartNode(node: string, target: string): Promise<void>
  // Ready again, its kubelet reporting the target, its kube-proxy healthy.
  nodeReady(node: string, target: string): Promise<void>
  uncordon(node: string): Promise<void>
}

export interface UpgradeReport {
  from: string[]
  target: string
  ms: number
  // What each part took (ms), in the order done: "kube-apiserver", "node embedded-worker".
  parts: { part: string; ms: number }[]
  leftInPlace: string[]
}

const describeDrain = (d: Drained) =>
  `${d.evicted.length} pod${d.evicted.length === 1 ? '' : 's'} evicted${d.leftInPlace.length ? `, ${d.leftInPlace.join(', ')} upgraded in place` : ''}`

// The control plane, then each node in the order given (the control plane's first).
export async function runUpgrade(nodes: string[], target: string, a: UpgradeActions, say: (line: string) => void = log): Promise<UpgradeReport> {
  const t0 = Date.now()
  const report: UpgradeReport = { from: [], target, ms: 0, parts: [], leftInPlace: [] }
  const part = async (name: string, fn: () => Promise<string | undefined>) => {
    const t = Date.now()
    const done = await fn()
    const ms = Date.now() - t
    report.parts.push({ part: name, ms })
    say(`${name}: ${done ? `${done}, ` : ''}done in ${formatDuration(ms)}`)
  }
  const noteFrom = (v: string | undefined) => { if (v && v !== target && !report.from.includes(v)) report.from.push(v) }
  const cp = nodes[0]!
  for (const c of controlPlaneOrder) {
    const was = a.runs(c, cp)
    noteFrom(was)
    if (was === target) {
      say(`${c}: already on ${target}`)
      continue
    }
    await part(c, async () => {
      say(`${c}: ${was ?? 'unknown'} → ${target}: restarting from the new binary, then waiting for it to be healthy …`)
      await a.restartControlPlane(c, target)
      return undefined
    })
  }
  for (const node of nodes) {
    const was = [a.runs('kubelet', node), a.runs('kube-proxy', node)]
    was.forEach(noteFrom)
    const keepCordoned = await a.cordonedByOthers(node)
    if (keepCordoned) say(`node ${node}: cordoned before the upgrade, not by it: left cordoned`)
    const uncordon = () => (keepCordoned ? Promise.resolve() : a.uncordon(node))
    if (was.every((v) => v === target)) {
      say(`node ${node}: kubelet and kube-proxy already on ${target}`)
      await uncordon()
      continue
    }
    await part(`node ${node}`, async () => {
      say(`node ${node}: cordon, drain through the Eviction API, kubelet and kube-proxy ${was[0]} → ${target}, uncordon …`)
      await a.cordon(node)
      const drained = await a.drain(node)
      report.leftInPlace.push(...drained.leftInPlace)
      say(`node ${node}: drained (${describeDrain(drained)}); restarting kubelet and kube-proxy from ${target}`)
      await a.restartNode(node, target)
      await a.nodeReady(node, target)
      await uncordon()
      return `Ready on ${target}, ${keepCordoned ? 'left cordoned as it was' : 'uncordoned'}`
    })
  }
  report.ms = Date.now() - t0
  return report
}

export interface UpgradeTimeouts {
  apiServer: number
  component: number
  node: number
  // Drain: a refusal with no change among its budget's pods; a budget waiting only for unschedulable pods.
  drainStall: number
  drainStuck: number
}

// The binaries the target needs, built (`up` builds them with --version; cluster/upgrade.ts builds what is missing).
export function missingTargetBinaries(target: string): string[] {
  return kubernetesComponents.filter((b) => !existsSync(join(kubernetesBinDir(target), b)))
}

// The embedded cluster as `up` recorded it, upgraded to the pinned release; the shape records it once done.
// `builds`: a control-plane component started from that binary of the target instead of the release's.
export async function upgradeCluster(timeouts: UpgradeTimeouts, target: string = versions.kubernetes, builds: Partial<Record<ControlPlaneComponent, string>> = {}): Promise<UpgradeReport> {
  const shape = recordedShape()
  if (!shape) throw new Error('the embedded cluster is not up (npm run cluster:up -- --version=1.35 starts it on the previous minor)')
  const missing = missingTargetBinaries(target)
  if (missing.length) throw new Error(`the binaries of ${target} are not built (${missing.join(', ')} missing in ${kubernetesBinDir(target)}): npm run cluster:upgrade builds them`)
  const nodes = nodesOf(shape)
  const c = clients(paths.kubeconfig)
  const report = await runUpgrade(nodes.map((n) => n.name), target, embeddedActions(shape, nodes, c, timeouts, builds))
  await recordShape({ ...shape, kubernetes: target })
  return report
}

function embeddedActions(shape: Shape, nodes: NodeSpec[], c: Clients, t: UpgradeTimeouts, builds: Partial<Record<ControlPlaneComponent, string>>): UpgradeActions {
  const procs = procsOf(shape, nodes)
  const cp = controlPlane(nodes)
  const proc = (component: string, node: string): Proc => {
    const p = procs.find((x) => x.component === component && x.node?.name === node)
    if (!p) throw new Error(`no ${component} on ${node} in the embedded cluster`)
    return p
  }
  const health: Record<Exclude<ControlPlaneComponent, 'kube-apiserver'>, string> = {
    'kube-controller-manager': 'https://127.0.0.1:10257/healthz',
    'kube-scheduler': 'https://127.0.0.1:10259/readyz',
  }
  return {
    runs: (component, node) => versionOf(proc(component, node), shape),
    restartControlPlane: async (component, target) => {
      const p = proc(component, cp.name)
      await restartWith(p, shape, [], builds[component], target)
      if (component === 'kube-apiserver') {
        await poll({
          what: `kube-apiserver ${target} /readyz and /version`, timeoutMs: t.apiServer, guard: () => assertRunning(p),
          check: async () => {
            const ready = await apiReadyz()
            if (!ready.done) return ready
            const v = await apiVersion(c)
            return v === target ? { done: true } : { done: false, seen: `GET /version: ${v}` }
          },
        })
      } else {
        await poll({ what: `${component} ${target} ${health[component]}`, timeoutMs: t.component, guard: () => assertRunning(p), check: () => componentHealthy(cp, health[component]) })
      }
    },
    cordonedByOthers: (node) => cordonedByOthers(c, node),
    cordon: async (node) => { if (!(await cordonedByOthers(c, node))) await setUnschedulable(c, node, true) },
    drain: (node) => drainNode(c, node, { stallMs: t.drainStall, stuckMs: t.drainStuck, log }),
    restartNode: async (node, target) => {
      const kubelet = proc('kubelet', node)
      const kubeProxy = proc('kube-proxy', node)
      await stop(kubelet)
      await stop(kubeProxy)
      await start(kubelet, shape, [], undefined, target)
      await start(kubeProxy, shape, [], undefined, target)
    },
    nodeReady: async (node, target) => {
      const n = nodes.find((x) => x.name === node)!
      const running = async () => { await assertRunning(proc('kubelet', node)); await assertRunning(proc('kube-proxy', node)) }
      await poll({
        what: `node ${node} Ready with kubelet ${target}`, timeoutMs: t.node, guard: running,
        check: async () => {
          const status = (await c.core.readNode({ name: node })).status
          const ready = status?.conditions?.find((x) => x.type === 'Ready')
          const kubelet = status?.nodeInfo?.kubeletVersion
          return kubelet === target && ready?.status === 'True' ? { done: true } : { done: false, seen: `kubelet ${kubelet}, Ready=${ready?.status ?? 'unknown'}: ${ready?.message ?? ''}` }
        },
      })
      await poll({ what: `kube-proxy ${target} on ${node} healthy`, timeoutMs: t.component, guard: running, check: () => componentHealthy(n, 'http://127.0.0.1:10256/healthz') })
    },
    uncordon: (node) => setUnschedulable(c, node, false),
  }
}
