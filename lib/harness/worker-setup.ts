// Runs in every spec worker: sets what global setup decided (timeout scale,
// image overrides), then gives each test its step log and claim id.
import { aroundEach, inject } from 'vitest'
import { setDefaultClaimClass, setFixtureRewrite } from '../k8s/manifests.ts'
import { withStepLog, type StepLog } from '../k8s/progress.ts'
import { setTimeoutScale } from '../k8s/timeouts.ts'
import { skipPart } from './claim-entry.ts'
import { claimIdOf } from './context.ts'
import { rewriteImages } from './images.ts'
import { waiverFor, waiverVerdict } from './waivers.ts'

setTimeoutScale(inject('timeoutScale'))
setFixtureRewrite((text) => rewriteImages(text, inject('images')))
setDefaultClaimClass(inject('storageClasses')[0])

aroundEach(async (runTest, { task }) => {
  const claim = claimIdOf(task.name)
  task.meta.claim = claim
  const sc = /\[([^\]]+)\]$/.exec(task.name)?.[1]
  const log: StepLog = { test: [claim ?? task.name.slice(0, 30), sc].filter(Boolean).join(' '), steps: [], onUnchecked: (part) => skipPart(task, part) }
  // The claim in full once; the step and wait lines after it carry only the tag.
  const t0 = performance.now()
  process.stdout.write(`[${log.test}] ▶ ${task.name}\n`)
  try {
    await withStepLog(log, runTest)
    const waiver = claim ? waiverFor(inject('waivers'), claim, task.meta.storageClass) : undefined
    const failures = (task.result?.errors ?? []).map((e) => e.message)
    switch (waiverVerdict(waiver, task.result?.state, failures)) {
      case 'accepted':
        task.meta.waived = { why: waiver!.why, failure: failures.map((m) => m.split('\n')[0]).join(' | ') }
        process.stdout.write(`[${log.test}] ✗ the claim does not hold; waived: ${waiver!.why}\n`)
        ;(task as { fails?: boolean }).fails = true // vitest's "expected to fail": this failure passes the run
        break
      case 'unneeded':
        task.meta.waiverUnneeded = waiver!.why
        process.stdout.write(`[${log.test}] ✓ the claim holds although waived (${waiver!.why}): remove its waiver\n`)
        ;(task as { fails?: boolean }).fails = true // and a pass fails it
        break
      case 'other':
        process.stdout.write(`[${log.test}] ✗ fails otherwise than its waiver accepts ("${waiver!.failing}"): not waived\n`)
        break
      case 'none':
    }
  } finally {
    task.meta.steps = log.steps
    process.stdout.write(`[${log.test}] ■ ${task.result?.state ?? 'ended'} after ${((performance.now() - t0) / 1000).toFixed(1)}s\n`)
  }
})
