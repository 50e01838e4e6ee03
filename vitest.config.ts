import { defineConfig } from 'vitest/config'
import { concurrencyLimits, configOptions, provisionalScale } from './lib/options/options.ts'
import { claimHarness, runOptions } from './lib/harness/vitest-shared.ts'

// SC_TIMEOUT_SCALE stretches vitest's own limits as it does the named timeouts
// (lib/k8s/timeouts.ts); 'auto' is measured only in global setup, so these
// outer limits allow for a slow cluster. A bad value is reported by global setup, in one line.
// SC_CONCURRENCY bounds the claims vitest offers; the run's gate lets through
// as many of them as the cluster takes (lib/harness/gate-server.ts).
const { timeoutScale, concurrency } = configOptions(process.env)
const scale = provisionalScale(timeoutScale)
const limits = concurrencyLimits(concurrency)

// Two projects: `unit` (lib's own logic, no cluster, seconds) and `specs`
// (the claims, against a real cluster). `npx vitest` runs both, the unit tests
// first: vitest runs its groups (sequence.groupOrder) one after another, each
// with its project's maxWorkers, and refuses two projects of one group whose
// maxWorkers differ (unit's follows the cores, specs' SC_CONCURRENCY: issue 21).
// Not group 0: there vitest would move a project with maxWorkers 1 (unit on a
// machine of 1 or 2 cores) to a group of its own after all others.
// lib/harness/vitest-config.test.ts checks this on 1 to 16 cores.
export default defineConfig({
  test: {
    ...runOptions(process.env.SC_REPORTS_DIR || 'reports', scale),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'cluster/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'specs',
          include: ['specs/**/*.spec.ts'],
          // The DR claims disturb the cluster: they run alone (vitest.disruption.config.ts, npm run test:disruption).
          exclude: ['specs/disruption/**'],
          ...claimHarness(),
          // Waits carry their own named timeouts (lib/k8s/timeouts.ts) and fail
          // with what they saw; this outer limit only catches a hung test (its
          // wait for a slot at the run's gate included).
          testTimeout: 20 * 60_000 * scale,
          hookTimeout: 5 * 60_000 * scale,
          // Every claim has a namespace of its own and its own recordings:
          // claims run concurrently, within files as across them.
          sequence: { concurrent: true, groupOrder: 2 },
          maxWorkers: limits.workers,
          maxConcurrency: limits.perFile,
          fileParallelism: true,
        },
      },
    ],
  },
})
