import { defineConfig } from 'vitest/config'
import { configOptions, provisionalScale } from './lib/options/options.ts'
import { claimHarness, runOptions } from './lib/harness/vitest-shared.ts'

// The DR claims (specs/disruption/, `npm run test:disruption`): each disturbs
// the cluster on purpose (a drain, a node stopped, the control plane
// restarted), so none shares it with another claim in flight: one worker, one
// claim at a time, after the rest of the suite (vitest.config.ts excludes them).
// Same setup, clean-up and reports as the specs; reports/disruption unless SC_REPORTS_DIR says otherwise.
const { timeoutScale } = configOptions(process.env)
const scale = provisionalScale(timeoutScale)
process.env.SC_REPORTS_DIR ??= 'reports/disruption'

export default defineConfig({
  test: {
    ...runOptions(process.env.SC_REPORTS_DIR, scale),
    projects: [
      {
        test: {
          name: 'disruption',
          include: ['specs/disruption/**/*.spec.ts'],
          ...claimHarness(),
          testTimeout: 30 * 60_000 * scale,
          hookTimeout: 5 * 60_000 * scale,
          sequence: { concurrent: false },
          maxWorkers: 1,
          maxConcurrency: 1,
          fileParallelism: false,
        },
      },
    ],
  },
})
