// What both vitest configurations share: vitest.config.ts (the unit tests and
// the claims) and vitest.disruption.config.ts (the DR claims, alone).
import type { InlineConfig } from 'vitest/node'

export function runOptions(reportsDir: string, scale: number): Pick<InlineConfig, 'watch' | 'teardownTimeout' | 'reporters'> {
  return {
    // `npx vitest` runs once, as `npx vitest run` does: against a cluster, watch mode would
    // hold the run's teardown (its namespaces, an embedded cluster) until you quit. `--watch` asks for it.
    watch: false,
    // Global teardown waits for the run's namespaces to go (and may stop the embedded cluster).
    teardownTimeout: 5 * 60_000 * scale,
    reporters: ['default', ['./lib/report/junit-reporter.ts', { outputFile: `${reportsDir}/junit.xml` }], './lib/report/reporter.ts'],
  }
}

// A project of claims: the run's global setup (cluster, probe, gate) and each claim's context (worker setup).
export const claimHarness = (): Pick<InlineConfig, 'globalSetup' | 'setupFiles' | 'pool'> => ({
  globalSetup: ['./lib/harness/global-setup.ts'],
  setupFiles: ['./lib/harness/worker-setup.ts'],
  pool: 'threads',
})
