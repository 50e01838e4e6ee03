// CPU time and memory of a set of processes, from /proc and cgroup files: the
// parsing and the arithmetic, kept pure (cluster-processes.ts reads the files).

export interface ProcSample {
  pid: number
  comm: string
  // Start time since boot, in clock ticks: a pid reused by another process has another.
  startTicks: number
  // utime + stime + cutime + cstime: its own CPU and that of the children it waited for.
  cpuTicks: number
}

// /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
export function parseProcStat(text: string): ProcSample & { ppid: number } {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`)
  const rest = text.slice(close + 2).trim().split(/\s+/).map(Number)
  // rest[0] is field 3 (state, NaN here); field N is rest[N - 3].
  const field = (n: number) => {
    const v = rest[n - 3]
    if (v === undefined || Number.isNaN(v)) throw new Error(`/proc/<pid>/stat: no field ${n} in ${text.slice(0, 80)}`)
    return v
  }
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    cpuTicks: field(14) + field(15) + field(16) + field(17),
    startTicks: field(22),
  }
}

// VmRSS from /proc/<pid>/status, in KiB (kernel threads and zombies have none).
export function parseVmRssKiB(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  return m ? Number(m[1]) : 0
}

export interface CpuDelta {
  ticks: number
  // Processes present before and gone after: what they used during the window is lost
  // (unless a process that is still there waited for them).
  ended: ProcSample[]
  // Processes that were not there before: all they used counts.
  started: ProcSample[]
}

// The CPU used between two samples of the same set of processes.
export function cpuDelta(before: ProcSample[], after: ProcSample[]): CpuDelta {
  const key = (p: ProcSample) => `${p.pid}@${p.startTicks}`
  const earlier = new Map(before.map((p) => [key(p), p]))
  const later = new Set(after.map(key))
  let ticks = 0
  const started: ProcSample[] = []
  for (const p of after) {
    const was = earlier.get(key(p))
    if (was) ticks += Math.max(0, p.cpuTicks - was.cpuTicks)
    else {
      ticks += p.cpuTicks
      started.push(p)
    }
  }
  return { ticks, started, ended: before.filter((p) => !later.has(key(p))) }
}

// A cgroup's CPU usage in seconds: cgroup v1 cpuacct.usage (nanoseconds) or
// cgroup v2 cpu.stat (usage_usec). Counts processes that have ended, too.
export function parseCgroupCpuSeconds(text: string, version: 1 | 2): number {
  if (version === 1) return Number(text.trim()) / 1e9
  const m = /^usage_usec\s+(\d+)/m.exec(text)
  if (!m) throw new Error('cpu.stat without usage_usec')
  return Number(m[1]) / 1e6
}

// A cgroup's resident anonymous memory in bytes: total_rss (v1 memory.stat) or anon (v2).
export function parseCgroupRssBytes(memoryStat: string, version: 1 | 2): number {
  const m = (version === 1 ? /^total_rss\s+(\d+)/m : /^anon\s+(\d+)/m).exec(memoryStat)
  return m ? Number(m[1]) : 0
}
