// What global setup hands to the workers (inject) and what tests record for
// the reporters (task meta).
import type { StepRecord } from '../k8s/claim-context.ts'
import type { AttachedTimeline } from '../observe/timeline-snapshot.ts'
import type { ClusterInfo, Measurements } from '../report/claims.ts'
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
    // Per selected class: declared and probed capabilities (lib/capability-probe.ts).
    storageCapabilities: Record<string, Capabilities>
    // Claims known not to hold on this cluster (SC_WAIVERS, lib/waivers.ts).
    waivers: Waivers
    // The directions in which each claim's namespace gets the suite's allow NetworkPolicy (network-preflight.ts); none: no policy.
    networkAllow: Direction[]
  }
  interface TaskMeta {
    claim?: string
    storageClass?: string | null
    steps?: StepRecord[]
    reason?: string
    // Parts of the claim this cluster could not show: the claim is partial (skipPart).
    unchecked?: string[]
    notes?: string[]
    diagnostics?: string
    // Per-class timings a claim measured (SC-06), carried into claims.json.
    measurements?: Measurements
    // Pod-event timelines drawn in the report (attachTimeline).
    timelines?: AttachedTimeline[]
    // A waived claim that failed: why it is waived, and what failed.
    waived?: { why: string; failure: string }
    // A waived claim that held after all (the run fails: remove the waiver).
    waiverUnneeded?: string
    // The step that threw (claim-run.ts): Then or And, the claim failed; any other, it is broken.
    failedStep?: { keyword: string; title: string }
    // Why the claim ran a second time (a gap in its first run's recording).
    rerun?: string
    // How long the claim waited for a slot at the run's gate before it began: not part of its duration.
    slotWaitMs?: number
  }
}

export { claimIdOf } from '../report/claims.ts' // defined with the report, which reads it too
