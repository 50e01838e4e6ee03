// Claim tests that claim-run.test.ts runs in a vitest of its own, wired as
// worker-setup.ts wires the specs, as a user limited to one namespace
// (SC_NAMESPACE) runs them: a claim that needs a cluster-scoped write is
// skipped naming it; a property violated before that stays failed.
import { aroundEach, expect, test } from 'vitest'
import { refuseOutsideGiven } from '../../k8s/given-namespace.ts'
import { runClaim } from '../claim-run.ts'
import { Given, Then, When } from '../steps.ts'

const kube = { given: { namespace: 'team-a', runId: 'r1' } }

aroundEach((runTest, { task }) => runClaim(runTest, task, { waivers: {} }))

test('Q1-16 a Retain volume reclaimed by hand', async () => {
  await Given('a claim bound to a Retain volume', () => undefined)
  await When('its volume is made available again', () => refuseOutsideGiven(kube, 'patch volume pv-1'))
})

test('Q1-03 a claim is invisible from another namespace', async () => {
  await Given('another namespace', () => refuseOutsideGiven(kube, 'a second namespace'))
})

test('Q1-04 a violated property before a cluster-scoped step', async () => {
  await Then('the file is still there', () => expect('').toBe('tasty potatos'))
  await When('its volume is made available again', () => refuseOutsideGiven(kube, 'patch volume pv-1'))
})
