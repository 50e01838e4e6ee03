// Runs in every spec worker: runs each test as a claim (claim-run.ts) in its
// own context, which carries what global setup decided (timeout scale, image
// overrides, the least a claim of each class asks for) and the test's signal;
// its waiver, and its second run when a check meets a gap.
import { aroundEach, beforeAll, inject } from 'vitest'
import type { RunSettings } from '../k8s/claim-context.ts'
import { claimMinimumOf } from '../storage/minimum-size.ts'
import { rerunTestsOnGap, runClaim } from './claim-run.ts'
import { rewriteImages } from './images.ts'
import { parseOptions } from '../options/options.ts'

// What global setup decided, carried into every claim's context (lib/k8s/claim-context.ts).
const settings: RunSettings = {
  timeoutScale: inject('timeoutScale'),
  rewriteFixture: (text) => rewriteImages(text, inject('images')),
  defaultClaimClass: inject('storageClasses')[0],
  // Claims of a class with a minimum size ask for at least it (the probe learned it; SC_MIN_CLAIM_SIZE).
  claimMinimumOf: claimMinimumOf(inject('storageCapabilities') ?? {}, parseOptions(process.env).minClaimSize),
}

// biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a hook needs from its first parameter, which must be a pattern
beforeAll(({}, file) => rerunTestsOnGap(file))
// A write the class's volumes refuse (fsGroup not applied) skips the claim; its volumes are on its own class, or the run's first.
const classOf = (task: { meta: { storageClass?: string | null } }) => inject('storageCapabilities')?.[task.meta.storageClass ?? inject('storageClasses')[0] ?? '']
// The test's signal goes into its context: a test that times out, or a run interrupted, stops its waits at once.
aroundEach((runTest, { task, signal }) => runClaim(runTest, task, { waivers: inject('waivers'), classOf, settings, signal }))
