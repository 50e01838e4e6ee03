// reports/junit.xml: vitest's JUnit report, in JUnit's own two words for a
// test that did not pass. vitest writes a <failure> for every failed test; a
// claim that never got to look at its property (claims.ts: broken) gets an
// <error> instead, and its suite's failures and errors counts say so. The
// file is rewritten once vitest has written and closed it.
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type JUnitOptions, JUnitReporter, type TestModule, type Vitest } from 'vitest/node'
import { claimEntry } from './claims.ts'
import { finishedTest } from './finished-test.ts'
import { unescapeXml } from './junit-check.ts'

// The testcases named in `broken` (as vitest names them: "<describe> > <test>") get <error> for
// <failure>; each testsuite's counts, and the root's, move with them.
export function markBroken(xml: string, broken: ReadonlySet<string>): string {
  let moved = 0
  const suites = xml.replace(/(<testsuite\b[^>]*>)([\s\S]*?)(<\/testsuite>)/g, (_whole, open: string, body: string, close: string) => {
    let inSuite = 0
    const cases = body.replace(/(<testcase\b([^>]*?)(?<!\/)>)([\s\S]*?)(<\/testcase>)/g, (whole, head: string, attributes: string, inner: string, end: string) => {
      const name = unescapeXml(/(?:^|\s)name="([^"]*)"/.exec(attributes)?.[1] ?? '')
      if (!broken.has(name) || !/<failure\b/.test(inner)) return whole
      inSuite++
      return head + inner.replace(/<failure\b/g, '<error').replace(/<\/failure>/g, '</error>') + end
    })
    moved += inSuite
    return shiftCounts(open, inSuite) + cases + close
  })
  return suites.replace(/<testsuites\b[^>]*>/, (open) => shiftCounts(open, moved))
}

function shiftCounts(tag: string, n: number): string {
  if (!n) return tag
  return tag.replace(/\bfailures="(\d+)"/, (_w, f: string) => `failures="${Number(f) - n}"`).replace(/\berrors="(\d+)"/, (_w, e: string) => `errors="${Number(e) + n}"`)
}

// The full names of the broken claim tests.
export function brokenTests(modules: ReadonlyArray<TestModule>): Set<string> {
  return new Set(modules.flatMap((m) => [...m.children.allTests()].filter((t) => claimEntry(finishedTest(t))?.status === 'broken').map((t) => t.fullName)))
}

export default class ClaimsJUnitReporter extends JUnitReporter {
  private readonly outputFile: string
  private root = process.cwd()

  constructor(options: JUnitOptions & { outputFile: string }) {
    super(options)
    this.outputFile = options.outputFile
  }

  override onInit(ctx: Vitest): Promise<void> {
    this.root = ctx.config.root
    return super.onInit(ctx)
  }

  override async onTestRunEnd(...args: Parameters<JUnitReporter['onTestRunEnd']>): Promise<void> {
    await super.onTestRunEnd(...args)
    const broken = brokenTests(args[0])
    if (!broken.size) return
    const file = resolve(this.root, this.outputFile)
    await writeFile(file, markBroken(await readFile(file, 'utf8'), broken))
  }
}
