// Runs in every spec worker: sets what global setup decided (timeout scale,
// image overrides), then gives each test its step log and claim id.
import { aroundEach, inject } from 'vitest'
import { setFixtureRewrite } from '../k8s/manifests.ts'
import { withStepLog, type StepLog } from '../k8s/progress.ts'
import { setTimeoutScale } from '../k8s/timeouts.ts'
import { claimIdOf } from './context.ts'
import { rewriteImages } from './images.ts'
import { covers, waiverFor } from './waivers.ts'

setTimeoutScale(inject('timeoutScale'))
setFixtureRewrite((text) => rewriteImages(text, inject('images')))

aroundEach(async (runTest, { task }) => {
  const claim = claimIdOf(task.name)
  task.meta.claim = claim
  const sc = /\[([^\]]+)\]$/.exec(task.name)?.[1]
  const log: StepLog = { test: [claim ?? task.name.slice(0, 30), sc].filter(Boolean).join(' '), steps: [] }
  // The claim in full once; the step and wait lines after it carry only the tag.
  const t0 = performance.now()
  process.stdout.write(`[${log.test}] ▶ ${task.name}\n`)
  try {
    await withStepLog(log, runTest)
    const waiver = claim ? waiverFor(inject('waivers'), claim, task.meta.storageClass) : undefined
    const failures = (task.result?.errors ?? []).map((e) => e.message)
    if (waiver && task.result?.state === 'fail' && !covers(waiver, failures)) {
      process.stdout.write(`[${log.test}] ✗ fails otherwise than its waiver allows ("${waiver.failing}"): not waived\n`)
    } else if (waiver && (task.result?.state === 'fail' || task.result?.state === 'pass')) {
      const why = waiver.why
      // vitest's "expected to fail": a failure passes the run, a pass fails it.
      if (task.result.state === 'fail') {
        const failure = failures.map((m) => m.split('\n')[0]).join(' | ')
        task.meta.waived = { why, failure }
        process.stdout.write(`[${log.test}] ✗ the claim does not hold; waived: ${why}\n`)
      } else {
        task.meta.waiverUnneeded = why
        process.stdout.write(`[${log.test}] ✓ the claim holds although waived (${why}): remove its waiver\n`)
      }
      ;(task as { fails?: boolean }).fails = true
    }
  } finally {
    task.meta.steps = log.steps
    process.stdout.write(`[${log.test}] ■ ${task.result?.state ?? 'ended'} after ${((performance.now() - t0) / 1000).toFixed(1)}s\n`)
  }
})
