// How many pods of a Timeline were alive (not terminating) and Ready at every
// observed instant: a Deployment's rollout bounds (Q4-03), a budget through a
// drain or an upgrade (DR-01, DR-05). A count read over
// a gap in the recording is judged as gaps.ts says: below the floor outside
// the gap, the bound was broken whatever the gap hid; otherwise the gap may
// hide a lower count, and the check throws IncompleteRecording, unless at
// least `floor` pods were Ready through the whole gap (Timeline.readyThroughout:
// an API server restarted while nothing moved, as in an upgrade's first step).
import { IncompleteRecording } from './gaps.ts'
import type { PodEvent, Timeline } from './timeline.ts'

// The fewest pods alive, not terminating and Ready after any event since
// recording began, and the first event after which that many were.
export function fewestReady(timeline: Timeline, floor: number): { minReady: number; after?: PodEvent } {
  let fewest: { minReady: number; after?: PodEvent } = { minReady: Number.POSITIVE_INFINITY }
  for (const { e, ready, real } of timeline.population()) if (real && ready < fewest.minReady) fewest = { minReady: ready, after: e }
  const gap = timeline.gaps.find((g) => timeline.readyThroughout(g).length < floor)
  if (gap && !(fewest.minReady < floor)) throw new IncompleteRecording(timeline, gap, `that at least ${floor} pods were Ready at every instant`)
  return Number.isFinite(fewest.minReady) ? fewest : { minReady: 0 }
}

// The largest number of pods alive and not terminating, and the smallest
// number of those Ready, at any observed instant since recording began: for
// the report, from a whole recording only.
export function podCounts(timeline: Timeline): { maxPods: number; minReady: number } {
  timeline.completeEvents('the number of pods alive and Ready at every instant')
  let maxPods = 0
  let minReady = Number.POSITIVE_INFINITY
  for (const { alive, ready } of timeline.population()) {
    maxPods = Math.max(maxPods, alive)
    minReady = Math.min(minReady, ready)
  }
  return { maxPods, minReady: Number.isFinite(minReady) ? minReady : 0 }
}

// The stretches during which more than `maxPods` pods were alive and not
// terminating: from the event that went over to the one that came back
// (none if it never did), with the peak and how long it lasted.
export function overshoots(timeline: Timeline, maxPods: number): { from: PodEvent; to?: PodEvent; peak: number; ms: number }[] {
  timeline.completeEvents(`every stretch with more than ${maxPods} pods alive`)
  const found: { from: PodEvent; to?: PodEvent; peak: number; ms: number }[] = []
  let open: (typeof found)[number] | undefined
  for (const { e, alive } of timeline.population()) {
    if (alive > maxPods) {
      if (!open) found.push(open = { from: e, peak: alive, ms: 0 })
      open.peak = Math.max(open.peak, alive)
    } else if (open) {
      open.to = e
      open.ms = e.at - open.from.at
      open = undefined
    }
  }
  return found
}
