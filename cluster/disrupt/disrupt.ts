// The embedded cluster's disruptions, for the DR claims (lib/harness/disruptor.ts):
// a node stops answering when its kubelet stops (its containers run on, as
// behind a network partition), and answers again when it starts; a zone is lost
// when every worker of the zone stops so (the control plane, in no zone, runs on); the control
// plane restarts one component after another, each with its usual arguments and from the build
// it runs (a semantic mutant's stays: a restart is not a repair).
// Each returns once the disruption has taken effect; what the cluster makes of
// it (a node NotReady, pods back) is for the claim to watch.
import { apiReadyz, poll } from '../api/client.ts'
import { recordedShape, nodesOf, type NodeSpec, type Shape } from '../base/shape.ts'
import { assertRunning, binaryOf, logFile, pidOf, procsOf, type Proc, restartWith, start, stop } from '../nodes/node.ts'

function running(): { shape: Shape; nodes: NodeSpec[] } {
  const shape = recordedShape()
  if (!shape) throw new Error('the embedded cluster is not up (npm run cluster:up)')
  return { shape, nodes: nodesOf(shape) }
}

function kubeletOf(nodeName: string): { proc: Proc; shape: Shape } {
  const { shape, nodes } = running()
  const proc = procsOf(shape, nodes).find((p) => p.component === 'kubelet' && p.node?.name === nodeName)
  if (!proc) throw new Error(`no node ${nodeName} in the embedded cluster (it has ${nodes.map((n) => n.name).join(', ')})`)
  return { proc, shape }
}

export async function stopKubelet(nodeName: string): Promise<void> {
  const { proc } = kubeletOf(nodeName)
  await stop(proc)
  if (pidOf(proc)) throw new Error(`the kubelet of ${nodeName} did not stop; see ${logFile(proc.name)}`)
}

export async function startKubelet(nodeName: string): Promise<void> {
  const { proc, shape } = kubeletOf(nodeName)
  await start(proc, shape, [], binaryOf(proc))
  if (!pidOf(proc)) throw new Error(`the kubelet of ${nodeName} did not start; see ${logFile(proc.name)}`)
}

// The workers of a zone, as `up` labelled them (topology.kubernetes.io/zone). The control plane is in
// no zone and is never among them: the suite's API calls need it.
export function workersOfZone(nodes: NodeSpec[], zone: string): NodeSpec[] {
  const workers = nodes.filter((n) => n.zone === zone && n.role === 'worker')
  if (!workers.length) {
    const zones = [...new Set(nodes.flatMap((n) => (n.zone ? [n.zone] : [])))]
    throw new Error(`no worker in zone ${zone} in the embedded cluster (its zones: ${zones.join(', ') || 'none, with one node'})`)
  }
  return workers
}

export async function stopZone(zone: string): Promise<void> {
  for (const n of workersOfZone(running().nodes, zone)) await stopKubelet(n.name)
}

export async function startZone(zone: string): Promise<void> {
  for (const n of workersOfZone(running().nodes, zone)) await startKubelet(n.name)
}

// The API server first (back when /readyz answers), then the controller manager
// and the scheduler, which lose their leases and take them again.
export async function restartControlPlane(timeoutMs: number): Promise<void> {
  const { shape, nodes } = running()
  const procs = procsOf(shape, nodes)
  const named = (c: Proc['component']) => procs.find((p) => p.component === c)!
  const api = named('kube-apiserver')
  await restartWith(api, shape, [], binaryOf(api))
  await poll({ what: 'kube-apiserver /readyz after its restart', timeoutMs, check: apiReadyz, guard: () => assertRunning(api) })
  for (const c of ['kube-controller-manager', 'kube-scheduler'] as const) {
    const p = named(c)
    await restartWith(p, shape, [], binaryOf(p))
    if (!pidOf(p)) throw new Error(`${c} exited after its restart; see ${logFile(p.name)}`)
  }
}
