// Every wait's timeout, named by the kind of operation, in one place.
// SC_TIMEOUT_SCALE multiplies them all: 3 for a managed cluster whose volumes
// take a minute to provision, 0.5 to find slow spots on a fast one.
import { inject } from 'vitest'

const base = {
  apiCall: 30_000,
  podReady: 90_000,
  podDeleted: 90_000,
  containerRestart: 60_000,
  pvcBound: 120_000,
  pvcDeleted: 120_000,
  pvDeleted: 120_000,
  rollout: 240_000,
  scale: 180_000,
  dns: 60_000,
  endpoints: 60_000,
  exec: 30_000,
  http: 15_000,
} as const
export type TimeoutName = keyof typeof base

export function timeout(name: TimeoutName, scale = currentScale()): number {
  return Math.round(base[name] * scale)
}

function currentScale(): number {
  try {
    return inject('timeoutScale') ?? 1
  } catch {
    return 1 // outside a vitest worker (unit tests, scripts)
  }
}
