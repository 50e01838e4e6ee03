// What the reporters know of one finished test (claims.ts's FinishedTest), read
// from vitest's TestCase: one function, so that claims.json and junit.xml agree.
import type { TestCase } from 'vitest/node'
import { claimIdOf, type FinishedTest } from './claims.ts'

// A test that vitest skipped because its name does not match the run's -t (testNamePattern) was
// not chosen: it says so, and is no spec's skip without a reason.
export function finishedTest(t: TestCase, namePattern?: string | RegExp): FinishedTest {
  const r = t.result()
  const unselected = r.state === 'skipped' && !r.note && namePattern !== undefined && namePattern !== '' && !t.fullName.match(namePattern)
  const meta = t.meta()
  // A claim that ran again (a gap in its recording: lib/harness/claim-run.ts) is judged by its last run.
  const errors = t.attempts().at(-1)?.errors ?? r.errors
  return {
    name: t.name,
    state: r.state,
    durationMs: t.diagnostic()?.duration ?? 0,
    errors: errors?.map((e) => e.message),
    skipNote: r.state !== 'skipped' ? undefined : unselected ? `not selected: its name does not match -t ${typeof namePattern === 'string' ? namePattern : namePattern!.source}` : r.note,
    // meta.claim is set around a spec's test; one that failed in a fixture before that is a claim by
    // its name. Only in the specs project: a unit test may be named after the claim it serves.
    meta: { ...meta, claim: meta.claim ?? (t.project.name === 'specs' ? claimIdOf(t.name) : undefined) },
  }
}
