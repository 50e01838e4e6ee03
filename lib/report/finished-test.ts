// What the reporters know of one finished test (claims.ts's FinishedTest), read
// from vitest's TestCase: one function, so that claims.json and junit.xml agree.
import type { TestCase } from 'vitest/node'
import { claimIdOf, type FinishedTest } from './claims.ts'

export function finishedTest(t: TestCase): FinishedTest {
  const r = t.result()
  const meta = t.meta()
  // A claim that ran again (a gap in its recording: lib/harness/claim-run.ts) is judged by its last run.
  const errors = t.attempts().at(-1)?.errors ?? r.errors
  return {
    name: t.name,
    state: r.state,
    durationMs: t.diagnostic()?.duration ?? 0,
    errors: errors?.map((e) => e.message),
    skipNote: r.state === 'skipped' ? r.note : undefined,
    // meta.claim is set around a spec's test; one that failed in a fixture before that is a claim by
    // its name. Only in the specs project: a unit test may be named after the claim it serves.
    meta: { ...meta, claim: meta.claim ?? (t.project.name === 'specs' ? claimIdOf(t.name) : undefined) },
  }
}
