// What a claim records for its entry in the reports, beside its verdict: why
// it was skipped, notes, attached timelines. A [sc] claim that needs a
// capability the class lacks is skipped, naming what is missing; one the
// class has goes on (and fails if it does not hold).
import { inject, type TaskMeta, type TestContext } from 'vitest'
import { progress } from '../k8s/progress.ts'
import type { EventRef, Timeline } from '../observe/timeline.ts'
import { snapshotTimeline } from '../observe/timeline-snapshot.ts'
import { missingCapability, type Capabilities, type Capability } from '../storage/capabilities.ts'

// Skips the running claim at run time, printing and recording why.
export function skipClaim(ctx: Pick<TestContext, 'task' | 'skip'>, reason: string): never {
  ctx.task.meta.reason = reason
  console.log(`[${ctx.task.name}] SKIPPED: ${reason}`)
  return ctx.skip(reason)
}

// Something the claim's entry in the reports should carry, printed as well.
export function claimNote(ctx: Pick<TestContext, 'task'>, text: string): void {
  ;(ctx.task.meta.notes ??= []).push(text)
  progress(text)
}

// Part of a claim the cluster cannot show: the claim's entry says so, the rest still counts.
export const skipPart = (ctx: Pick<TestContext, 'task'>, reason: string): void => claimNote(ctx, `not checked: ${reason}`)

type AttachableTask = { meta: TaskMeta; context?: Pick<TestContext, 'onTestFinished'> }

// Attaches the timeline now and again when the test finishes, so the report
// holds every event up to the end even when a step fails halfway. `expected`
// names the events the claim orders; the picture numbers them.
export function attachTimeline(task: Readonly<AttachableTask>, title: string, timeline: Timeline, expected: EventRef[] = []): void {
  const list = (task.meta.timelines ??= [])
  const index = list.push(snapshotTimeline(title, timeline, expected)) - 1
  task.context?.onTestFinished(() => { list[index] = snapshotTimeline(title, timeline, expected) })
}

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
