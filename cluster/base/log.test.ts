import { expect, test } from 'vitest'
import { formatDuration } from './log.ts'

test('formatDuration: milliseconds under a second, tenths of seconds under a minute, then minutes and two-digit seconds', () => {
  expect(formatDuration(0)).toBe('0ms')
  expect(formatDuration(999)).toBe('999ms')
  expect(formatDuration(1_000)).toBe('1.0s')
  expect(formatDuration(59_940)).toBe('59.9s')
  expect(formatDuration(60_000)).toBe('1m00s')
  expect(formatDuration(185_400)).toBe('3m05s')
})

test('formatDuration never writes 60 seconds: 59.96 s is 1m00s, 119.7 s is 2m00s', () => {
  expect(formatDuration(59_960)).toBe('1m00s')
  expect(formatDuration(119_700)).toBe('2m00s')
  expect(formatDuration(3_599_600)).toBe('60m00s')
})
