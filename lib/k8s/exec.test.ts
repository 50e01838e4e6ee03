import { expect, test } from 'vitest'
import { ExecNotStarted, isExecNotStartedTransient } from './exec.ts'

test('an exec the kubelet could not take (restarting) is retried: the command never ran', () => {
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: Unexpected server response: 500'))).toBe(true)
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: error dialing backend: dial tcp 10.250.0.3:10250: connect: connection refused'))).toBe(true)
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe(true)
})

test('an exec refused for a reason that lasts, or one that broke after it started, is not', () => {
  expect(isExecNotStartedTransient(new ExecNotStarted('exec in q/p: Unexpected server response: 403'))).toBe(false)
  expect(isExecNotStartedTransient(new Error('exec in q/p: `cat /data/x`: the connection closed without an exit status'))).toBe(false)
})
