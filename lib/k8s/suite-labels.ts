// The labels by which the suite knows its own objects: the suite's, the run's
// and the claim's. A run finds and removes exactly what carries its run label.
export const managedBy = { 'app.kubernetes.io/managed-by': 'stateful-conformance' } as const
export const runLabel = 'stateful-conformance/run'
export const claimLabel = 'stateful-conformance/claim'

// The suite's objects: all of them, or one run's.
export const suiteSelector = (runId?: string) =>
  `${Object.entries(managedBy).map(([k, v]) => `${k}=${v}`).join(',')}${runId ? `,${runLabel}=${runId}` : ''}`
