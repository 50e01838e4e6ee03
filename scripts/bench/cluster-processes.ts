// The embedded cluster's processes, as the bench measures them: its components
// (the pids it records), the containerd shims of its socket, and its pods
// (the kubelet's cgroup root, which also counts pods that are gone).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cgroupRoot, paths, state } from '../../cluster/base/config.ts'
import { cpuDelta, type ProcSample, parseCgroupCpuSeconds, parseCgroupRssBytes, parseProcStat, parseVmRssKiB } from './proc-usage.ts'

// The kubelets' cgroupRoots are under the instance's (cluster/nodes/node.ts).
const podsCgroup = cgroupRoot
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

interface Proc extends ProcSample {
  kind: 'component' | 'shim'
}

export interface ClusterSample {
  procs: Proc[]
  podsCpuSeconds: number | null
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function componentPids(): number[] {
  if (!existsSync(state.pids)) return []
  return readdirSync(state.pids).map((f) => Number(read(join(state.pids, f))?.trim())).filter((p) => p > 0)
}

function shimPids(): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    const cmdline = read(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ') ?? ''
    // Every node's containerd socket is under the instance's run folder.
    return cmdline.includes('containerd-shim') && cmdline.includes(`${paths.run}/`)
  })
}

// cgroup v1 (this host: hybrid) first, then v2.
function cgroupFile(v1Controller: string, v1File: string, v2File: string): { text: string; version: 1 | 2 } | null {
  const v1 = read(join('/sys/fs/cgroup', v1Controller, podsCgroup, v1File))
  if (v1 !== null) return { text: v1, version: 1 }
  const v2 = read(join('/sys/fs/cgroup', podsCgroup, v2File))
  return v2 === null ? null : { text: v2, version: 2 }
}

export function sampleCluster(): ClusterSample {
  const procs: Proc[] = []
  for (const [kind, pids] of [['component', componentPids()], ['shim', shimPids()]] as const) {
    for (const pid of pids) {
      const stat = read(`/proc/${pid}/stat`)
      if (stat) procs.push({ ...parseProcStat(stat), kind })
    }
  }
  const cpu = cgroupFile('cpuacct', 'cpuacct.usage', 'cpu.stat')
  return { procs, podsCpuSeconds: cpu ? parseCgroupCpuSeconds(cpu.text, cpu.version) : null }
}

export interface ClusterCpu {
  seconds: number
  components: number
  shims: number
  pods: number | null
  note?: string
}

// Components and shims count with the children they waited for (runc, exec'd
// tools); a shim that ended during the window is lost with its CPU.
export function clusterCpu(before: ClusterSample, after: ClusterSample): ClusterCpu {
  const of = (s: ClusterSample, kind: Proc['kind']) => s.procs.filter((p) => p.kind === kind)
  const components = cpuDelta(of(before, 'component'), of(after, 'component'))
  const shims = cpuDelta(of(before, 'shim'), of(after, 'shim'))
  const pods = before.podsCpuSeconds !== null && after.podsCpuSeconds !== null ? after.podsCpuSeconds - before.podsCpuSeconds : null
  const notes = [
    ...(components.ended.length ? [`components that stopped during the run are not counted: ${components.ended.map((p) => p.comm).join(', ')}`] : []),
    ...(shims.ended.length ? [`${shims.ended.length} shims ended during the run (their last seconds not counted)`] : []),
    ...(pods === null ? [`pods not counted: no cgroup ${podsCgroup}`] : []),
  ]
  const c = components.ticks / clockTicks
  const s = shims.ticks / clockTicks
  return { seconds: c + s + (pods ?? 0), components: c, shims: s, pods, ...(notes.length ? { note: notes.join('; ') } : {}) }
}

export interface ClusterMemory {
  totalMiB: number
  componentsMiB: number
  shimsMiB: number
  podsMiB: number | null
}

// Resident memory now: each component's and shim's VmRSS, the pods' cgroup RSS.
export function clusterMemory(): ClusterMemory {
  const mib = (kib: number) => kib / 1024
  const rss = (pids: number[]) => pids.reduce((sum, pid) => sum + parseVmRssKiB(read(`/proc/${pid}/status`) ?? ''), 0)
  const componentsMiB = mib(rss(componentPids()))
  const shimsMiB = mib(rss(shimPids()))
  const mem = cgroupFile('memory', 'memory.stat', 'memory.stat')
  const podsMiB = mem ? parseCgroupRssBytes(mem.text, mem.version) / 2 ** 20 : null
  return { totalMiB: componentsMiB + shimsMiB + (podsMiB ?? 0), componentsMiB, shimsMiB, podsMiB }
}
