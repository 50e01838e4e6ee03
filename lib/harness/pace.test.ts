import { expect, test } from 'vitest'
import { ordinaryPace, scaleFromPace } from './pace.ts'

test('a cluster as fast as an ordinary one keeps the default timeouts', () => {
  expect(scaleFromPace({ podStartMs: 3_000, execMs: 200, apiMs: 20 })).toMatchObject({ scale: 1, why: expect.stringContaining('no slower') })
})

test('the slowest of pod start, exec and API read stretches every timeout, in halves, named', () => {
  const r = scaleFromPace({ podStartMs: 2.2 * ordinaryPace.podStartMs, execMs: 200, apiMs: 20 })
  expect(r.scale).toBe(2.5)
  expect(r.why).toContain('pod start 2.2×')
  expect(scaleFromPace({ podStartMs: 3_000, execMs: 4 * ordinaryPace.execMs, apiMs: 20 }).why).toContain('exec round trip 4.0×')
})

test('never more than the most it stretches to', () => {
  expect(scaleFromPace({ podStartMs: 3_600_000, execMs: 200, apiMs: 20 }).scale).toBe(10)
})
