import { expect, test } from 'vitest'
import { within } from './teardown.ts'

// down removes what lies within the instance's folders: another instance's, named with the same prefix, is not.
test('within: the folder itself and what is inside it, never a sibling that shares its prefix', () => {
  expect(within('/run/stateful-conformance', '/run/stateful-conformance')).toBe(true)
  expect(within('/run/stateful-conformance/nodes/embedded-worker/containerd.sock', '/run/stateful-conformance')).toBe(true)
  expect(within('/run/stateful-conformance-lan', '/run/stateful-conformance')).toBe(false)
  expect(within('/run/stateful-conformance2/x', '/run/stateful-conformance')).toBe(false)
  expect(within('/run', '/run/stateful-conformance')).toBe(false)
})
