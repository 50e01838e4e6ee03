// What global setup hands to the workers (inject) and what tests record for
// the reporters (task meta).
import type { ClaimMeta, ClusterInfo, Measurements } from '../report/claims.ts'
import type { Direction } from '../resources/network-policies.ts'
import type { Capabilities } from '../storage/capabilities.ts'
import type { ImageName } from './images.ts'
import type { Waivers } from './waivers.ts'

export type { ClusterInfo, Measurements }

declare module 'vitest' {
  interface ProvidedContext {
    kubeconfigPath: string | null
    kubeContext: string | null
    runId: string
    storageClasses: string[]
    timeoutScale: number
    // The run's gate for claims in flight (gate-server.ts).
    gateUrl: string | null
    images: Record<ImageName, string>
    reportsDir: string
    cluster: ClusterInfo
    // Per selected class: declared and probed capabilities (lib/storage/probe.ts).
    storageCapabilities: Record<string, Capabilities>
    // Claims known not to hold on this cluster (SC_WAIVERS, lib/waivers.ts).
    waivers: Waivers
    // The directions in which each claim's namespace gets the suite's allow NetworkPolicy (network-preflight.ts); none: no policy.
    networkAllow: Direction[]
    // SC_NAMESPACE: the one namespace every claim runs in (lib/k8s/given-namespace.ts); null: a namespace per claim.
    givenNamespace: string | null
  }
  // Declared once, with the report that reads it back (lib/report/claims.ts).
  interface TaskMeta extends ClaimMeta {}
}

export { claimIdOf } from '../report/claims.ts' // defined with the report, which reads it too
