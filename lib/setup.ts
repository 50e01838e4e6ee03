// Runs in every spec worker: gives each test its step log and claim id.
import { aroundEach } from 'vitest'
import { claimIdOf } from './context.ts'
import { withStepLog, type StepLog } from './steps.ts'

aroundEach(async (runTest, { task }) => {
  const claim = claimIdOf(task.name)
  task.meta.claim = claim
  const sc = /\[([^\]]+)\]$/.exec(task.name)?.[1]
  const log: StepLog = { test: [claim ?? task.name.slice(0, 30), sc].filter(Boolean).join(' '), steps: [] }
  try {
    await withStepLog(log, runTest)
  } finally {
    task.meta.steps = log.steps
  }
})
