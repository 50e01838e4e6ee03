import { expect, test } from 'vitest'
import { isSuiteNamespaceName, namespaceName } from './namespaces.ts'

test('the suite knows its namespace names after they are gone, and only those', () => {
  expect(isSuiteNamespaceName(namespaceName('Q1-16 a static volume binds [standard]'))).toBe(true)
  expect(isSuiteNamespaceName(namespaceName('SC-05 the reclaim policy is honoured'))).toBe(true)
  expect(isSuiteNamespaceName('default')).toBe(false)
  expect(isSuiteNamespaceName('sc-prod-db')).toBe(false)
  expect(isSuiteNamespaceName('kube-system')).toBe(false)
})
