import { describe, expect, test } from 'vitest'
import type { ClaimEntry } from './claims.ts'
import { checkJunit, claimTestName, expectedOutcome, parseJunitTestcases } from './junit-check.ts'

// As vitest 5's JUnit reporter wrote it for a spec file (failure text shortened).
const junitXml = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="4" failures="1" errors="0" time="0.014">
    <testsuite name="specs/000.spec.ts" timestamp="2026-11-30T03:12:00.560Z" hostname="vm" tests="4" failures="1" errors="0" skipped="1" time="0.014">
        <testcase classname="specs/000.spec.ts" name="Q0 podinfo &gt; Q0-09 each pod gets its own claim &lt;template&gt;-&lt;pod&gt; &amp; &quot;volume&quot; [standard]" time="0.003">
        </testcase>
        <testcase classname="specs/000.spec.ts" name="Q0 podinfo &gt; Q0-10 changing the image replaces podinfo-1 first" time="0.007">
            <failure message="expected 1 to be 2" type="AssertionError">
AssertionError: expected &lt;testcase&gt; 1 to be 2
            </failure>
        </testcase>
        <testcase classname="specs/000.spec.ts" name="Q0 podinfo &gt; Q1-05 the recreated pod runs on another node" time="0.0002">
            <skipped/>
        </testcase>
        <testcase classname="specs/000.spec.ts" name="SC-02 on each storage class &gt; SC-02 32 MiB read back byte-exact [fast]" time="0.0001">
        </testcase>
        <testcase classname="specs/001.spec.ts" name="Q1 &gt; Q1-06 a second pod mounts the claim [fast]" time="0.0001">
            <properties>
                <property name="partial" value="ReadWriteOncePod: the class&apos;s provisioner did not say">
                </property>
            </properties>
        </testcase>
    </testsuite>
</testsuites>
`

const entry = (o: Partial<ClaimEntry> & Pick<ClaimEntry, 'id' | 'title'>): ClaimEntry => ({ status: 'passed', storageClass: null, durationMs: 1, ...o })
const claims = [
  entry({ id: 'Q0-09', title: 'each pod gets its own claim <template>-<pod> & "volume"', storageClass: 'standard' }),
  entry({ id: 'Q0-10', title: 'changing the image replaces podinfo-1 first', status: 'failed', reason: 'expected 1 to be 2' }),
  entry({ id: 'Q1-05', title: 'the recreated pod runs on another node', status: 'skipped', reason: 'one schedulable node' }),
  entry({ id: 'SC-02', title: '32 MiB read back byte-exact', storageClass: 'fast' }),
  entry({ id: 'Q1-06', title: 'a second pod mounts the claim', storageClass: 'fast', status: 'partial', unchecked: ['ReadWriteOncePod'] }),
]
const claimsJson = (list: ClaimEntry[]) => JSON.stringify({ run: {}, claims: list })
const check = (xml: string | undefined, list: ClaimEntry[] | string | undefined = claims) =>
  checkJunit({ dir: 'reports', junitXml: xml, claimsJson: typeof list === 'object' ? claimsJson(list) : list })

describe('junit.xml against claims.json', () => {
  test('reads each testcase\'s full name and outcome as vitest writes them', () => {
    expect(parseJunitTestcases(junitXml)).toEqual([
      { name: 'Q0 podinfo > Q0-09 each pod gets its own claim <template>-<pod> & "volume" [standard]', outcome: 'passed' },
      { name: 'Q0 podinfo > Q0-10 changing the image replaces podinfo-1 first', outcome: 'failed' },
      { name: 'Q0 podinfo > Q1-05 the recreated pod runs on another node', outcome: 'skipped' },
      { name: 'SC-02 on each storage class > SC-02 32 MiB read back byte-exact [fast]', outcome: 'passed' },
      { name: 'Q1 > Q1-06 a second pod mounts the claim [fast]', outcome: 'partial' },
    ])
    expect(parseJunitTestcases('<testcase classname="x" name="Q0-01 a &#x3C;b&#62;"/>')).toEqual([{ name: 'Q0-01 a <b>', outcome: 'passed' }])
  })

  test('a claims.json entry names its test: ID, title, and the storage class in brackets', () => {
    expect(claimTestName(claims[0]!)).toBe('Q0-09 each pod gets its own claim <template>-<pod> & "volume" [standard]')
    expect(claimTestName(claims[1]!)).toBe('Q0-10 changing the image replaces podinfo-1 first')
  })

  test('passes when every claim test is listed once with its outcome, and counts them', () => {
    expect(check(junitXml)).toEqual({
      ok: true,
      message: 'reports/junit.xml lists all 5 claim tests of reports/claims.json with their outcomes (2 passed, 1 partial, 1 failed, 0 broken, 1 skipped)',
    })
  })

  test('junit.xml missing after a run that includes specs (issue 17) fails, in one line', () => {
    const result = check(undefined)
    expect(result).toEqual({ ok: false, message: expect.stringContaining('reports/junit.xml is missing') })
    expect(result.message).not.toContain('\n')
  })

  test('an empty junit.xml (the run ended before the reporter wrote it) fails', () => {
    expect(check('')).toMatchObject({ ok: false, message: expect.stringContaining('lists no testcase') })
  })

  test('a claim test not listed, or listed with another outcome, fails naming it', () => {
    const withoutSc02 = junitXml.replace(/<testcase[^>]*SC-02[\s\S]*?<\/testcase>/, '')
    expect(check(withoutSc02)).toMatchObject({ ok: false, message: expect.stringContaining('1 of 5 claim tests: "SC-02 32 MiB read back byte-exact [fast]" is not listed') })
    const q010Passed = junitXml.replace(/<failure[\s\S]*?<\/failure>/, '')
    expect(check(q010Passed)).toMatchObject({ ok: false, message: expect.stringContaining('"Q0-10 changing the image replaces podinfo-1 first" is passed, but failed in claims.json') })
    const otherClass = claims.map((c) => c.id === 'SC-02' ? { ...c, storageClass: 'standard' } : c)
    expect(check(junitXml, otherClass)).toMatchObject({ ok: false, message: expect.stringContaining('[standard]" is not listed') })
  })

  test('a claim test listed twice fails', () => {
    const twice = junitXml.replace('</testsuite>', `${/<testcase[^>]*SC-02[\s\S]*?<\/testcase>/.exec(junitXml)![0]}\n</testsuite>`)
    expect(check(twice)).toMatchObject({ ok: false, message: expect.stringContaining('is listed 2 times') })
  })

  test('a long list of problems stays one line, the first three named', () => {
    const result = check('<testcase name="SMOKE pods run"></testcase>')
    expect(result.message).toMatch(/for 5 of 5 claim tests: .*; and 2 more$/)
    expect(result.message).not.toContain('\n')
  })

  test('a waiver flips vitest\'s verdict: a waived failure is passed in junit.xml, a claim that held although waived is failed', () => {
    expect(expectedOutcome({ status: 'failed', waived: 'known' })).toBe('passed')
    expect(expectedOutcome({ status: 'passed', notes: ['holds although waived (known): remove the waiver'] })).toBe('failed')
    expect(expectedOutcome({ status: 'passed', notes: ['not checked: one node'] })).toBe('passed')
    const waived = claims.map((c) => c.id === 'Q0-10' ? { ...c, waived: 'known' } : c)
    expect(check(junitXml, waived)).toMatchObject({ ok: false, message: expect.stringContaining('is failed, but failed (waived) in claims.json') })
  })

  test('a partial claim is a passed testcase with the property partial; a plain pass where claims.json says partial fails', () => {
    expect(expectedOutcome({ status: 'partial' })).toBe('partial')
    const partialWhereJunitPassed = claims.map((c) => c.id === 'SC-02' ? { ...c, status: 'partial' as const } : c)
    expect(check(junitXml, partialWhereJunitPassed)).toMatchObject({ ok: false, message: expect.stringContaining('is passed, but partial in claims.json') })
  })

  test('a status the check does not know fails rather than passing unchecked', () => {
    const odd = claims.map((c) => c.id === 'Q1-05' ? { ...c, status: 'pending' as ClaimEntry['status'] } : c)
    expect(check(junitXml, odd)).toMatchObject({ ok: false, message: expect.stringContaining('is pending in claims.json, a status this check does not know') })
  })

  test('without claims.json, or with no claims in it, there is nothing to check against: it fails', () => {
    expect(checkJunit({ dir: 'reports', junitXml, claimsJson: undefined })).toMatchObject({ ok: false, message: expect.stringContaining('reports/claims.json is missing') })
    expect(check(junitXml, [])).toMatchObject({ ok: false, message: expect.stringContaining('lists no claims') })
    expect(check(junitXml, '{')).toMatchObject({ ok: false, message: expect.stringContaining('is not JSON') })
  })
})
