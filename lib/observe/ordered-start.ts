// OrderedReady, as the StatefulSet documentation states it: pod N+1 is
// created only once pod N is Running and Ready. Checked on a Timeline (the
// order in which the API server committed the pod events), not on a listing.
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
// Reads every creation, so any gap in the recording makes it throw
// IncompleteRecording: a pod created in the gap, early or not, would go unseen.
export function orderedStartViolations(timeline: Timeline, pods: string[]): string[] {
  const events = timeline.completeEvents(`that ${pods.join(', ')} each started only after the one before was Running and Ready`)
  const problems: string[] = []
  for (let i = 1; i < pods.length; i++) {
    const [before, pod] = [pods[i - 1]!, pods[i]!]
    const creations = events.filter((e) => e.pod === pod && e.kind === 'created')
    if (!creations.length) problems.push(`${pod}: its creation was never observed`)
    for (const c of creations) {
      const s = stateBefore(events, before, c.seq)
      if (!(s.exists && s.running && s.ready)) problems.push(`${pod} was created (event #${c.seq}) while ${before} was ${describeState(s)}`)
    }
  }
  return problems
}
