// Every wait's timeout, named by the kind of operation, in one place.
// The defaults let a managed cloud's storage pass slowly (about a minute to
// provision a volume, half a minute to attach it, a minute to resize or
// delete it); SC_TIMEOUT_SCALE multiplies them all: 3 for a class slower
// than that, 0.5 to find slow spots on a fast cluster.

import { runSettings } from './claim-context.ts'

const base = {
  apiCall: 30_000,
  // A pod whose claim is provisioned on first use waits for provisioning and attach.
  podReady: 180_000,
  podDeleted: 90_000,
  containerRestart: 60_000,
  pvcBound: 180_000,
  pvcResized: 240_000,
  pvcDeleted: 120_000,
  pvDeleted: 180_000,
  // A CSI snapshot cut and ready to restore from (SC-08).
  snapshotReady: 180_000,
  // Pods one after another, each with a fresh volume.
  rollout: 360_000,
  scale: 300_000,
  dns: 60_000,
  endpoints: 60_000,
  // An exec's output may pause this long (an idle limit: a command still printing goes on, up to 10×).
  exec: 30_000,
  http: 15_000,
  // A request whose server is meant to die on it (podinfo's GET /panic): no answer will come.
  unanswered: 5_000,
  // GET /version before anything else: is the API server there at all?
  versionCheck: 10_000,
  // How long after a namespace is made global setup reads the NetworkPolicies a policy engine's
  // generate rule (Kyverno's) puts into every new namespace (lib/harness/network-preflight.ts).
  policiesGenerated: 5_000,
  // The suite's namespaces gone at the end of a run (or `npm run clean`): every object in them deleted.
  namespaceDeleted: 180_000,
  // A node's Ready condition changing: the node lifecycle controller marks a silent node Unknown after its grace period (40–50 s by default).
  nodeReadiness: 120_000,
  // A disruption (a drain, a restart) and what the cluster makes of it, as a whole.
  disruption: 600_000,
} as const
export type TimeoutName = keyof typeof base

export function timeout(name: TimeoutName, scale = timeoutScale()): number {
  return Math.round(base[name] * scale)
}

// The run's scale, from the claim's context (lib/k8s/claim-context.ts): SC_TIMEOUT_SCALE as global
// setup chose it, carried to every claim; 1 outside a claim (unit tests, scripts).
export const timeoutScale = (): number => runSettings().timeoutScale
