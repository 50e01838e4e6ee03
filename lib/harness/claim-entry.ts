// What a claim records for its entry in the reports, beside its verdict: why
// it was skipped, notes, attached timelines. A [sc] claim that needs a
// capability the class lacks is skipped, naming what is missing; one the
// class has goes on (and fails if it does not hold).
import { inject, type TaskMeta, type TestContext } from 'vitest'
import { progress } from '../k8s/claim-context.ts'
import type { Kube } from '../k8s/kube.ts'
import { DisruptionNotes, watchBudget } from '../observe/disruption-notes.ts'
import type { PodEventRecorder } from '../observe/pod-events.ts'
import type { EventRef, Timeline } from '../observe/timeline.ts'
import { snapshotTimeline } from '../observe/timeline-snapshot.ts'
import { missingCapability, type Capabilities, type Capability } from '../storage/capabilities.ts'

// What specs use from layers they do not import: progress() prints a line and
// keeps it on the running step; claimNote() below also puts it in the claim's entry.
export { progress } from '../k8s/claim-context.ts'
export { missingCapability, unboundHoldMs, type Capabilities } from '../storage/capabilities.ts'
export { snapshotAndCloneHalves } from '../storage/advanced.ts'

// The running test (a spec's `task`): its entry is task.meta, its context task.context.
type ClaimTask = TestContext['task']

// Skips the running claim at run time, printing and recording why.
export function skipClaim(task: ClaimTask, reason: string): never {
  task.meta.reason = reason
  console.log(`[${task.name}] SKIPPED: ${reason}`)
  return task.context.skip(reason)
}

// Something the claim's entry in the reports should carry, printed as well.
export function claimNote(task: ClaimTask, text: string): void {
  ;(task.meta.notes ??= []).push(text)
  progress(text)
}

// Part of a claim the cluster cannot show (one node, a capability the class
// lacks): the claim is reported partial, naming the part, never passed; what
// was checked must still hold. The part is also a test annotation, which the
// JUnit report carries as the property partial="<part>" (vitest awaits it).
export function skipPart(task: ClaimTask, part: string): void {
  ;(task.meta.unchecked ??= []).push(part)
  progress(`not checked on this cluster: ${part}`)
  void task.context.annotate(part, 'partial')
}

type AttachableTask = { meta: TaskMeta; context?: Pick<TestContext, 'onTestFinished'> }

// Attaches the timeline now and again when the test finishes, so the report
// holds every event up to the end even when a step fails halfway. `expected`
// names the events the claim orders; the picture numbers them.
export function attachTimeline(task: Readonly<AttachableTask>, title: string, timeline: Timeline, expected: EventRef[] = [], notes?: DisruptionNotes): void {
  const list = (task.meta.timelines ??= [])
  const index = list.push(snapshotTimeline(title, timeline, expected, Date.now(), notes)) - 1
  task.context?.onTestFinished(() => { list[index] = snapshotTimeline(title, timeline, expected, Date.now(), notes) })
}

// Starts recording the pods `selector` matches, attached to the claim's entry as attachTimeline does.
export async function recordTimeline(task: Readonly<AttachableTask>, podEvents: PodEventRecorder, selector: string, title: string, expected: EventRef[] = [], notes?: DisruptionNotes): Promise<Timeline> {
  const timeline = await podEvents.record({ selector })
  attachTimeline(task, title, timeline, expected, notes)
  return timeline
}

// A DR claim's timeline (recordTimeline's), with its disruptions drawn as the When steps run them
// through `notes.during`, and, given `budget`, that PodDisruptionBudget's allowed disruptions
// watched until the test ends.
export async function recordDisruptionTimeline(task: Readonly<AttachableTask>, podEvents: PodEventRecorder, selector: string, title: string,
  { budget, expected = [] }: { budget?: { kube: Kube; namespace: string; name: string }; expected?: EventRef[] } = {}): Promise<{ timeline: Timeline; notes: DisruptionNotes }> {
  const notes = new DisruptionNotes()
  if (budget) {
    // A picture, not a check: a budget watch that cannot start leaves the lane out, not the claim broken.
    const stop = await watchBudget(budget.kube, budget.namespace, budget.name, notes).catch((err: Error) => {
      console.warn(`budget watch (${budget.namespace}/${budget.name}) did not start: ${err.message}; the timeline has no budget lane`)
      return () => undefined
    })
    task.context?.onTestFinished(stop)
  }
  return { timeline: await recordTimeline(task, podEvents, selector, title, expected, notes), notes }
}

// What global setup detected for the class (see the start of the run's output).
export function capabilitiesOf(storageClass: string): Capabilities {
  const c = inject('storageCapabilities')?.[storageClass]
  if (!c) throw new Error(`no capabilities were detected for StorageClass ${storageClass} (is it among SC_STORAGE_CLASSES?)`)
  return c
}

// Skips the running claim unless the class (the `capabilities` fixture) has the capability.
export function requireCapability(task: ClaimTask, capabilities: Capabilities, capability: Capability): void {
  const missing = missingCapability(capabilities, capability)
  if (missing) skipClaim(task, missing)
}
