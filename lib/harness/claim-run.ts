// How each claim test runs, around vitest's own run of it (worker-setup.ts
// hooks it in): its context (lib/k8s/claim-context.ts: step log, claim ID,
// run settings, the test's signal); which step threw, from which the
// report tells failed from broken (lib/report/claims.ts); its waiver; and its
// second run when a check meets a gap.
//
// A gap in a check's own watch recording (the API server restarted, the watch
// listed again) means the check could not look, not that the claim does not
// hold. The claim then runs again once, from the start, with fresh fixtures (a
// fresh namespace, fresh recordings): vitest's retry, limited to that error.
// Only if its second run meets a gap too is it partial, naming the gap and
// the steps it did not reach (steps.ts). A check that sees a violation outside
// a gap fails the claim on either run (lib/observe/gaps.ts).
import type { RunnerTestCase, RunnerTestFile, RunnerTestSuite, TestError } from 'vitest'
import { type ClaimContext, defaultSettings, type RunSettings, withClaimContext } from '../k8s/claim-context.ts'
import { namespaceModeLimit } from '../k8s/given-namespace.ts'
import { type Capabilities, writeRefusedByClass } from '../storage/capabilities.ts'
import { skipPart } from './claim-entry.ts'
import { claimIdOf } from './context.ts'
import { type Waivers, waiverFor, waiverVerdict } from './waivers.ts'

const gapError = 'IncompleteRecording' // lib/observe/gaps.ts; vitest hands the condition the error as it serialized it

export const rerunOnGap = { count: 1, condition: (e: TestError) => e.name === gapError }

// Every test below `suite` runs again once when a gap stopped it (unless it set a retry of its
// own). Called from a file's beforeAll: vitest reads a test's retry when the test starts.
export function rerunTestsOnGap(suite: Readonly<RunnerTestSuite | RunnerTestFile>): void {
  for (const t of suite.tasks) {
    if (t.type === 'suite') rerunTestsOnGap(t)
    else if (!t.retry) t.retry = rerunOnGap
  }
}

const retries = (r: RunnerTestCase['retry']) => (typeof r === 'number' ? r : (r?.count ?? 0))
const firstLine = (s: string | undefined) => (s ?? '').split('\n')[0] ?? ''

// What a run of the claim records for the report, cleared before its second run.
const perRun = ['steps', 'unchecked', 'notes', 'timelines', 'diagnostics', 'measurements', 'reason', 'failedStep', 'waived', 'waiverUnneeded'] as const

export interface ClaimRunOptions {
  waivers: Waivers
  // The capabilities of the class the claim's volumes are on (its own for a [sc]
  // claim, the run's first class for the others), when known.
  classOf?: (task: RunnerTestCase) => Capabilities | undefined
  // What global setup decided for the run (worker-setup.ts); the defaults in unit tests.
  settings?: RunSettings
  // The test's signal (vitest aborts it when the test times out or the run is interrupted).
  signal?: AbortSignal
}

export async function runClaim(runTest: () => Promise<void>, task: RunnerTestCase, o: ClaimRunOptions): Promise<void> {
  const { waivers, classOf = () => undefined } = o
  const claim = claimIdOf(task.name)
  task.meta.claim = claim
  const run = task.result?.retryCount ?? 0
  const lastRun = run >= retries(task.retry)
  if (run > 0) {
    for (const key of perRun) delete task.meta[key]
    const why = firstLine(task.result?.attempts?.at(-1)?.errors?.at(-1)?.message)
    task.meta.rerun = `ran a second time, in a fresh namespace: its first run met a gap in its recording (${why})`
  }
  const sc = /\[([^\]]+)\]$/.exec(task.name)?.[1]
  const tag = [claim ?? task.name.slice(0, 30), sc].filter(Boolean).join(' ')
  const log: ClaimContext = {
    test: tag,
    steps: [],
    settings: o.settings ?? defaultSettings,
    signal: o.signal,
    onUnchecked: (part) => skipPart(task, part),
    runsAgainOnGap: !lastRun,
    claimBindMs: [],
  }
  // vitest keeps every run's errors on the task; this run's are those after these.
  const errorsBefore = task.result?.errors?.length ?? 0
  // The claim in full once; the step and wait lines after it carry only the tag.
  const t0 = performance.now()
  process.stdout.write(`[${tag}] ▶ ${task.name}${run > 0 ? ' (second run: the first met a gap in its recording)' : ''}\n`)
  try {
    await withClaimContext(log, runTest)
    const errors = task.result?.errors?.slice(errorsBefore) ?? []
    if (log.stoppedByGap && errors.length && errors.every((e) => e.name === gapError)) {
      // Its last run met a gap too: partial (skipPart named it), not failed: it could not look.
      task.result!.state = 'pass'
      task.result!.errors?.splice(errorsBefore)
      if (!task.result!.errors?.length) task.result!.errors = undefined
    }
    if (task.result?.state === 'fail') {
      // A user of one namespace (SC_NAMESPACE) may not do what the claim needs: it could not be checked.
      if (errors[0]?.name === namespaceModeLimit) {
        skipForClassLimit(task, tag, errors[0].message, errorsBefore)
        return
      }
      const caps = classOf(task)
      const limit = caps && errors.map((e) => writeRefusedByClass(caps, `${e.message}\n${e.stack ?? ''}`)).find(Boolean)
      if (limit) {
        skipForClassLimit(task, tag, limit, errorsBefore)
        return
      }
      if (log.failedStep) task.meta.failedStep = log.failedStep
      if (!lastRun && errors.at(-1)?.name === gapError) {
        process.stdout.write(`[${tag}] ↻ a check met a gap in its recording: the claim runs again in a fresh namespace\n`)
        return
      }
    }
    applyWaiver(task, tag, waivers, errors.map((e) => e.message))
  } finally {
    task.meta.steps = log.steps
    if (log.claimBindMs?.length) task.meta.measurements = { ...task.meta.measurements, claimBindMs: log.claimBindMs }
    process.stdout.write(`[${tag}] ■ ${task.result?.state ?? 'ended'} after ${((performance.now() - t0) / 1000).toFixed(1)}s\n`)
  }
}

// The claim could not be checked on this class, or by a user of one namespace: skipped, naming the
// limit, as a claim that finds a capability missing before it starts (skipClaim).
function skipForClassLimit(task: RunnerTestCase, tag: string, limit: string, errorsBefore: number): void {
  task.meta.reason = limit
  // As vitest records a skip at run time (its TaskResult type leaves note and pending out).
  Object.assign(task.result!, { state: 'skip', note: limit, pending: true })
  task.result!.errors?.splice(errorsBefore)
  if (!task.result!.errors?.length) task.result!.errors = undefined
  process.stdout.write(`[${tag}] SKIPPED: ${limit}\n`)
}

function applyWaiver(task: RunnerTestCase, tag: string, waivers: Waivers, failures: string[]): void {
  const waiver = task.meta.claim ? waiverFor(waivers, task.meta.claim, task.meta.storageClass) : undefined
  switch (waiverVerdict(waiver, task.result?.state, failures)) {
    case 'accepted':
      task.meta.waived = { why: waiver!.why, failure: failures.map(firstLine).join(' | ') }
      process.stdout.write(`[${tag}] ✗ the claim does not hold; waived: ${waiver!.why}\n`)
      task.fails = true // vitest's "expected to fail": this failure passes the run
      break
    case 'unneeded':
      task.meta.waiverUnneeded = waiver!.why
      process.stdout.write(`[${tag}] ✓ the claim holds although waived (${waiver!.why}): remove its waiver\n`)
      task.fails = true // and a pass fails it
      break
    case 'other':
      process.stdout.write(`[${tag}] ✗ fails otherwise than its waiver accepts ("${waiver!.failing}"): not waived\n`)
      break
    case 'none':
  }
}
