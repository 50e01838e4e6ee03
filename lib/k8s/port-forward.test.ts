import * as k8s from '@kubernetes/client-node'
import { afterEach, expect, test, vi } from 'vitest'
import type { Kube } from './kube.ts'
import { portForward } from './port-forward.ts'

afterEach(() => { vi.restoreAllMocks() })

// A tunnel that opens after `openMs` and whose far end never answers (a server that died on the request).
function silentTunnel(openMs: number) {
  vi.spyOn(k8s.PortForward.prototype, 'portForward').mockImplementation(() =>
    new Promise((resolve) => setTimeout(() => resolve((() => null) as never), openMs)))
}

test('a request meant to get no answer (GET /panic) is given up soon after its tunnel opened, not after the HTTP timeout', async () => {
  silentTunnel(300)
  const pf = await portForward({ kc: {} } as Kube, 'q', 'podinfo-0', 9000)
  const t0 = performance.now()
  await expect(pf.request('/panic', { unansweredMs: 200 })).rejects.toThrow(/GET \/panic on q\/podinfo-0:9000 \(port-forward\): .*no answer 0.2s after the tunnel opened/)
  const took = performance.now() - t0
  expect(took).toBeGreaterThanOrEqual(480) // not before the tunnel carried the request (300 ms) and 200 ms more
  expect(took).toBeLessThan(5_000) // the HTTP timeout is 15 s
  await pf.close()
})
