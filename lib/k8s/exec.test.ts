import * as k8s from '@kubernetes/client-node'
import type { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { ExecNotStarted, execIn, isExecNotStartedTransient, lastLine, notStartedRetries } from './exec.ts'
import type { Kube } from './kube.ts'

test('an exec the kubelet could not take (restarting) is retried: the command never ran', () => {
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: Unexpected server response: 500'))).toBe(true)
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: error dialing backend: dial tcp 10.250.0.3:10250: connect: connection refused'))).toBe(true)
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe(true)
})

test('an exec refused for a reason that lasts, or one that broke after it started, is not', () => {
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: Unexpected server response: 403'))).toBe(false)
  expect(isExecNotStartedTransient(new Error('exec in q/p: `cat /data/x`: the connection closed without an exit status'))).toBe(false)
})

// A fake exec stream: prints `lines` one every `everyMs`, then sends the status frame (unless `hang`).
function fakeExec(lines: string[], everyMs: number, o: { hang?: boolean } = {}) {
  return vi.spyOn(k8s.Exec.prototype, 'exec').mockImplementation(async (_ns, _pod, _c, _cmd, stdout, _stderr, _stdin, _tty, done) => {
    for (const [i, line] of lines.entries()) setTimeout(() => (stdout as Writable).write(`${line}\n`), (i + 1) * everyMs)
    if (!o.hang) setTimeout(() => done?.({ status: 'Success' }), (lines.length + 1) * everyMs)
    return { close: () => undefined } as unknown as Awaited<ReturnType<k8s.Exec['exec']>>
  })
}
const kube = { kc: {} } as Kube

describe('an exec deadline that follows output', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  test('a command that prints a line every 20 s runs past the 30 s idle limit to its end (a fixed 30 s deadline cut it off)', async () => {
    fakeExec(Array.from({ length: 8 }, (_, i) => `visit ${i}: HTTP/1.1 200 OK`), 20_000)
    const result = execIn(kube, 'q', 'client', ['sh', '-c', 'visits'], 'client')
    await vi.advanceTimersByTimeAsync(200_000)
    await expect(result).resolves.toMatchObject({ exitCode: 0, stdout: expect.stringContaining('visit 7: HTTP/1.1 200 OK') })
  })

  test('a command silent for the idle limit is ended, naming its last output and how long ago it came', async () => {
    fakeExec(['HTTP/1.1 200 OK'], 5_000, { hang: true })
    const result = execIn(kube, 'q', 'client', ['sh', '-c', 'visit'], 'client')
    const failed = expect(result).rejects.toThrow(/`sh -c visit` did not finish: no output for 30s \(the limit is 30s without output\); last output 30s ago: HTTP\/1\.1 200 OK/)
    await vi.advanceTimersByTimeAsync(35_000)
    await failed
  })

  test('a caller-given idle limit and cap bound a command that is silent for long, or never ends', async () => {
    fakeExec([], 1_000, { hang: true })
    const silent = execIn(kube, 'q', 'user', ['sync'], { container: 'user', idleMs: 90_000 })
    const failed = expect(silent).rejects.toThrow(/no output for 90s/)
    await vi.advanceTimersByTimeAsync(60_000)
    await vi.advanceTimersByTimeAsync(30_000)
    await failed
    vi.restoreAllMocks()
    fakeExec(Array.from({ length: 100 }, (_, i) => `${i} MiB`), 5_000, { hang: true })
    const endless = execIn(kube, 'q', 'user', ['dd'], { container: 'user', idleMs: 30_000, maxMs: 120_000 })
    const capped = expect(endless).rejects.toThrow(/still not done after 120s, its cap \(120s\), though never idle that long; last output 0s ago: 23 MiB/)
    await vi.advanceTimersByTimeAsync(125_000)
    await capped
  })
})

test('the last line of a chunk of output names the last progress', () => {
  expect(lastLine('a\nHTTP/1.1 200 OK\r\n\n')).toBe('HTTP/1.1 200 OK')
  expect(lastLine('\n  \n')).toBeUndefined()
  expect(lastLine('x'.repeat(300))).toHaveLength(201)
})

test('the retries of an exec that did not start stretch with the timeout scale (a kubelet restarts slower on a slow node)', () => {
  expect(notStartedRetries(1)).toMatchObject({ retries: 8, minTimeout: 500, maxTimeout: 8_000 })
  expect(notStartedRetries(3)).toMatchObject({ retries: 8, minTimeout: 1_500, maxTimeout: 24_000 })
})
