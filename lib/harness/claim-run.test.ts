// The second run on a gap, through vitest itself: testdata/rerun.claims.ts runs
// in a vitest of its own, wired as the specs are (claim-run.ts), and its
// results are read as the reporters read them.
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { RunnerTestCase } from 'vitest'
import { startVitest, type TestCase } from 'vitest/node'
import { recordClaimBound } from '../k8s/claim-context.ts'
import { claimEntry } from '../report/claims.ts'
import { finishedTest } from '../report/finished-test.ts'
import { runClaim } from './claim-run.ts'
import type { Waivers } from './waivers.ts'

async function runClaimsFile(file = 'rerun.claims.ts', testNamePattern?: string): Promise<Map<string, TestCase>> {
  const root = join(import.meta.dirname, 'testdata')
  const vitest = await startVitest([], { config: false, root, include: [file], watch: false, reporters: [], name: 'specs', ...(testNamePattern ? { testNamePattern } : {}) }, {}, { stdout: process.stdout, stderr: process.stderr })
  try {
    return new Map(vitest.state.getTestModules().flatMap((m) => [...m.children.allTests()]).map((t) => [t.name.slice(0, 5), t]))
  } finally {
    await vitest.close()
  }
}

test('a claim whose check met a gap runs again in a fresh run: a wrong order hidden in the gap fails it there; a gap on both runs is partial', { timeout: 60_000 }, async () => {
  const tests = await runClaimsFile()
  const verdict = (id: string) => {
    const t = tests.get(id)!
    const finished = finishedTest(t)
    return { runs: t.attempts().length, errors: finished.errors, ...claimEntry(finished) }
  }
  // The first run's watch missed the whole update; the second saw web-0 go first.
  expect(verdict('Q0-10')).toMatchObject({
    runs: 2, status: 'failed', failedStep: { keyword: 'Then', title: 'web-1 is replaced and Ready before web-0 terminates' },
    // Its fixtures were set up again: the second run's namespace is another.
    errors: [expect.stringMatching(/^namespace q0-10-2\n.*expected \[ 'web-0 terminating \(old\)'.* to deeply equal \[ 'web-1 terminating \(old\)'/s)],
    notes: [expect.stringMatching(/^ran a second time, in a fresh namespace: its first run met a gap in its recording \(pod watch of ns \(app=web\) has a gap/)],
  })
  expect(verdict('Q0-11')).toMatchObject({
    runs: 2, status: 'partial',
    unchecked: [expect.stringMatching(/^web-1 is replaced and Ready before web-0 terminates: pod watch of ns \(app=web\) has a gap: .*\(and the claim's steps after it were not run\)$/)],
  })
  expect(tests.get('Q0-11')!.result().state).toBe('passed')
  expect(verdict('Q0-12')).toMatchObject({ runs: 2, status: 'passed', notes: [expect.stringMatching(/^ran a second time/)] })
  // Only a gap makes a claim run again; a Given that never came true is broken at once.
  expect(verdict('Q0-13')).toMatchObject({ runs: 1, status: 'broken', failedStep: { keyword: 'Given', title: 'a two-pod StatefulSet' }, reason: 'gave up waiting for web-0 to be Ready' })
  // A gap met outside any step: it ran again, and could not look either time: broken, naming the gap.
  expect(verdict('Q0-14')).toMatchObject({ runs: 2, status: 'broken', reason: expect.stringMatching(/^pod watch of ns has a gap/) })
  expect(verdict('Q0-14')).not.toHaveProperty('failedStep')
})

test('a write refused on a class that does not apply fsGroup skips the claim naming the class (as SC-08…12 skip); on a class that applies it, or another failure, the claim fails', { timeout: 60_000 }, async () => {
  const tests = await runClaimsFile('class-limit.claims.ts')
  const verdict = (id: string) => claimEntry(finishedTest(tests.get(id)!))
  expect(verdict('Q1-04')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^StorageClass nfs-client \(provisioner nfs.csi.k8s.io\): its volume is not writable .*Permission denied\), and fsGroup is not applied/) })
  expect(verdict('Q1-05')).toMatchObject({ status: 'broken' })
  expect(verdict('Q1-06')).toMatchObject({ status: 'failed' })
})

test('a claim that -t left out says it was not selected, not that its spec skipped it without a reason; a chosen one keeps its own verdict', { timeout: 60_000 }, async () => {
  const tests = await runClaimsFile('class-limit.claims.ts', 'Q1-04')
  const verdict = (id: string) => claimEntry(finishedTest(tests.get(id)!, 'Q1-04'))
  expect(verdict('Q1-04')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^StorageClass nfs-client/) })
  expect(verdict('Q1-05')).toMatchObject({ status: 'skipped', reason: 'not selected: its name does not match -t Q1-04' })
  // vitest hands the reporter the pattern as a RegExp: the same words.
  expect(claimEntry(finishedTest(tests.get('Q1-05')!, /Q1-04/))).toMatchObject({ reason: 'not selected: its name does not match -t Q1-04' })
  // Read without the run's pattern, the same skip is the spec bug it would be.
  expect(claimEntry(finishedTest(tests.get('Q1-06')!))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^skipped without a reason/) })
})

test('the bind times a claim\'s waits recorded go into its measurements, beside what the claim measured itself; none, no field', async () => {
  const task = (name: string, meta: object = {}) => ({ name, meta: { ...meta }, result: { state: 'pass', retryCount: 0 }, retry: 0 }) as unknown as RunnerTestCase
  const write = process.stdout.write
  process.stdout.write = () => true
  try {
    const sc06 = task('SC-06 time to bound [standard]')
    await runClaim(async () => {
      recordClaimBound(2_400.4)
      sc06.meta.measurements = { timeToBoundMs: 2_100 }
    }, sc06, { waivers: {} satisfies Waivers })
    expect(sc06.meta.measurements).toEqual({ timeToBoundMs: 2_100, claimBindMs: [2_400] })
    const none = task('Q0-01 no claim')
    await runClaim(async () => {}, none, { waivers: {} satisfies Waivers })
    expect(none.meta).not.toHaveProperty('measurements')
  } finally {
    process.stdout.write = write
  }
})

test('as a user of one namespace (SC_NAMESPACE), a claim that needs a write outside it is skipped naming the write; a property violated before that stays failed', { timeout: 60_000 }, async () => {
  const tests = await runClaimsFile('namespace-limit.claims.ts')
  const verdict = (id: string) => claimEntry(finishedTest(tests.get(id)!))
  expect(verdict('Q1-16')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^patch volume pv-1: beyond a user of one namespace \(SC_NAMESPACE=team-a/) })
  expect(verdict('Q1-03')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^a second namespace: beyond a user of one namespace/) })
  expect(verdict('Q1-04')).toMatchObject({ status: 'failed' })
})
