import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { belowThresholds, FioError, fioCommand, fioFileMiB, ioFiguresOf, parseFioOutput, parseIoOptions } from './fio.ts'

// Captured: fio 3.33 (Debian 12) running fioCommand({ fileMiB: 16, runtimeSeconds: 1, direct: true }) on ext4.
const sample = readFileSync(join(import.meta.dirname, 'testdata', 'fio-3.33-sc10.json'), 'utf8')
const run = { direct: true, fileMiB: 16, claimSize: '1Gi', runtimeSeconds: 1 }

describe('fio output', () => {
  test('gives throughput, IOPS and p50/p99 completion latency of the four jobs', () => {
    const f = ioFiguresOf(parseFioOutput(sample), run)
    expect(f).toEqual({
      seqWriteMiBps: 1161.9, seqReadMiBps: 1015.7, randReadIops: 26023, randWriteIops: 24009,
      randReadLatencyUs: { p50: 185.3, p99: 12779.5 }, randWriteLatencyUs: { p50: 181.2, p99: 5341.2 },
      directIo: true, fileSize: '16Mi', claimSize: '1Gi', runtimeSeconds: 1, fioVersion: 'fio-3.33',
    })
  })

  test('a warning before the JSON is left out; no JSON at all is an error', () => {
    expect(parseFioOutput(`fio: note: both iodepth >= 1 and synchronous I/O engine are selected\n${sample}`)['fio version']).toBe('fio-3.33')
    expect(() => parseFioOutput('fio: pid=12, err=5/file:io_u.c:1845, func=io_u error, error=Input/output error')).toThrow(FioError)
  })

  test('a job with an I/O error fails the run, naming the job and the error', () => {
    const json = parseFioOutput(sample)
    json.jobs!.find((j) => j.jobname === 'randwrite')!.error = 5
    expect(() => ioFiguresOf(json, run)).toThrow('fio job randwrite ended with I/O error 5')
  })

  test('a job that did no I/O, or is missing, fails the run', () => {
    const json = parseFioOutput(sample)
    json.jobs!.find((j) => j.jobname === 'seqread')!.read.io_bytes = 0
    expect(() => ioFiguresOf(json, run)).toThrow('fio job seqread did no reads')
    const fewer = parseFioOutput(sample)
    fewer.jobs = fewer.jobs!.filter((j) => j.jobname !== 'randread')
    expect(() => ioFiguresOf(fewer, run)).toThrow(/no job randread/)
  })
})

describe('fio options', () => {
  test('defaults: a 1Gi claim, 4 s per job (about 20 s a class), no thresholds', () => {
    expect(parseIoOptions({})).toEqual({ claimSize: '1Gi', runtimeSeconds: 4, min: {} })
  })

  test('thresholds and sizes from SC_IO_*; bad values say which variable', () => {
    expect(parseIoOptions({ SC_IO_CLAIM_SIZE: '20Gi', SC_IO_RUNTIME: '10', SC_IO_MIN_RANDREAD_IOPS: '3000', SC_IO_MIN_SEQ_WRITE_MIBPS: '100' }))
      .toEqual({ claimSize: '20Gi', runtimeSeconds: 10, min: { randReadIops: 3000, seqWriteMiBps: 100 } })
    expect(() => parseIoOptions({ SC_IO_CLAIM_SIZE: 'big' })).toThrow(/^SC_IO_CLAIM_SIZE=big/)
    expect(() => parseIoOptions({ SC_IO_CLAIM_SIZE: '1Mi' })).toThrow(/at least 64Mi/)
    expect(() => parseIoOptions({ SC_IO_RUNTIME: '0' })).toThrow(/^SC_IO_RUNTIME=0/)
    expect(() => parseIoOptions({ SC_IO_MIN_SEQ_READ_MIBPS: 'fast' })).toThrow(/^SC_IO_MIN_SEQ_READ_MIBPS=fast/)
  })

  test('a figure below its threshold is named with the variable; without thresholds nothing fails', () => {
    const f = ioFiguresOf(parseFioOutput(sample), run)
    expect(belowThresholds(f, {})).toEqual([])
    expect(belowThresholds(f, { randReadIops: 30000, seqReadMiBps: 100 })).toEqual(['randReadIops 26023 IOPS is below SC_IO_MIN_RANDREAD_IOPS=30000'])
  })
})

describe('the fio run', () => {
  test('the file is a quarter of the claim, between 16 MiB and 1 GiB', () => {
    expect(fioFileMiB(2 ** 30)).toBe(256)
    expect(fioFileMiB(100 * 2 ** 30)).toBe(1024)
    expect(fioFileMiB(32 * 2 ** 20)).toBe(16)
  })

  test('four jobs one after another, direct or buffered with fsync at the end of writes', () => {
    const direct = fioCommand({ dir: '/data', fileMiB: 256, runtimeSeconds: 4, direct: true })
    expect(direct.filter((a) => a.startsWith('--name='))).toEqual(['--name=seqwrite', '--name=seqread', '--name=randread', '--name=randwrite'])
    expect(direct.filter((a) => a === '--stonewall')).toHaveLength(4)
    expect(direct).toContain('--direct=1')
    expect(direct).not.toContain('--end_fsync=1')
    const buffered = fioCommand({ dir: '/data', fileMiB: 256, runtimeSeconds: 4, direct: false })
    expect(buffered).toContain('--direct=0')
    expect(buffered.filter((a) => a === '--end_fsync=1')).toHaveLength(2)
  })
})
