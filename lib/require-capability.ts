// A [sc] claim that needs a capability the class lacks is skipped, naming
// what is missing; one the class has goes on (and fails if it does not hold).
import type { TestContext } from 'vitest'
import { inject } from 'vitest'
import { missingCapability, type Capabilities, type Capability } from './capabilities.ts'
import { skipClaim } from './suite.ts'

// What global setup detected for the class (see the start of the run's output).
export function capabilitiesOf(storageClass: string): Capabilities {
  const c = inject('storageCapabilities')?.[storageClass]
  if (!c) throw new Error(`no capabilities were detected for StorageClass ${storageClass} (is it among SC_STORAGE_CLASSES?)`)
  return c
}

// Skips the running claim unless the class has the capability; returns its capabilities.
export function requireCapability(ctx: Pick<TestContext, 'task' | 'skip'>, storageClass: string, capability: Capability): Capabilities {
  const c = capabilitiesOf(storageClass)
  const missing = missingCapability(c, capability)
  if (missing) skipClaim(ctx, missing)
  return c
}
