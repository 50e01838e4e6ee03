// Waiting on a recording itself (a pod timeline, a ReplicaSet log): another
// watch (a StatefulSet's status, a pod) may report the end of a rollout a
// moment before the recorder's watch has delivered the events that prove it.
// A wait proves nothing (the checks on the recording do); but once the
// recording's watch has ended, nothing it waits for can come: it fails at once.
// As waitFor, it ends when the recording stops growing for the named timeout (each new event restarts
// it), or at three times that.
import { describeExpiry, progressDeadline } from '../k8s/deadline.ts'
import type { Kube } from '../k8s/kube.ts'
import { onClaimStopped, progress } from '../k8s/claim-context.ts'
import { stallGuard, waitCapFactor } from '../wait/wait-for.ts'
import { type Gap, IncompleteRecording, type RecordingName } from './gaps.ts'
import { type EventRef, findEvent, refLabel, type Timeline } from './timeline.ts'
import { timeout as namedTimeout, type TimeoutName } from '../k8s/timeouts.ts'

export interface Recording extends RecordingName {
  readonly source: string // e.g. "pod watch"
  readonly gaps: readonly Gap[]
  readonly watching?: { kube: Kube; namespace: string; kind: string; labelSelector?: string }
  subscribe(fn: () => void): () => void
  describe(): string
}

// until may throw (e.g. IncompleteRecording from a check over a gap): the wait fails with it.
export function waitForRecording<R extends Recording>(recording: R, what: string, until: (t: R) => boolean, timeout: TimeoutName = 'podReady'): Promise<void> {
  // Settled (true), still waiting (false), or throws.
  const settled = (): boolean => {
    const ended = recording.gaps.find((g) => g.final)
    if (ended) throw new IncompleteRecording(recording, ended, what)
    return until(recording)
  }
  try {
    if (settled()) return Promise.resolve()
  } catch (err) {
    return Promise.reject(err as Error)
  }
  const limit = namedTimeout(timeout)
  progress(`waiting for the ${recording.source} to show ${what} (up to ${limit / 1000}s without a new event, ${(waitCapFactor * limit) / 1000}s in all; ${timeout})`)
  return new Promise((resolve, reject) => {
    let finished = false
    let unlisten: (() => void) | undefined
    const done = (err?: Error) => {
      if (finished) return
      finished = true
      deadline.stop()
      unguard()
      unlisten?.()
      stop()
      if (err) reject(err)
      else resolve()
    }
    const deadline = progressDeadline({
      idleMs: limit, capMs: waitCapFactor * limit,
      onExpire: (e) => done(new Error(`timed out waiting for the ${recording.source} to show ${what}: ${describeExpiry(e, 'new event')} (${timeout})\n${recording.describe()}`)),
    })
    let seen = recording.describe()
    const stop = recording.subscribe(() => {
      try {
        const now = recording.describe()
        if (now !== seen) deadline.touch(now.split('\n').at(-1)?.trim())
        seen = now
        if (settled()) done()
      } catch (err) {
        done(err as Error)
      }
    })
    const unguard = stallGuard(recording.watching, `the ${recording.source} to show ${what}`, done)
    // The claim stopped (its test timed out, the run was interrupted): the wait ends at once.
    unlisten = onClaimStopped((e) => done(new Error(`stopped waiting for the ${recording.source} to show ${what}: ${e.message}`, { cause: e })))
  })
}

// Until every one of the events was observed. Seen after a gap counts here:
// the recording has caught up; whether it proves an order is for the check.
export const waitForTimelineEvents = (timeline: Timeline, refs: EventRef[], timeout?: TimeoutName) =>
  waitForRecording(timeline, refs.map(refLabel).join(', '), (t) => refs.every((r) => findEvent(t.events, r)), timeout)

// Watches the recording for `ms` and resolves with what it saw, unless `violation` names something
// it sees first: then it resolves at once with that. A hold, not a wait: nothing is expected to
// happen, and a claim that forbids something for a while (DR-02) needs the whole stretch watched.
export function watchRecordingFor<R extends Recording>(recording: R, ms: number, violation: (t: R) => string | undefined): Promise<string | undefined> {
  const now = violation(recording)
  if (now) return Promise.resolve(now)
  progress(`watching the ${recording.source} for ${(ms / 1000).toFixed(0)}s`)
  return new Promise((resolve, reject) => {
    let finished = false
    let unlisten: (() => void) | undefined
    const end = () => {
      finished = true
      clearTimeout(timer)
      stop()
      unlisten?.()
    }
    const done = (seen: string | undefined) => {
      if (finished) return
      end()
      resolve(seen)
    }
    const timer = setTimeout(() => done(violation(recording)), ms)
    const stop = recording.subscribe(() => {
      const seen = violation(recording)
      if (seen) done(seen)
    })
    // The claim stopped: the hold ends at once, with no verdict on the stretch it did not watch.
    unlisten = onClaimStopped((e) => {
      if (finished) return
      end()
      reject(new Error(`stopped watching the ${recording.source}: ${e.message}`, { cause: e }))
    })
  })
}
