// Runs in every spec worker: gives each test its step log and claim id.
import { aroundEach } from 'vitest'
import { claimIdOf } from './context.ts'
import { withStepLog, type StepLog } from './steps.ts'

aroundEach(async (runTest, ctx) => {
  const claim = claimIdOf(ctx.task.name)
  ctx.task.meta.claim = claim
  const sc = /\[([^\]]+)\]$/.exec(ctx.task.name)?.[1]
  const log: StepLog = { test: [claim ?? ctx.task.name.slice(0, 30), sc].filter(Boolean).join(' '), steps: [] }
  try {
    await withStepLog(log, runTest)
  } finally {
    ctx.task.meta.steps = log.steps
  }
})
