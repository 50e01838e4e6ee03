import type { V1PersistentVolumeClaim } from '@kubernetes/client-node'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { type ClaimContext, defaultSettings, withClaimContext } from '../k8s/claim-context.ts'
import { waitForPvcBound } from './storage.ts'
import { waitForNamed } from './wait-for.ts'

vi.mock('./wait-for.ts', async (original) => ({ ...(await original<typeof import('./wait-for.ts')>()), waitForNamed: vi.fn() }))

// The wait's watch, as the test has it: each claim state in turn, until the wait's condition holds.
function watchShows(...states: V1PersistentVolumeClaim[]) {
  vi.mocked(waitForNamed).mockImplementation(async (_kube, spec) => {
    for (const pvc of states) if (spec.until(pvc as never)) return pvc as never
    throw new Error('never Bound')
  })
}

const created = new Date('2026-12-05T20:00:00Z')
const claim = (phase: string): V1PersistentVolumeClaim => ({ metadata: { name: 'data', namespace: 'q', creationTimestamp: created }, status: { phase } })

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date(created.getTime() + 2_400))
})
afterEach(() => { vi.useRealTimers() })

test('a claim the wait saw Pending, then Bound, is timed from its creation on the running test\'s log; one already Bound is not', async () => {
  const log: ClaimContext = { test: 'Q1-02 standard', steps: [], settings: defaultSettings, claimBindMs: [] }
  await withClaimContext(log, async () => {
    watchShows(claim('Pending'), claim('Bound'))
    expect((await waitForPvcBound({} as Kube, 'q', 'data')).status?.phase).toBe('Bound')
    watchShows(claim('Bound'))
    await waitForPvcBound({} as Kube, 'q', 'data')
  })
  expect(log.claimBindMs).toEqual([2_400])
})

test('outside a claim test (global setup, a tool) the time goes nowhere and the wait still answers', async () => {
  watchShows(claim('Pending'), claim('Bound'))
  await expect(waitForPvcBound({} as Kube, 'q', 'data')).resolves.toMatchObject({ status: { phase: 'Bound' } })
})
