// One claim test per verdict, which lib/report/verdicts.test.ts runs in a
// vitest of its own with the suite's reporters (not a unit test itself).
import { aroundEach, beforeAll, expect, test } from 'vitest'
import { skipClaim, skipPart } from '../claim-entry.ts'
import { rerunTestsOnGap, runClaim } from '../claim-run.ts'
import { And, Given, Then, When } from '../steps.ts'

// biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a hook needs from its first parameter, which must be a pattern
beforeAll(({}, file) => rerunTestsOnGap(file))
aroundEach((runTest, { task }) => runClaim(runTest, task, { waivers: {} }))

test('Q0-01 a claim that holds', async () => {
  await Given('a pod', () => undefined)
  await Then('it runs', () => { expect(1).toBe(1) })
})

test('Q0-02 a claim whose property is violated', async () => {
  await Given('a pod', () => undefined)
  await When('it is deleted', () => undefined)
  await Then('it comes back under the same name', () => { expect('web-0-x7k2p', 'the replacement of web-0').toBe('web-0') })
})

test('Q0-03 a claim whose Given never came true', async () => {
  await Given('a ready StatefulSet', () => { throw new Error('gave up waiting for pod q/web-0 to be Ready: StatefulSet q/web: generation 1 not observed by its controller; is the StatefulSet controller (kube-controller-manager) running?') })
  await Then('never reached', () => undefined)
})

test('Q0-04 a claim checked in part', async ({ task }) => {
  await Given('a pod', () => undefined)
  await Then('it runs here', () => undefined)
  skipPart(task, 'on another node: one schedulable node')
  await And('nothing else', () => undefined)
})

test('Q0-05 a claim the cluster cannot show', async ({ task }) => {
  skipClaim(task, 'needs 2 schedulable nodes, the cluster has 1')
})
