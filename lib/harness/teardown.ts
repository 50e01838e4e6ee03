// What happens after a test, in this order whatever its outcome: a failed
// test's diagnostics first, while everything it made is still there; then its
// own clean-up steps, last registered first; then its recorders stop, its
// Retain volumes are switched to Delete (so nothing stays Released), and its
// namespace goes. One function, so the order does not depend on which
// fixtures a test happens to use.
import { describeApiError, isNotFound } from '../k8s/kube.ts'

export interface CleanupStep {
  what: string
  undo: () => Promise<unknown>
}

export interface TestTeardown {
  failed: boolean
  // Writes the diagnostics; returns where.
  dump: () => Promise<string>
  cleanups: CleanupStep[]
  stopRecorders: () => void
  releaseVolumes: () => Promise<unknown>
  deleteNamespace: () => Promise<unknown>
}

export interface TeardownResult {
  diagnostics?: string
  // Clean-up steps that failed (a 404 counts as done), and a diagnostics dump that could not be written.
  errors: string[]
  // What may stay behind without the claim being wrong: Retain volumes that
  // could not be listed or switched to Delete (they go Released with the
  // namespace; `npm run clean` and the run's own sweep remove them).
  leftovers: string[]
}

export async function tearDownTest(t: TestTeardown): Promise<TeardownResult> {
  const errors: string[] = []
  const leftovers: string[] = []
  let diagnostics: string | undefined
  if (t.failed) {
    diagnostics = await t.dump().catch((err: unknown) => { errors.push(`diagnostics: ${describeApiError(err)}`); return undefined })
  }
  for (const step of [...t.cleanups].reverse()) {
    await step.undo().catch((err: unknown) => { if (!isNotFound(err)) errors.push(`${step.what}: ${describeApiError(err)}`) })
  }
  t.stopRecorders()
  // The claim's verdict is already made: volumes that could not be released are leftovers, not its failure.
  await t.releaseVolumes().catch((err: unknown) => {
    leftovers.push(`Retain volumes of the test's claims were not switched to Delete (${describeApiError(err)}): any left Released are leftovers, which \`npm run clean\` removes`)
  })
  await t.deleteNamespace()
  return { ...(diagnostics ? { diagnostics } : {}), errors, leftovers }
}
