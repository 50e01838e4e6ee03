// SC-10: fio in a pod on the claim. One run of four jobs, one after another
// (stonewall) on one file: sequential write and read (1 MiB blocks), then
// 4 KiB random read and write; its JSON output gives throughput, IOPS and
// completion-latency percentiles. Direct I/O where the filesystem takes it.
import type { Kube } from '../k8s/kube.ts'
import { execIn, execOk } from '../k8s/exec.ts'
import { pollPause, progress } from '../k8s/claim-context.ts'
import { bytesOf } from '../k8s/quantity.ts'
import { timeoutScale } from '../k8s/timeouts.ts'

export const fioJobs = ['seqwrite', 'seqread', 'randread', 'randwrite'] as const
export type FioJob = (typeof fioJobs)[number]

// What SC-10 reports per class (claims.json measurements.io).
export interface IoFigures {
  seqWriteMiBps: number
  seqReadMiBps: number
  randReadIops: number
  randWriteIops: number
  // Completion latency (fio's clat) in microseconds.
  randReadLatencyUs: { p50: number; p99: number }
  randWriteLatencyUs: { p50: number; p99: number }
  // O_DIRECT; when false, directIoRefused says why (the page cache then flatters the reads).
  directIo: boolean
  directIoRefused?: string
  fileSize: string
  claimSize: string
  runtimeSeconds: number
  fioVersion?: string
}

export interface IoOptions {
  claimSize: string
  // Seconds per job; four jobs.
  runtimeSeconds: number
  // SC_IO_MIN_*: the run fails below these.
  min: Partial<Record<'seqWriteMiBps' | 'seqReadMiBps' | 'randReadIops' | 'randWriteIops', number>>
}

const minVars = {
  SC_IO_MIN_SEQ_WRITE_MIBPS: 'seqWriteMiBps',
  SC_IO_MIN_SEQ_READ_MIBPS: 'seqReadMiBps',
  SC_IO_MIN_RANDREAD_IOPS: 'randReadIops',
  SC_IO_MIN_RANDWRITE_IOPS: 'randWriteIops',
} as const

// SC_IO_CLAIM_SIZE (default 1Gi), SC_IO_RUNTIME (seconds per job, default 4:
// four jobs, about 20s a class with the file's layout), SC_IO_MIN_* thresholds.
export function parseIoOptions(env: Record<string, string | undefined>): IoOptions {
  const claimSize = env.SC_IO_CLAIM_SIZE?.trim() || '1Gi'
  if (!/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(claimSize) || bytesOf(claimSize) < 64 * 2 ** 20) {
    throw new Error(`SC_IO_CLAIM_SIZE=${env.SC_IO_CLAIM_SIZE}: expected a quantity of at least 64Mi, e.g. 1Gi or 20Gi`)
  }
  const runtimeSeconds = env.SC_IO_RUNTIME === undefined ? 4 : Number(env.SC_IO_RUNTIME)
  if (!Number.isInteger(runtimeSeconds) || runtimeSeconds < 1) throw new Error(`SC_IO_RUNTIME=${env.SC_IO_RUNTIME}: expected whole seconds per job (4 jobs), e.g. 4`)
  const min: IoOptions['min'] = {}
  for (const [name, key] of Object.entries(minVars)) {
    const v = env[name]
    if (v === undefined || v === '') continue
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative number`)
    min[key] = n
  }
  return { claimSize, runtimeSeconds, min }
}

// The test file: a quarter of the claim, at most 1 GiB (laying it out must
// not eat the time budget), at least 16 MiB; in MiB for fio's --size.
export function fioFileMiB(claimBytes: number): number {
  return Math.max(16, Math.min(1024, Math.floor(claimBytes / 4 / 2 ** 20)))
}

export function fioCommand(o: { dir: string; fileMiB: number; runtimeSeconds: number; direct: boolean }): string[] {
  const common = [
    '--output-format=json', `--directory=${o.dir}`, '--filename=fio-sc10.dat', `--size=${o.fileMiB}M`,
    `--runtime=${o.runtimeSeconds}`, '--time_based', '--ioengine=libaio', '--iodepth=16', `--direct=${o.direct ? 1 : 0}`,
    '--percentile_list=50:99', '--randrepeat=0', '--norandommap',
  ]
  // Buffered writes are flushed before a job ends, so the figures include getting them to the volume.
  const flush = o.direct ? [] : ['--end_fsync=1']
  const job = (name: FioJob, rw: string, bs: string, extra: string[] = []) => [`--name=${name}`, `--rw=${rw}`, `--bs=${bs}`, '--stonewall', ...extra]
  return ['fio', ...common,
    ...job('seqwrite', 'write', '1M', flush), ...job('seqread', 'read', '1M'),
    ...job('randread', 'randread', '4k'), ...job('randwrite', 'randwrite', '4k', flush)]
}

// Does the filesystem at `dir` take O_DIRECT? A 4 KiB direct write with fio itself.
export const directIoCheckCommand = (dir: string) =>
  ['fio', '--output-format=json', `--directory=${dir}`, '--filename=fio-sc10-direct.dat', '--size=4k', '--bs=4k', '--rw=write', '--direct=1', '--ioengine=psync', '--name=direct-check']

interface FioJobJson {
  jobname: string
  error: number
  read: FioSideJson
  write: FioSideJson
}
interface FioSideJson {
  io_bytes: number
  bw_bytes: number
  iops: number
  total_ios?: number
  clat_ns?: { percentile?: Record<string, number>; mean?: number }
}
interface FioJson {
  'fio version'?: string
  jobs?: FioJobJson[]
}

export class FioError extends Error {
  override name = 'FioError'
}

// The JSON fio printed (anything before the first "{" — a warning — is left out).
export function parseFioOutput(stdout: string): FioJson {
  const start = stdout.indexOf('{')
  if (start < 0) throw new FioError(`fio printed no JSON: ${JSON.stringify(stdout.slice(0, 300))}`)
  try {
    return JSON.parse(stdout.slice(start)) as FioJson
  } catch (err) {
    throw new FioError(`fio's output is not JSON (${(err as Error).message}): ${JSON.stringify(stdout.slice(start, start + 300))}`)
  }
}

const percentile = (side: FioSideJson, p: string) => {
  const entries = Object.entries(side.clat_ns?.percentile ?? {})
  const hit = entries.find(([k]) => Number(k) === Number(p))
  return hit ? Math.round(hit[1] / 100) / 10 : Number.NaN // ns → µs, one decimal
}

// The figures of the four jobs; throws FioError on a job that reported an I/O error or did no I/O.
export function ioFiguresOf(json: FioJson, o: { direct: boolean; directIoRefused?: string; fileMiB: number; claimSize: string; runtimeSeconds: number }): IoFigures {
  const jobs = new Map((json.jobs ?? []).map((j) => [j.jobname, j]))
  const side = (name: FioJob, rw: 'read' | 'write'): FioSideJson => {
    const j = jobs.get(name)
    if (!j) throw new FioError(`fio reported no job ${name} (jobs: ${[...jobs.keys()].join(', ') || 'none'})`)
    if (j.error) throw new FioError(`fio job ${name} ended with I/O error ${j.error}`)
    if (!(j[rw].io_bytes > 0)) throw new FioError(`fio job ${name} did no ${rw}s`)
    return j[rw]
  }
  const mibps = (s: FioSideJson) => Math.round((s.bw_bytes / 2 ** 20) * 10) / 10
  const rr = side('randread', 'read')
  const rw = side('randwrite', 'write')
  return {
    seqWriteMiBps: mibps(side('seqwrite', 'write')),
    seqReadMiBps: mibps(side('seqread', 'read')),
    randReadIops: Math.round(rr.iops),
    randWriteIops: Math.round(rw.iops),
    randReadLatencyUs: { p50: percentile(rr, '50'), p99: percentile(rr, '99') },
    randWriteLatencyUs: { p50: percentile(rw, '50'), p99: percentile(rw, '99') },
    directIo: o.direct,
    ...(o.directIoRefused ? { directIoRefused: o.directIoRefused } : {}),
    fileSize: `${o.fileMiB}Mi`,
    claimSize: o.claimSize,
    runtimeSeconds: o.runtimeSeconds,
    ...(json['fio version'] ? { fioVersion: json['fio version'] } : {}),
  }
}

// The thresholds the figures fall below, one line each (empty: none).
export function belowThresholds(f: IoFigures, min: IoOptions['min']): string[] {
  const unit = { seqWriteMiBps: 'MiB/s', seqReadMiBps: 'MiB/s', randReadIops: 'IOPS', randWriteIops: 'IOPS' } as const
  const envOf = Object.fromEntries(Object.entries(minVars).map(([k, v]) => [v, k])) as Record<keyof typeof unit, string>
  return (Object.keys(unit) as (keyof typeof unit)[]).filter((k) => min[k] !== undefined && f[k] < min[k]!)
    .map((k) => `${k} ${f[k]} ${unit[k]} is below ${envOf[k]}=${min[k]}`)
}

// "seq write 812 MiB/s, seq read 1650 MiB/s, 4k randread 41000 IOPS (p50 310µs, p99 900µs), …"
export function describeIo(f: IoFigures): string {
  const lat = (l: { p50: number; p99: number }) => `p50 ${l.p50}µs, p99 ${l.p99}µs`
  return `seq write ${f.seqWriteMiBps} MiB/s, seq read ${f.seqReadMiBps} MiB/s, 4k randread ${f.randReadIops} IOPS (${lat(f.randReadLatencyUs)}), `
    + `4k randwrite ${f.randWriteIops} IOPS (${lat(f.randWriteLatencyUs)}); ${f.directIo ? 'direct I/O' : 'buffered I/O (no O_DIRECT here)'}, ${f.fileSize} file on a ${f.claimSize} claim`
}

// Runs the direct-I/O check and then the four jobs in the pod; the run's figures.
// fio runs in the background in the pod and is polled (a run outlasts one exec's deadline).
export async function runFio(kube: Kube, ns: string, pod: string, o: { dir: string; claimBytes: number; claimSize: string; runtimeSeconds: number }): Promise<IoFigures> {
  const check = await execIn(kube, ns, pod, directIoCheckCommand(o.dir))
  const direct = check.exitCode === 0
  const directIoRefused = direct ? undefined : (check.stderr || check.stdout).trim().split('\n').filter(Boolean).slice(-2).join(' ') || `fio exited with ${check.exitCode}`
  const fileMiB = fioFileMiB(o.claimBytes)
  const fio = fioCommand({ dir: o.dir, fileMiB, runtimeSeconds: o.runtimeSeconds, direct }).join(' ')
  await execOk(kube, ns, pod, ['sh', '-c', `rm -f /tmp/fio.rc; (${fio} >/tmp/fio.json 2>/tmp/fio.err; echo $? >/tmp/fio.rc) >/dev/null 2>&1 &`])
  // Four jobs of runtimeSeconds, plus laying out the file (at most 1 GiB) and flushing: bounded generously.
  const limitMs = (4 * o.runtimeSeconds + 120) * 1000 * timeoutScale()
  const started = Date.now()
  progress(`fio runs in ${ns}/${pod}: 4 jobs of ${o.runtimeSeconds}s on a ${fileMiB}Mi file, ${direct ? 'direct' : 'buffered'} I/O (up to ${limitMs / 1000}s)`)
  for (;;) {
    const rc = await execIn(kube, ns, pod, ['cat', '/tmp/fio.rc'])
    if (rc.exitCode === 0 && rc.stdout.trim() !== '') {
      const code = Number(rc.stdout.trim())
      if (code !== 0) throw new FioError(`fio exited with ${code} in ${ns}/${pod}: ${(await execIn(kube, ns, pod, ['cat', '/tmp/fio.err'])).stdout.trim().split('\n').slice(-5).join(' | ')}`)
      const out = await execOk(kube, ns, pod, ['cat', '/tmp/fio.json'])
      return ioFiguresOf(parseFioOutput(out), { direct, ...(directIoRefused ? { directIoRefused } : {}), fileMiB, claimSize: o.claimSize, runtimeSeconds: o.runtimeSeconds })
    }
    if (Date.now() - started > limitMs) throw new FioError(`fio did not finish within ${limitMs / 1000}s in ${ns}/${pod}`)
    await pollPause(2_000) // poll interval of a deadline-bounded poll
  }
}
