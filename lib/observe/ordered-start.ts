// OrderedReady, as the StatefulSet documentation states it: pod N+1 is
// created only once pod N is Running and Ready. Checked on a Timeline (the
// order in which the API server committed the pod events), not on a listing.
import { IncompleteRecording } from './gaps.ts'
import type { PodEvent, Timeline } from './timeline.ts'

interface State {
  exists: boolean
  running: boolean
  ready: boolean
}

// The state of the pod named `pod` just before event number `seq`.
function stateBefore(events: PodEvent[], pod: string, seq: number): State {
  let s: State = { exists: false, running: false, ready: false }
  for (const e of events) {
    if (e.seq >= seq) break
    if (e.pod !== pod) continue
    switch (e.kind) {
      case 'present':
      case 'created': s = { exists: true, running: false, ready: false }; break
      case 'running': s.running = true; break
      // Timeline.sync records no 'running' for pods already there: Ready implies Running.
      case 'ready': s.ready = true; if (e.incarnation === 'old') s.running = true; break
      case 'unready': s.ready = false; break
      case 'terminating':
      case 'deleted': s = { exists: false, running: false, ready: false }; break
    }
  }
  return s
}

const describeState = (s: State) =>
  !s.exists ? 'absent or terminating' : [s.running ? 'Running' : 'not Running', s.ready ? 'Ready' : 'not Ready'].join(' and ')

// For each pod after the first, each time it was created: was its predecessor
// Running and Ready then? One line per creation that broke the rule, or a
// predecessor's successor that was never created; empty when the order held.
// With a gap in the recording: a creation seen as it happened, outside the gap,
// that broke the rule is a violation whatever the gap hid (the predecessor's
// state before it is known: seen, or listed again at the relist); when there is
// none, the gap may hide one (a pod created in it, early or not), and it throws
// IncompleteRecording.
export function orderedStartViolations(timeline: Timeline, pods: string[]): string[] {
  const what = `that ${pods.join(', ')} each started only after the one before was Running and Ready`
  const events = timeline.events
  const problems: string[] = []
  for (let i = 1; i < pods.length; i++) {
    const [before, pod] = [pods[i - 1]!, pods[i]!]
    const creations = events.filter((e) => e.pod === pod && e.kind === 'created')
    if (!creations.length) problems.push(`${pod}: its creation was never observed`)
    for (const c of creations) {
      if (timeline.gapAround(c.seq)) continue // created in a gap: when, against its predecessor, is unknown
      const s = stateBefore(events, before, c.seq)
      if (!(s.exists && s.running && s.ready)) problems.push(`${pod} was created (event #${c.seq}) while ${before} was ${describeState(s)}`)
    }
  }
  const gap = timeline.gaps[0]
  const seenBroken = problems.filter((p) => !p.endsWith('never observed'))
  if (gap && !seenBroken.length) throw new IncompleteRecording(timeline, gap, what)
  return gap ? seenBroken : problems
}
