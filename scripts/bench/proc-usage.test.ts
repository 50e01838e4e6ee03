import { expect, test } from 'vitest'
import { cpuDelta, parseCgroupCpuSeconds, parseCgroupRssBytes, parseProcStat, parseVmRssKiB } from './proc-usage.ts'

// A real line, with a comm that holds a space and a parenthesis.
const stat = '4242 (kube (api) x) S 1 4242 24576 0 -1 4194304 99 0 0 0 700 300 20 10 20 0 1 0 117902 3133440 383 18446744073709551615'

test('reads utime+stime+cutime+cstime and the start time after the last parenthesis of comm', () => {
  expect(parseProcStat(stat)).toEqual({ pid: 4242, comm: 'kube (api) x', ppid: 1, cpuTicks: 1030, startTicks: 117902 })
})

test('a truncated stat line is refused, naming it', () => {
  expect(() => parseProcStat('12 (sh) S 1 12')).toThrow(/no field 14/)
})

test('VmRSS in KiB; none for a kernel thread', () => {
  expect(parseVmRssKiB('Name:\tetcd\nVmRSS:\t   51234 kB\nThreads:\t9\n')).toBe(51234)
  expect(parseVmRssKiB('Name:\tkthreadd\nThreads:\t1\n')).toBe(0)
})

test('CPU between two samples: the growth of a process seen twice, all of a new one, none of one that ended', () => {
  const p = (pid: number, startTicks: number, cpuTicks: number) => ({ pid, comm: `p${pid}`, startTicks, cpuTicks })
  const d = cpuDelta([p(1, 10, 100), p(2, 20, 50), p(3, 30, 5)], [p(1, 10, 160), p(2, 99, 7), p(4, 40, 12)])
  // pid 2 was reused by a new process (another start time): its 7 ticks count whole.
  expect(d.ticks).toBe(60 + 7 + 12)
  expect(d.started.map((s) => s.pid)).toEqual([2, 4])
  expect(d.ended.map((s) => s.pid)).toEqual([2, 3])
})

test('a counter that went down (it cannot) adds nothing rather than a negative', () => {
  const p = (cpuTicks: number) => ({ pid: 1, comm: 'x', startTicks: 1, cpuTicks })
  expect(cpuDelta([p(10)], [p(9)]).ticks).toBe(0)
})

test('cgroup CPU: v1 nanoseconds, v2 usage_usec', () => {
  expect(parseCgroupCpuSeconds('25667316028\n', 1)).toBeCloseTo(25.667, 3)
  expect(parseCgroupCpuSeconds('usage_usec 3500000\nuser_usec 2000000\n', 2)).toBe(3.5)
  expect(() => parseCgroupCpuSeconds('user_usec 1\n', 2)).toThrow(/usage_usec/)
})

test('cgroup memory: total_rss (v1, not the cgroup\'s own rss line) or anon (v2)', () => {
  expect(parseCgroupRssBytes('rss 100\ncache 5\ntotal_cache 9\ntotal_rss 77565952\n', 1)).toBe(77565952)
  expect(parseCgroupRssBytes('anon 4096\nfile 8192\n', 2)).toBe(4096)
})
