import { expect, test } from 'vitest'
import { transientBudgetMs } from './kube.ts'
import { maxWatchFailures, nextAfterWatchEnd } from './watch.ts'

const quiet = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
const reset = new Error('read ECONNRESET')

test('a watch the server closed cleanly, or that was quiet for 30s, resumes at once and forgets earlier failures', () => {
  expect(nextAfterWatchEnd({ err: null, expired: false, delivered: false, failures: 3 })).toEqual({ action: 'resume', failures: 0, delayMs: 0 })
  expect(nextAfterWatchEnd({ err: quiet, expired: false, delivered: false, failures: 2 })).toEqual({ action: 'resume', failures: 0, delayMs: 0 })
})

test('an expired resourceVersion (ERROR 410 event or a 410 answer) lists again', () => {
  expect(nextAfterWatchEnd({ err: null, expired: true, delivered: true, failures: 0 }).action).toBe('relist')
  expect(nextAfterWatchEnd({ err: { code: 410 }, expired: false, delivered: false, failures: 0 }).action).toBe('relist')
})

test('transient failures back off, growing, and end the watch after too many in a row', () => {
  expect(nextAfterWatchEnd({ err: reset, expired: false, delivered: false, failures: 0 })).toEqual({ action: 'resume', failures: 1, delayMs: 250 })
  expect(nextAfterWatchEnd({ err: reset, expired: false, delivered: false, failures: 2 })).toEqual({ action: 'resume', failures: 3, delayMs: 1000 })
  const last = nextAfterWatchEnd({ err: reset, expired: false, delivered: false, failures: maxWatchFailures })
  expect(last.action).toBe('fail')
  expect(last.action === 'fail' && last.message).toMatch(/failed 11 times in a row: .*ECONNRESET/)
})

test('a watch rides out an API outage at least as long as a request does (it gave up after 12 s of 28)', () => {
  let waited = 0
  let failures = 0
  for (;;) {
    const next = nextAfterWatchEnd({ err: reset, expired: false, delivered: false, failures })
    if (next.action !== 'resume') break
    waited += next.delayMs
    failures = next.failures
  }
  expect(waited).toBeGreaterThanOrEqual(transientBudgetMs)
})

test('a connection that delivered events before breaking starts the failure count again', () => {
  expect(nextAfterWatchEnd({ err: reset, expired: false, delivered: true, failures: 4 })).toEqual({ action: 'resume', failures: 1, delayMs: 250 })
})

test('a non-transient error (403, 404) ends the watch with its cause', () => {
  const end = nextAfterWatchEnd({ err: { code: 403, message: 'forbidden' }, expired: false, delivered: false, failures: 0 })
  expect(end.action).toBe('fail')
})
