// The five verdicts (passed, failed, broken, partial, skipped) through every
// report a run writes: claims.json, the console table and its closing line,
// summary.md, index.html and junit.xml (with check-junit's reading of it).
// lib/harness/testdata/five-verdicts.claims.ts runs, one claim per verdict, in a
// vitest of its own with the suite's claim wiring and reporters.
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, vi } from 'vitest'
import { startVitest } from 'vitest/node'
import { checkJunit, parseJunitTestcases } from './junit-check.ts'
import ClaimsJUnitReporter from './junit-reporter.ts'
import ClaimsReporter from './reporter.ts'

test('each of the five verdicts shows as itself in claims.json, the console, summary.md, index.html and junit.xml', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-verdicts-'))
  const printed: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')) })
  try {
    const vitest = await startVitest([], {
      config: false, root: join(import.meta.dirname, '..', 'harness', 'testdata'), include: ['five-verdicts.claims.ts'], watch: false, name: 'specs',
      reporters: [new ClaimsJUnitReporter({ outputFile: join(dir, 'junit.xml') }), new ClaimsReporter({ reportsDir: dir })],
    })
    await vitest.close()
  } finally {
    log.mockRestore()
  }
  const read = (file: string) => readFile(join(dir, file), 'utf8')

  const claims = JSON.parse(await read('claims.json'))
  expect(claims.claims.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual(['Q0-01 passed', 'Q0-02 failed', 'Q0-03 broken', 'Q0-04 partial', 'Q0-05 skipped'])
  expect(claims.claims[1]).toMatchObject({ failedStep: { keyword: 'Then', title: 'it comes back under the same name' }, reason: expect.stringMatching(/^the replacement of web-0: expected 'web-0-x7k2p' to be 'web-0'/) })
  expect(claims.claims[2]).toMatchObject({ failedStep: { keyword: 'Given', title: 'a ready StatefulSet' }, reason: expect.stringMatching(/is the StatefulSet controller \(kube-controller-manager\) running\?$/) })
  expect(claims.claims[3]).toMatchObject({ unchecked: ['on another node: one schedulable node'] })
  expect(claims.claims[4]).toMatchObject({ reason: 'needs 2 schedulable nodes, the cluster has 1' })
  expect(claims.summary).toEqual({ passed: 1, partial: 1, failed: 1, broken: 1, skipped: 1, waived: 0 })

  const table = printed.join('\n').split('\n')
  expect(table.find((l) => l.includes('Q0-02'))).toMatch(/✗ Q0-02 +failed .*in Then "it comes back under the same name": the replacement of web-0/)
  expect(table.find((l) => l.includes('Q0-03'))).toMatch(/⊘ Q0-03 +broken .*in Given "a ready StatefulSet": gave up waiting/)
  expect(table.find((l) => l.includes('Q0-04'))).toMatch(/◐ Q0-04 +partial .*not checked on this cluster: on another node/)
  expect(table).toContain('claims: 1 passed, 1 partial, 1 failed, 1 broken, 1 skipped')

  const md = await read('summary.md')
  expect(md.split('\n')[0]).toBe('## Stateful conformance: 1 passed, 1 partial, 1 failed, 1 broken, 1 skipped')
  for (const cell of ['✅ passed', '❌ failed', '⛔ broken', '🌓 partial', '⏭️ skipped']) expect(md).toContain(cell)
  expect(md).toMatch(/### Failed \(a Then step saw the property violated\)\n\n- \*\*Q0-02\*\* a claim whose property is violated \(in Then "it comes back under the same name"\): the replacement of web-0/)
  expect(md).toMatch(/### Broken \(the claim never got to look: a Given or When step never came true\)\n\n- \*\*Q0-03\*\* .*\(in Given "a ready StatefulSet"\): gave up waiting/)

  const html = await read('index.html')
  expect(html).toContain('<span class="passed">1 passed</span><span class="partial">1 partial</span><span class="failed">1 failed</span><span class="broken">1 broken</span><span class="skipped">1 skipped</span>')
  for (const status of ['passed', 'failed', 'broken', 'partial', 'skipped']) expect(html).toContain(`<td class="cell ${status}"`)
  expect(html).toMatch(/<span class="status broken">⊘ broken<\/span>.*in Given &quot;a ready StatefulSet&quot;: gave up waiting/)
  expect(html).toMatch(/<b>The claim never got to look \(in Given &quot;a ready StatefulSet&quot;\):<\/b>/)

  const junitXml = await read('junit.xml')
  expect(parseJunitTestcases(junitXml).map((t) => `${t.name.slice(0, 5)} ${t.outcome}`)).toEqual(['Q0-01 passed', 'Q0-02 failed', 'Q0-03 broken', 'Q0-04 partial', 'Q0-05 skipped'])
  expect(junitXml).toMatch(/<testsuite [^>]*failures="1" errors="1"/)
  expect(junitXml).toMatch(/<testsuites [^>]*failures="1" errors="1"/)
  expect(checkJunit({ dir, junitXml, claimsJson: JSON.stringify(claims) })).toMatchObject({ ok: true, message: expect.stringContaining('(1 passed, 1 partial, 1 failed, 1 broken, 1 skipped)') })
})
