// What a rendered page (HTML or Markdown) must hold and must not, for the pages' unit tests in lib/report and
// scripts/ (not a test file itself): one assertion per fragment, each failing on its own.
import { expect, test } from 'vitest'

// The text holds every fragment of `present`, in any order, and none of `absent`.
export function expectFragments(text: string, present: readonly string[], absent: readonly string[] = []): void {
  expect(present.length + absent.length, 'fragments to look for').toBeGreaterThan(0)
  for (const fragment of present) expect(text).toContain(fragment)
  for (const fragment of absent) expect(text).not.toContain(fragment)
}

// A test that is only that: the page `render` returns holds every fragment of `present` and none of `absent`.
export function fragmentsTest(name: string, render: () => string, present: readonly string[], absent: readonly string[] = []): void {
  test(name, () => expectFragments(render(), present, absent))
}
