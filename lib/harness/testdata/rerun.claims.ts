// Claim tests that claim-run.test.ts runs in a vitest of its own (not a unit
// test itself: the name does not end in .test.ts), wired as worker-setup.ts
// wires the specs: every test runs again once when a check meets a gap.
import { aroundEach, beforeAll, expect, test } from 'vitest'
import { IncompleteRecording } from '../../observe/gaps.ts'
import { pod, rollout, T0 } from '../../observe/timeline.fixtures.ts'
import { replacedInTurn, Timeline } from '../../observe/timeline.ts'
import { rerunTestsOnGap, runClaim } from '../claim-run.ts'
import { Given, Then } from '../steps.ts'

// biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a hook needs from its first parameter, which must be a pattern
beforeAll(({}, file) => rerunTestsOnGap(file))
aroundEach((runTest, { task }) => runClaim(runTest, task, { waivers: {} }))

const expected = replacedInTurn('web-1', 'web-0')
const inOrder = ['web-1 terminating (old)', 'web-1 ready (new)', 'web-0 terminating (old)', 'web-0 ready (new)']

// A rolling update of web-0 and web-1 that the watch missed: it listed again only once both were replaced.
function updateInGap(): Timeline {
  const t = new Timeline(T0, 'ns (app=web)')
  t.sync([pod('web-0', 'a0', { ready: true, rev: 'r1' }), pod('web-1', 'a1', { ready: true, rev: 'r1' })], T0)
  t.relisting('resourceVersion 812 expired (410 Gone): listed again')
  t.sync([pod('web-0', 'b0', { ready: true, rev: 'r2' }), pod('web-1', 'b1', { ready: true, rev: 'r2' })], T0 + 9000)
  return t
}

const runs = new Map<string, number>()
const run = (name: string) => {
  const n = (runs.get(name) ?? 0) + 1
  runs.set(name, n)
  return n
}

// A test-scoped fixture, as the specs' namespace is: set up afresh for every run.
const setUps = new Map<string, number>()
const claimTest = test.extend<{ ns: string }>({
  ns: async ({ task }, use) => {
    const n = (setUps.get(task.name) ?? 0) + 1
    setUps.set(task.name, n)
    await use(`${task.name.slice(0, 5).toLowerCase()}-${n}`)
  },
})

// The cluster updated web-0 first, both times; the first run's watch saw none of it.
claimTest('Q0-10 a wrong order hidden in a gap', async ({ task, ns }) => {
  const timeline = run(task.name) === 1 ? updateInGap() : rollout(['web-0', 'web-1'])
  await Given('a two-pod StatefulSet, updated', () => undefined)
  await Then('web-1 is replaced and Ready before web-0 terminates', () => {
    expect(timeline.orderOf([...expected]), `namespace ${ns}\n${timeline.describe()}`).toEqual(inOrder)
  })
})

test('Q0-11 a gap on both runs', async () => {
  const timeline = updateInGap()
  await Given('a two-pod StatefulSet, updated', () => undefined)
  await Then('web-1 is replaced and Ready before web-0 terminates', () => {
    expect(timeline.orderOf([...expected]), timeline.describe()).toEqual(inOrder)
  })
  await Then('a step after it', () => { throw new Error('never reached') })
})

test('Q0-12 a gap, then a whole recording in the right order', async ({ task }) => {
  const timeline = run(task.name) === 1 ? updateInGap() : rollout(['web-1', 'web-0'])
  await Then('web-1 is replaced and Ready before web-0 terminates', () => {
    expect(timeline.orderOf([...expected]), timeline.describe()).toEqual(inOrder)
  })
})

test('Q0-13 a Given that never came true runs once', async ({ task }) => {
  run(task.name)
  await Given('a two-pod StatefulSet', () => { throw new Error('gave up waiting for web-0 to be Ready') })
})

test('Q0-14 a gap outside any step on the last run', async () => {
  throw new IncompleteRecording({ source: 'pod watch', subject: 'ns' }, { from: T0, reason: 'the watch ended', seq: 0, final: true }, 'the pod counts')
})
