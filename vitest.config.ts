import { defineConfig } from 'vitest/config'
import { concurrencyLimits, defaultConcurrency, parseOptions } from './lib/harness/options.ts'

// SC_TIMEOUT_SCALE stretches vitest's own limits as it does the named timeouts
// (lib/k8s/timeouts.ts). A bad value is reported by global setup, in one line.
// SC_CONCURRENCY bounds the claims in flight (lib/harness/options.ts).
const { timeoutScale: scale, concurrency } = (() => {
  try {
    return parseOptions(process.env)
  } catch {
    return { timeoutScale: 1, concurrency: defaultConcurrency }
  }
})()
const limits = concurrencyLimits(concurrency)

// Two projects: `unit` (lib's own logic, no cluster, seconds) and `specs`
// (the claims, against a real cluster). `npx vitest` runs both.
export default defineConfig({
  test: {
    // Global teardown waits for the run's namespaces to go (and may stop the embedded cluster).
    teardownTimeout: 5 * 60_000 * scale,
    reporters: [
      'default',
      ['./lib/report/junit-reporter.ts', { outputFile: process.env.SC_REPORTS_DIR ? `${process.env.SC_REPORTS_DIR}/junit.xml` : 'reports/junit.xml' }],
      './lib/report/reporter.ts',
    ],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'cluster/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'specs',
          include: ['specs/**/*.spec.ts'],
          globalSetup: ['./lib/harness/global-setup.ts'],
          setupFiles: ['./lib/harness/worker-setup.ts'],
          // Waits carry their own named timeouts (lib/k8s/timeouts.ts) and fail
          // with what they saw; this outer limit only catches a hung test.
          testTimeout: 15 * 60_000 * scale,
          hookTimeout: 5 * 60_000 * scale,
          pool: 'threads',
          // Every claim has a namespace of its own and its own recordings:
          // claims run concurrently, within files as across them.
          sequence: { concurrent: true },
          maxWorkers: limits.workers,
          maxConcurrency: limits.perFile,
          fileParallelism: true,
        },
      },
    ],
  },
})
