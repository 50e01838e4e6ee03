// Runs in every spec worker: sets what global setup decided (timeout scale,
// image overrides, the least a claim of each class asks for), then runs each
// test as a claim (claim-run.ts): its step log and claim id, its waiver, and
// its second run when a check meets a gap.
import { aroundEach, beforeAll, inject } from 'vitest'
import { setDefaultClaimClass, setFixtureRewrite } from '../k8s/manifests.ts'
import { setTimeoutScale } from '../k8s/timeouts.ts'
import { claimMinimumOf } from '../storage/minimum-size.ts'
import { rerunTestsOnGap, runClaim } from './claim-run.ts'
import { rewriteImages } from './images.ts'
import { parseOptions } from '../options/options.ts'

setTimeoutScale(inject('timeoutScale'))
setFixtureRewrite((text) => rewriteImages(text, inject('images')))
// Claims of a class with a minimum size ask for at least it (the probe learned it; SC_MIN_CLAIM_SIZE).
setDefaultClaimClass(inject('storageClasses')[0], claimMinimumOf(inject('storageCapabilities') ?? {}, parseOptions(process.env).minClaimSize))

// biome-ignore lint/correctness/noEmptyPattern: vitest reads which fixtures a hook needs from its first parameter, which must be a pattern
beforeAll(({}, file) => rerunTestsOnGap(file))
// A write the class's volumes refuse (fsGroup not applied) skips the claim; its volumes are on its own class, or the run's first.
const classOf = (task: { meta: { storageClass?: string | null } }) => inject('storageCapabilities')?.[task.meta.storageClass ?? inject('storageClasses')[0] ?? '']
aroundEach((runTest, { task }) => runClaim(runTest, task, inject('waivers'), classOf))
