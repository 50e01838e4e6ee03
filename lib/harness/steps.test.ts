import { expect, test } from 'vitest'
import { type ClaimContext, CouldNotLook, defaultSettings, withClaimContext } from '../k8s/claim-context.ts'
import { IncompleteRecording } from '../observe/gaps.ts'
import { And, Given, Then, When } from './steps.ts'

const gapError = () => new IncompleteRecording({ source: 'pod watch', subject: 'q (app=web)' }, { from: 0, to: 1000, reason: '410 Gone', seq: 3, final: false }, 'web-1 before web-0')
const logOf = (o: Partial<ClaimContext> = {}): ClaimContext & { parts: string[] } => {
  const parts: string[] = []
  return { test: 'Q3-09', steps: [], settings: defaultSettings, onUnchecked: (p) => parts.push(p), parts, ...o }
}

test('the first step that threw is recorded with its keyword: a Then or And saw the property violated, a Given or When never came true', async () => {
  const inThen = logOf()
  await expect(withClaimContext(inThen, async () => {
    await Given('the pods', () => 'ready')
    await Then('the order held', () => { throw new Error('expected web-1 before web-0') })
  })).rejects.toThrow('expected web-1')
  expect(inThen.failedStep).toEqual({ keyword: 'Then', title: 'the order held' })
  const inGiven = logOf()
  await expect(withClaimContext(inGiven, () => Given('the pods', () => { throw new Error('gave up waiting for web-0 to be Ready') }))).rejects.toThrow()
  expect(inGiven.failedStep).toEqual({ keyword: 'Given', title: 'the pods' })
  // A step inside another: the innermost one that threw.
  const nested = logOf()
  await expect(withClaimContext(nested, () => And('the data is back', () => When('the pod is recreated', () => { throw new Error('no pod') })))).rejects.toThrow()
  expect(nested.failedStep).toEqual({ keyword: 'When', title: 'the pod is recreated' })
  const passed = logOf()
  await withClaimContext(passed, () => Then('the order held', () => undefined))
  expect(passed.failedStep).toBeUndefined()
})

test('a Then step the cluster kept from looking (a policy denies the suite\'s own lookup) is recorded as such: it saw no violation', async () => {
  const log = logOf()
  await expect(withClaimContext(log, () => Then('demo-0 resolves', () => { throw new CouldNotLook('NetworkPolicy q/default-deny denies its DNS lookups') }))).rejects.toBeInstanceOf(CouldNotLook)
  expect(log.failedStep).toEqual({ keyword: 'Then', title: 'demo-0 resolves', couldNotLook: true })
})

test('a gap in a check, on a run that can run again: the error goes through to vitest\'s retry, and no step is blamed', async () => {
  const log = logOf({ runsAgainOnGap: true })
  await expect(withClaimContext(log, () => Then('the order held', () => { throw gapError() }))).rejects.toBeInstanceOf(IncompleteRecording)
  expect(log.failedStep).toBeUndefined()
  expect(log.parts).toEqual([])
  expect(log.steps[0]).toMatchObject({ status: 'failed', notes: [expect.stringMatching(/has a gap.*; the claim runs again in a fresh namespace$/)] })
})

test('a gap in a check on the last run stops the claim as partial, naming the gap and that the steps after it were not run', async () => {
  const log = logOf()
  let after = false
  await expect(withClaimContext(log, async () => {
    await Then('the order held', () => { throw gapError() })
    after = true
  })).rejects.toBeInstanceOf(IncompleteRecording)
  expect(after).toBe(false) // no step goes on with a value the gap kept from it
  expect(log.parts).toEqual([expect.stringMatching(/^the order held: pod watch of q \(app=web\) has a gap.*\(and the claim's steps after it were not run\)$/)])
  expect(log.stoppedByGap).toBe(log.parts[0])
  expect(log.failedStep).toBeUndefined()
  expect(log.steps[0]).toMatchObject({ status: 'failed', notes: [expect.stringMatching(/^not checked: /)] })
})

test('a gap in a Given on the last run: the claim never got to look, it is broken', async () => {
  const log = logOf()
  await expect(withClaimContext(log, () => Given('the pods', () => { throw gapError() }))).rejects.toThrow(/has a gap/)
  expect(log.failedStep).toEqual({ keyword: 'Given', title: 'the pods' })
  expect(log.parts).toEqual([])
})
