// The components as the faults touch them: restarts with other flags or from a
// mutant's binary, scaled add-ons, local-path's scripts swapped, a volume wiper,
// nodes cordoned, a process paused, busy loops; each undone by its restore.
import { loadAllYaml, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node'
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { apiReadyz, applyFile, type Clients, deploymentAvailable, nodesReady, poll } from '../api/client.ts'
import { addonFile, shapeStorage } from '../addons/addons.ts'
import { paths, state } from '../base/config.ts'
import { nodeDirs } from '../nodes/node-config.ts'
import { logFile, pidOf, type Proc, procsOf, recordedProcs, restartWith, start, stop } from '../nodes/node.ts'
import type { NodeSpec, Shape } from '../base/shape.ts'

// What a fault's inject and restore act on: the running cluster, its shape and its nodes.
export interface FaultContext {
  c: Clients
  shape: Shape
  nodes: NodeSpec[]
}

// ---- the components, as the faults touch them ---------------------------------

export const proc = (ctx: FaultContext, component: Proc['component'], node?: NodeSpec) =>
  procsOf(ctx.shape, ctx.nodes).find((p) => p.component === component && (node ? p.node === node : true))!
export const procsNamed = (ctx: FaultContext, component: Proc['component']) => procsOf(ctx.shape, ctx.nodes).filter((p) => p.component === component)

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

// kube-controller-manager has no readiness to ask for without its own client certificate: alive for 5 s is enough.
export async function restartControllerManager(ctx: FaultContext, extraArgs: string[]): Promise<void> {
  const p = proc(ctx, 'kube-controller-manager')
  await restartWith(p, ctx.shape, extraArgs)
  await wait(5_000)
  if (!pidOf(p)) throw new Error(`kube-controller-manager exited after restarting with ${extraArgs.join(' ') || 'its usual arguments'}; see ${logFile(p.name)}`)
}
export const withoutControllers = (...controllers: string[]) => [`--controllers=*,${controllers.map((c) => `-${c}`).join(',')}`]

// `bin`: from another build of it (a semantic mutant's).
export async function restartApiServer(ctx: FaultContext, extraArgs: string[], bin?: string): Promise<void> {
  await restartWith(proc(ctx, 'kube-apiserver'), ctx.shape, extraArgs, bin)
  await poll({ what: `kube-apiserver /readyz after its restart${bin ? ` from ${bin}` : ''}`, timeoutMs: 90_000, check: apiReadyz })
}

export async function scaleDeployment(ctx: FaultContext, namespace: string, name: string, replicas: number): Promise<void> {
  await ctx.c.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, withMergePatch)
  await poll({
    what: `${namespace}/${name} at ${replicas} replicas`,
    timeoutMs: 120_000,
    check: async () => {
      if (replicas > 0) return deploymentAvailable(ctx.c, namespace, name)
      const d = await ctx.c.apps.readNamespacedDeployment({ namespace, name })
      const pods = await ctx.c.core.listNamespacedPod({ namespace, labelSelector: Object.entries(d.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') })
      return pods.items.length ? { done: false, seen: `${pods.items.length} pods left` } : { done: true }
    },
  })
}

// A merge patch: the client sends a JSON patch by default, which a plain object is not.
export const withMergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

// local-path-provisioner reads its helper scripts from its ConfigMap; a new pod reads them for sure.
export async function setLocalPathScripts(ctx: FaultContext, scripts: { setup: string; teardown: string } | undefined): Promise<void> {
  if (scripts) {
    await ctx.c.core.patchNamespacedConfigMap({ namespace: 'local-path-storage', name: 'local-path-config', body: { data: scripts } }, withMergePatch)
  } else {
    await applyFile(ctx.c, addonFile('storage.yaml'), shapeStorage(ctx.shape, ctx.nodes))
  }
  await ctx.c.core.deleteCollectionNamespacedPod({ namespace: 'local-path-storage', labelSelector: 'app=local-path-provisioner' })
  await poll({ what: 'local-path-provisioner back with its new scripts', timeoutMs: 120_000, check: () => deploymentAvailable(ctx.c, 'local-path-storage', 'local-path-provisioner') })
}

// A volume's folder is pvc-<uid>_<namespace>_<claim>: the key a recycled disk is found by.
export const recycledSetup = `#!/bin/sh
set -eu
# Fault recycled-volumes: a new volume starts with what the last volume of the same namespace and claim held.
stash="$(dirname "$VOL_DIR")/.recycled-$(basename "$VOL_DIR" | cut -d_ -f2-)"
mkdir -m 0777 -p "$VOL_DIR"
if [ -d "$stash" ]; then cp -a "$stash"/. "$VOL_DIR"/; rm -rf "$stash"; fi`
export const recycledTeardown = `#!/bin/sh
set -eu
# Fault recycled-volumes: a deleted volume is kept, unwiped, for the next claim of the same name.
stash="$(dirname "$VOL_DIR")/.recycled-$(basename "$VOL_DIR" | cut -d_ -f2-)"
rm -rf "$stash"
mv "$VOL_DIR" "$stash"`

// A process of the fault's own, recorded in the cluster's pid folder so that `cluster:down` stops it too.
async function startRecorded(p: { name: string }, script: string): Promise<void> {
  if (pidOf(p)) return
  await mkdir(state.pids, { recursive: true })
  await mkdir(paths.logs, { recursive: true })
  const out = openSync(logFile(p.name), 'a')
  const child = spawn('sh', ['-c', script], { detached: true, stdio: ['ignore', out, out] })
  closeSync(out)
  child.unref()
  await writeFile(join(state.pids, `${p.name}.pid`), String(child.pid))
}

export const wiper = { name: 'fault-wipe-volumes' }

// A word for sh (dash, which has no $'…'): single-quoted, a quote inside closed and escaped.
const shWord = (s: string) => `'${s.replace(/'/g, "'\\''")}'`
// The bundle of every live container of these nodes: a live container is a containerd task, and its
// bundle's config.json names its bind mounts' sources. The kubelet hands a hostPath volume
// (local-path's kind) to the runtime as such a source: the volume's folder (a subPath mount's source
// is a bind under the kubelet's pod folder instead, which is not followed here: a volume mounted only
// so would be taken for unmounted; no fixture mounts a claim with subPath).
const taskConfigs = (containerdStates: string[]) => containerdStates.map((d) => `${shWord(d)}/io.containerd.runtime.v2.task/*/*/config.json`).join(' ')

// One pass of the wiper: every volume folder of local-path that no live container mounts is
// emptied, the folder itself kept, as a disk that loses its data once detached.
export function wipeUnmountedOnce(localPathDirs: string[], containerdStates: string[]): string {
  return [
    `mounted=$(cat ${taskConfigs(containerdStates)} 2>/dev/null)`,
    `for v in ${localPathDirs.map((d) => `${shWord(d)}/*`).join(' ')}; do`,
    '  [ -d "$v" ] || continue',
    '  case "$mounted" in *"\\"$v\\""*|*"\\"$v/"*) continue ;; esac',
    '  find "$v" -mindepth 1 -delete 2>/dev/null',
    'done',
  ].join('\n')
}

// One pass of the lossy-volumes fault, a cache that acknowledges fsync but reaches the disk only every
// flushSeconds: a mounted volume is copied to stashDir when its last copy is that old. Once a
// container that mounted it is gone (no live container mounts it, or the ones that do are not all
// those of the last pass: a pod deleted with no grace can have its replacement's container started
// before its own is gone), the volume goes back to that copy, and every write after it is lost.
export function loseUnflushedOnce(localPathDirs: string[], containerdStates: string[], stashDir: string, flushSeconds: number): string {
  const configs = taskConfigs(containerdStates)
  return [
    'now=$(date +%s)',
    `for v in ${localPathDirs.map((d) => `${shWord(d)}/*`).join(' ')}; do`,
    '  [ -d "$v" ] || continue',
    `  s=${shWord(stashDir)}/$(basename "$v")`,
    // The bundles of the live containers that mount it, as a line of their paths.
    `  ids=$(grep -lF -e "\\"$v\\"" -e "\\"$v/" ${configs} 2>/dev/null | tr '\\n' ' ')`,
    '  if [ -d "$s" ]; then',
    '    gone=',
    '    for id in $(cat "$s.ids" 2>/dev/null); do case " $ids" in *" $id "*) ;; *) gone=1 ;; esac; done',
    '    if [ -n "$gone" ]; then find "$v" -mindepth 1 -delete; cp -a "$s/." "$v/"; rm -rf "$s" "$s.at" "$s.ids"; fi',
    '  fi',
    '  [ -n "$ids" ] || continue',
    `  if [ ! -e "$s.at" ] || [ $((now - $(cat "$s.at"))) -ge ${flushSeconds} ]; then`,
    '    rm -rf "$s.new" && cp -a "$v" "$s.new" && rm -rf "$s" && mv "$s.new" "$s" && echo "$now" > "$s.at"',
    '  fi',
    '  if [ -d "$s" ]; then echo "$ids" > "$s.ids"; fi',
    'done',
  ].join('\n')
}

// A pass four times a second until stopped; stopped (SIGTERM), it ends after the pass it is in, so that
// a volume is never left half put back.
const faultLoop = (once: string) => `stop=; trap 'stop=1' TERM\nwhile [ -z "$stop" ]; do\n${once}\nsleep 0.25\ndone`

// Each looks four times a second: between one pod's container going and its replacement's
// starting (a pod deleted and made again, scheduled, its sandbox started) there is longer than that.
export async function startWiper(ctx: FaultContext): Promise<void> {
  const once = wipeUnmountedOnce(ctx.nodes.map((n) => nodeDirs(n).localPath), ctx.nodes.map((n) => nodeDirs(n).containerdState))
  await startRecorded(wiper, faultLoop(once))
}

export const lossyCache = { name: 'fault-lossy-volumes' }
export const lossyStash = () => join(paths.state, 'fault-lossy-volumes')
export async function startLossyCache(ctx: FaultContext, flushSeconds: number): Promise<void> {
  // A stash a crashed run left behind describes volumes of that run: none of it is this run's.
  await rm(lossyStash(), { recursive: true, force: true })
  await mkdir(lossyStash(), { recursive: true })
  const once = loseUnflushedOnce(ctx.nodes.map((n) => nodeDirs(n).localPath), ctx.nodes.map((n) => nodeDirs(n).containerdState), lossyStash(), flushSeconds)
  await startRecorded(lossyCache, faultLoop(once))
}
export async function stopLossyCache(): Promise<void> {
  await stop(lossyCache)
  await rm(lossyStash(), { recursive: true, force: true })
}

export async function removeRecycledStashes(ctx: FaultContext): Promise<void> {
  for (const n of ctx.nodes) {
    const dir = nodeDirs(n).localPath
    for (const f of existsSync(dir) ? readdirSync(dir) : []) if (f.startsWith('.recycled-')) await rm(join(dir, f), { recursive: true, force: true })
  }
}

export async function ensureRunning(ctx: FaultContext, ...components: Proc['component'][]): Promise<void> {
  for (const component of components) for (const p of procsNamed(ctx, component)) if (!pidOf(p)) await start(p, ctx.shape)
}

// ---- semantic mutants ------------------------------------------------------------

// A component, wherever it runs, restarted from another build of it (a semantic mutant's,
// cluster/binaries/mutants.ts), or with `undefined` from the usual one, with its usual arguments.
export async function restartFromBinary(ctx: FaultContext, component: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet', bin: string | undefined): Promise<void> {
  if (component === 'kube-apiserver') return restartApiServer(ctx, [], bin)
  const procs = procsNamed(ctx, component)
  for (const p of procs) await restartWith(p, ctx.shape, [], bin)
  if (component === 'kubelet') {
    await poll({ what: `every node Ready after its kubelet restarted from ${bin ?? 'the usual binary'}`, timeoutMs: 120_000, check: () => nodesReady(ctx.c, ctx.nodes) })
    return
  }
  // As restartControllerManager: no readiness to ask for, alive for 5 s is enough.
  await wait(5_000)
  for (const p of procs) if (!pidOf(p)) throw new Error(`${p.name} exited after restarting from ${bin ?? 'the usual binary'}; see ${logFile(p.name)}`)
}

// ---- healthy but slow ------------------------------------------------------------

// A local-path helper script that waits, then does all it did: the wait goes after the shebang, so the script stays a script.
export function delayedScript(script: string, seconds: number): string {
  const lines = script.split('\n')
  const head = lines[0]?.startsWith('#!') ? 1 : 0
  const delay = [`# Fault slow-provisioning: ${seconds} s before the usual work, as a backend that takes its time.`, `sleep ${seconds}`]
  return [...lines.slice(0, head), ...delay, ...lines.slice(head)].join('\n')
}

// The scripts as `up` installs them (cluster/addons/storage.yaml), not as the cluster holds them now:
// a fault left in place by a run that died is not delayed twice.
export async function usualLocalPathScripts(): Promise<{ setup: string; teardown: string }> {
  const docs = loadAllYaml(await readFile(addonFile('storage.yaml'), 'utf8')) as V1ConfigMap[]
  const data = docs.find((d) => d?.kind === 'ConfigMap' && d.metadata?.name === 'local-path-config')?.data
  if (!data?.setup || !data.teardown) throw new Error(`${addonFile('storage.yaml')}: no setup and teardown scripts in ConfigMap local-path-config`)
  return { setup: data.setup, teardown: data.teardown }
}

// Cordoned (spec.unschedulable), as `kubectl cordon` does: running pods stay, new ones are placed nowhere.
export async function setUnschedulable(ctx: FaultContext, unschedulable: boolean): Promise<void> {
  for (const n of ctx.nodes) await ctx.c.core.patchNode({ name: n.name, body: { spec: { unschedulable } } }, withMergePatch)
}

// SIGSTOP freezes every thread of the process (nsenter execs in place: the recorded pid is the
// component's), as a control plane between two leaders: nothing acts or answers until SIGCONT.
export async function pauseComponent(ctx: FaultContext, component: Proc['component'], ms: number): Promise<void> {
  const p = proc(ctx, component)
  const pid = pidOf(p)
  if (!pid) throw new Error(`${p.name} is not running, so it cannot be paused; see ${logFile(p.name)}`)
  process.kill(pid, 'SIGSTOP')
  try {
    await wait(ms)
  } finally {
    resumeComponent(ctx, component)
  }
}
export function resumeComponent(ctx: FaultContext, component: Proc['component']): void {
  const pid = pidOf(proc(ctx, component))
  if (pid) process.kill(pid, 'SIGCONT')
}

// Busy loops at normal priority, one per core, on the host every node shares.
const burnerPrefix = 'fault-cpu-burner-'
export async function startCpuBurners(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await startRecorded({ name: `${burnerPrefix}${i}` }, 'while :; do :; done')
}
export async function stopCpuBurners(): Promise<void> {
  for (const p of recordedProcs().filter((r) => r.name.startsWith(burnerPrefix))) await stop(p)
}
