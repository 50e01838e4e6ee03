import * as k8s from '@kubernetes/client-node'
import { afterEach, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { defaultSettings, withRunSettings } from '../k8s/claim-context.ts'
import { probeServer } from './access.ts'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

test('the version check waits its named timeout times the scale: a slow server is given 30 s at scale 3, not a fixed 10 s', async () => {
  vi.useFakeTimers()
  vi.spyOn(k8s.VersionApi.prototype, 'getCode').mockReturnValue(new Promise(() => undefined) as never)
  const kube = { kc: { makeApiClient: (api: typeof k8s.VersionApi) => Object.create(api.prototype) } } as unknown as Kube
  // The run's scale as a claim's (or global setup's) context carries it.
  const answer = withRunSettings({ ...defaultSettings, timeoutScale: 3 }, () => probeServer(kube))
  let settled = false
  answer.catch(() => { settled = true })
  await vi.advanceTimersByTimeAsync(29_000)
  expect(settled).toBe(false)
  const failed = expect(answer).rejects.toThrow(/unreachable: no answer within 30s/)
  await vi.advanceTimersByTimeAsync(1_000)
  await failed
})
