import { describe, expect, test } from 'vitest'
import { buildClaimsReport, claimEntry, claimIdOf, describeFailedStep, type FinishedTest, formatClaimsTable } from './claims.ts'

const base = (o: Partial<FinishedTest>): FinishedTest => ({ name: 'Q0-01 a claim', state: 'passed', durationMs: 1234.4, meta: { claim: 'Q0-01' }, ...o })
const run = { startedAt: '2026-01-01T00:00:00Z', cluster: { server: 'https://x', context: 'kind', version: 'v1.36.3', nodes: 1, schedulableNodes: 1, embedded: false } }

describe('claims report', () => {
  test('one entry per claim and storage class, sorted by ID then class', () => {
    const r = buildClaimsReport([
      base({ name: 'Q0-10 update [standard]', meta: { claim: 'Q0-10', storageClass: 'standard' } }),
      base({ name: 'Q0-9 x', meta: { claim: 'Q0-9' } }),
      base({ name: 'Q0-10 update [fast]', meta: { claim: 'Q0-10', storageClass: 'fast' } }),
      base({ name: 'SMOKE not a claim', meta: {} }),
    ], run, '2026-01-01T00:01:00Z')
    expect(r.claims.map((c) => [c.id, c.storageClass])).toEqual([['Q0-9', null], ['Q0-10', 'fast'], ['Q0-10', 'standard']])
    expect(r.run).toMatchObject({ startedAt: run.startedAt, finishedAt: '2026-01-01T00:01:00Z', cluster: { server: 'https://x', version: 'v1.36.3', nodes: 1 } })
    expect(r.summary).toEqual({ passed: 3, partial: 0, failed: 0, broken: 0, skipped: 0, waived: 0 })
  })

  test('the suite\'s version global setup found goes into the run, and a run without one has none', () => {
    expect(buildClaimsReport([base({})], { ...run, suiteVersion: '0.1.0 (git d05edf5)' }, 'x').run.suiteVersion).toBe('0.1.0 (git d05edf5)')
    expect(buildClaimsReport([base({})], run, 'x').run).not.toHaveProperty('suiteVersion')
    expect(buildClaimsReport([base({})], { ...run, runId: 'mitx0k2a-3f9c' }, 'x').run.runId).toBe('mitx0k2a-3f9c')
    expect(buildClaimsReport([base({})], run, 'x').run).not.toHaveProperty('runId')
  })

  test('a claim\'s duration runs from its slot at the run\'s gate: the wait for one is reported beside it, not in it', () => {
    expect(claimEntry(base({ durationMs: 200_400, meta: { claim: 'Q0-01', slotWaitMs: 150_000 } }))).toMatchObject({ durationMs: 50_400, slotWaitMs: 150_000 })
    expect(claimEntry(base({ meta: { claim: 'Q0-01', slotWaitMs: 20 } }))).toEqual(expect.not.objectContaining({ slotWaitMs: expect.anything() }))
  })

  const inThen = { keyword: 'Then', title: 'the order held' }
  test('a failed claim carries the first line of each error as its reason, and the step that threw', () => {
    const e = claimEntry(base({ state: 'failed', errors: ['expected 1 to be 0\n  at stack', 'second'], meta: { claim: 'Q0-01', failedStep: inThen } }))
    expect(e).toMatchObject({ status: 'failed', reason: 'expected 1 to be 0 | second', durationMs: 1234, failedStep: inThen })
  })

  test('a failing claim keeps each error message whole: a hint naming a component may come on a later line', () => {
    const dns = 'timed out waiting for web-0.web to resolve\nno DNS server answered the pod: is the cluster DNS (CoreDNS) running?'
    const e = claimEntry(base({ state: 'failed', errors: [dns], meta: { claim: 'Q0-08', failedStep: { keyword: 'Given', title: 'g' } } }))
    expect(e).toMatchObject({ status: 'broken', reason: 'timed out waiting for web-0.web to resolve', messages: [dns] })
    expect(claimEntry(base({ state: 'passed', meta: { claim: 'Q0-08' } }))).not.toHaveProperty('messages')
  })

  test('a claim that failed in a Given or When step, or outside its steps, is broken, not failed: it never got to look', () => {
    const given = claimEntry(base({ state: 'failed', errors: ['gave up waiting for pod q/web-0 to be Ready: is the StatefulSet controller running?'], meta: { claim: 'Q0-01', failedStep: { keyword: 'Given', title: 'the pods' } } }))
    expect(given).toMatchObject({ status: 'broken', reason: expect.stringMatching(/^gave up waiting/), failedStep: { keyword: 'Given', title: 'the pods' } })
    expect(claimEntry(base({ state: 'failed', errors: ['x'], meta: { claim: 'Q0-01', failedStep: { keyword: 'When', title: 'w' } } }))?.status).toBe('broken')
    expect(claimEntry(base({ state: 'failed', errors: ['clean-up after the test failed'] }))).toMatchObject({ status: 'broken' })
    expect(claimEntry(base({ state: 'failed', errors: ['clean-up after the test failed'] }))).not.toHaveProperty('failedStep')
    expect(claimEntry(base({ state: 'failed', errors: ['x'], meta: { claim: 'Q0-01', failedStep: { keyword: 'And', title: 'a' } } }))?.status).toBe('failed')
    // A Then step the cluster kept from looking (a NetworkPolicy denies the suite's own lookup) saw no violation.
    const kept = claimEntry(base({ state: 'failed', errors: ['gave up at once'], meta: { claim: 'Q2-09', failedStep: { keyword: 'Then', title: 'demo-0 resolves', couldNotLook: true } } }))
    expect(kept).toMatchObject({ status: 'broken', failedStep: { keyword: 'Then', title: 'demo-0 resolves', couldNotLook: true } })
    expect(describeFailedStep(kept!)).toBe('in Then "demo-0 resolves", which the cluster kept from looking')
  })

  test('a skipped claim carries its reason; a skip without one says it is a bug', () => {
    expect(claimEntry(base({ state: 'skipped', meta: { claim: 'Q1-05', reason: 'one schedulable node' } }))?.reason).toBe('one schedulable node')
    expect(claimEntry(base({ state: 'skipped', skipNote: 'from ctx.skip' }))?.reason).toBe('from ctx.skip')
    expect(claimEntry(base({ state: 'skipped' }))?.reason).toMatch(/without a reason/)
  })

  test('the printed table ends with the totals line', () => {
    const r = buildClaimsReport([base({}), base({ name: 'Q0-02 y', state: 'failed', errors: ['boom'], meta: { claim: 'Q0-02', failedStep: inThen } })], run, 'x')
    expect(formatClaimsTable(r).split('\n').at(-1)).toBe('claims: 1 passed, 0 partial, 1 failed, 0 broken, 0 skipped')
  })

  test('a claim with a part not checked here is partial, never passed, naming the part; a failure stays a failure', () => {
    const partial = base({ name: 'Q1-05 moves [standard]', meta: { claim: 'Q1-05', storageClass: 'standard', unchecked: ['the second half: one schedulable node'] } })
    expect(claimEntry(partial)).toMatchObject({ status: 'partial', unchecked: ['the second half: one schedulable node'], reason: 'not checked on this cluster: the second half: one schedulable node' })
    expect(claimEntry({ ...partial, state: 'failed', errors: ['boom'], meta: { ...partial.meta, failedStep: inThen } })).toMatchObject({ status: 'failed', reason: 'boom' })
    const r = buildClaimsReport([partial, base({})], run, 'x')
    expect(r.summary).toMatchObject({ passed: 1, partial: 1 })
    const table = formatClaimsTable(r).split('\n')
    expect(table.find((l) => l.includes('Q1-05'))).toMatch(/◐ Q1-05 +standard +partial .*not checked on this cluster: the second half/)
    expect(table.at(-1)).toBe('claims: 1 passed, 1 partial, 0 failed, 0 broken, 0 skipped')
  })

  test('a claim\'s measurements go into its entry and its table line; entries without them have none', () => {
    const measured = base({ name: 'SC-06 timings [standard]', meta: { claim: 'SC-06', storageClass: 'standard', measurements: { timeToBoundMs: 1234, timeToFirstWriteMs: 3456 } } })
    expect(claimEntry(measured)).toMatchObject({ id: 'SC-06', storageClass: 'standard', measurements: { timeToBoundMs: 1234, timeToFirstWriteMs: 3456 } })
    expect(claimEntry(base({}))).not.toHaveProperty('measurements')
    const table = formatClaimsTable(buildClaimsReport([measured], run, 'x'))
    expect(table).toContain('bound in 1.2s, first write after 3.5s')
  })

  test('a waived claim is reported failed with what was observed and why it is waived; one that held says to remove the waiver', () => {
    const waived = claimEntry(base({ state: 'passed', meta: { claim: 'Q3-05', failedStep: inThen, waived: { why: 'CoreDNS answers', failure: 'expected NXDOMAIN' } } }))
    expect(waived).toMatchObject({ status: 'failed', reason: 'expected NXDOMAIN', waived: 'CoreDNS answers' })
    const held = claimEntry(base({ state: 'failed', errors: ['Expect test to fail'], meta: { claim: 'Q3-05', waiverUnneeded: 'CoreDNS answers' } }))
    expect(held).toMatchObject({ status: 'passed', notes: ['holds although waived (CoreDNS answers): remove the waiver'] })
    const r = buildClaimsReport([base({ state: 'passed', meta: { claim: 'Q3-05', failedStep: inThen, waived: { why: 'w', failure: 'f' } } })], run, 'x')
    expect(r.summary).toMatchObject({ failed: 1, waived: 1 })
    expect(formatClaimsTable(r).split('\n').at(-1)).toBe('claims: 0 passed, 0 partial, 1 failed, 0 broken (1 waived), 0 skipped')
  })
})

test('a claim ID read from a test name finds the claim (the reporter does so for a spec test that failed in a fixture)', () => {
  expect(claimIdOf('Q1-04 a file survives [standard]')).toBe('Q1-04')
  expect(claimIdOf('SC-11 needs two nodes')).toBe('SC-11')
  expect(claimIdOf('DR-04 a control-plane restart')).toBe('DR-04')
  expect(claimIdOf('parses a quantity')).toBeUndefined()
})
