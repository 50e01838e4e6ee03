import { expect, test } from 'vitest'
import { isTransient, statusCode } from './kube.ts'

test('an HTTP status is read from code or statusCode; a DOMException code is not one', () => {
  expect(statusCode({ code: 404 })).toBe(404)
  expect(statusCode({ statusCode: 410 })).toBe(410)
  expect(statusCode(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBeUndefined()
})

test('transient: throttling, server errors, broken connections and timeouts; not 403 or 404', () => {
  expect(isTransient({ code: 429 })).toBe(true)
  expect(isTransient({ code: 503 })).toBe(true)
  expect(isTransient(new Error('read ECONNRESET'))).toBe(true)
  expect(isTransient(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }) }))).toBe(true)
  expect(isTransient(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true)
  expect(isTransient({ code: 403, message: 'forbidden' })).toBe(false)
  expect(isTransient({ code: 404, message: 'not found' })).toBe(false)
})
