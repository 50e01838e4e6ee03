import { expect, test } from 'vitest'
import { type StepLog, withStepLog } from '../k8s/progress.ts'
import { IncompleteRecording } from '../observe/gaps.ts'
import { Given, Then } from './steps.ts'

const gapError = () => new IncompleteRecording({ source: 'pod watch', subject: 'q (app=web)' }, { from: 0, to: 1000, reason: '410 Gone', seq: 3, final: false }, 'web-1 before web-0')

test('a check stopped only by a gap in its recording is a part not checked, and the claim goes on', async () => {
  const parts: string[] = []
  const log: StepLog = { test: 'Q3-09', steps: [], onUnchecked: (p) => parts.push(p) }
  const after = await withStepLog(log, async () => {
    await Then('the order held', () => { throw gapError() })
    return Then('the next check runs', () => 'ran')
  })
  expect(after).toBe('ran')
  expect(parts).toEqual([expect.stringMatching(/^the order held: pod watch of q \(app=web\) has a gap/)])
  expect(log.steps[0]).toMatchObject({ status: 'failed', notes: [expect.stringMatching(/^not checked: /)] })
})

test('a gap in a Given (the claim cannot go on), or any other error, still fails the step', async () => {
  const log: StepLog = { test: 'Q3-09', steps: [], onUnchecked: () => {} }
  await expect(withStepLog(log, () => Given('the pods', () => { throw gapError() }))).rejects.toThrow(/has a gap/)
  await expect(withStepLog(log, () => Then('the order held', () => { throw new Error('out of order') }))).rejects.toThrow('out of order')
})
