// Waiting on a recording itself (a pod timeline, a ReplicaSet log): another
// watch (a StatefulSet's status, a pod) may report the end of a rollout a
// moment before the recorder's watch has delivered the events that prove it.
import { progress } from '../k8s/progress.ts'
import { type EventRef, refLabel, type Timeline } from './timeline.ts'
import { timeout as namedTimeout, type TimeoutName } from '../k8s/timeouts.ts'

export interface Recording {
  readonly source: string // e.g. "pod watch"
  subscribe(fn: () => void): () => void
  describe(): string
}

export function waitForRecording<R extends Recording>(timeline: R, what: string, until: (t: R) => boolean, timeout: TimeoutName = 'podReady'): Promise<void> {
  if (until(timeline)) return Promise.resolve()
  const limit = namedTimeout(timeout)
  progress(`waiting up to ${limit / 1000}s (${timeout}) for the ${timeline.source} to show ${what}`)
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(deadline)
      stop()
      if (err) reject(err)
      else resolve()
    }
    const stop = timeline.subscribe(() => {
      try {
        if (until(timeline)) done()
      } catch (err) {
        done(err as Error)
      }
    })
    const deadline = setTimeout(() => done(new Error(`timed out after ${limit / 1000}s (${timeout}) waiting for the ${timeline.source} to show ${what}\n${timeline.describe()}`)), limit)
  })
}

// Until every one of the events was observed.
export const waitForTimelineEvents = (timeline: Timeline, refs: EventRef[], timeout?: TimeoutName) =>
  waitForRecording(timeline, refs.map(refLabel).join(', '), (t) => refs.every((r) => t.find(r)), timeout)
