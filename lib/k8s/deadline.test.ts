import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { describeExpiry, type Expiry, progressDeadline } from './deadline.ts'

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

test('a step that keeps making progress outlives its idle limit (a fixed deadline would have ended it at 30s)', () => {
  const expired: Expiry[] = []
  const d = progressDeadline({ idleMs: 30_000, capMs: 300_000, onExpire: (e) => expired.push(e) })
  for (let i = 0; i < 9; i++) {
    vi.advanceTimersByTime(20_000)
    d.touch(`visit ${i}`)
  }
  expect(expired).toEqual([]) // 180 s in, never 30 s without progress
  d.stop()
})

test('silence for the idle limit ends it, saying what the last progress was and when', () => {
  const expired: Expiry[] = []
  const d = progressDeadline({ idleMs: 30_000, capMs: 300_000, onExpire: (e) => expired.push(e) })
  vi.advanceTimersByTime(10_000)
  d.touch('HTTP/1.1 200 OK')
  vi.advanceTimersByTime(29_999)
  expect(expired).toEqual([])
  vi.advanceTimersByTime(1)
  expect(expired).toEqual([{ kind: 'idle', idleMs: 30_000, capMs: 300_000, elapsedMs: 40_000, last: 'HTTP/1.1 200 OK', sinceLastMs: 30_000 }])
  expect(describeExpiry(expired[0]!, 'output')).toBe('no output for 30s (the limit is 30s without output); last output 30s ago: HTTP/1.1 200 OK')
})

test('the cap ends a step that keeps changing without arriving', () => {
  const expired: Expiry[] = []
  const d = progressDeadline({ idleMs: 30_000, capMs: 90_000, onExpire: (e) => expired.push(e) })
  for (let t = 0; t < 100_000 && !expired.length; t += 5_000) {
    vi.advanceTimersByTime(5_000)
    d.touch('Pending')
  }
  expect(expired).toHaveLength(1)
  expect(expired[0]).toMatchObject({ kind: 'cap', elapsedMs: 90_000 })
  expect(describeExpiry(expired[0]!)).toMatch(/^still not done after 90s, its cap \(90s\), though never idle that long; last progress 5s ago: Pending$/)
})

test('nothing expires once stopped; with no progress at all the message says so', () => {
  const onExpire = vi.fn()
  progressDeadline({ idleMs: 1_000, capMs: 10_000, onExpire }).stop()
  vi.advanceTimersByTime(60_000)
  expect(onExpire).not.toHaveBeenCalled()
  const expired: Expiry[] = []
  progressDeadline({ idleMs: 1_000, capMs: 10_000, onExpire: (e) => expired.push(e) })
  vi.advanceTimersByTime(1_000)
  expect(describeExpiry(expired[0]!, 'output')).toBe('no output for 1s (the limit is 1s without output); no output since the start')
})
