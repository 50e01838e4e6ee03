// What global setup hands to the workers (inject) and what tests record for
// the reporters (task meta).
import type { StepRecord } from './steps.ts'
import type { ImageName } from './images.ts'

export interface ClusterInfo {
  server: string
  context: string | null
  version: string
  nodes: number
  schedulableNodes: number
  embedded: boolean
}

declare module 'vitest' {
  interface ProvidedContext {
    kubeconfigPath: string | null
    kubeContext: string | null
    runId: string
    storageClasses: string[]
    timeoutScale: number
    images: Record<ImageName, string>
    reportsDir: string
    cluster: ClusterInfo
  }
  interface TaskMeta {
    claim?: string
    storageClass?: string | null
    steps?: StepRecord[]
    reason?: string
    notes?: string[]
    diagnostics?: string
  }
}

export const claimIdPattern = /^((?:Q\d+|SC)-\d+)\b/

export function claimIdOf(title: string): string | undefined {
  return claimIdPattern.exec(title)?.[1]
}
