// Records every pod event in a namespace (optionally by label) into a
// Timeline, from before the action under test until the test ends.
import type { V1Pod } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { Timeline } from './timeline.ts'
import { resources, watchObjects } from '../k8s/watch.ts'

export interface PodEventRecorder {
  // Resolves once the watch is established: start it before the action.
  record(opts?: { selector?: string }): Promise<Timeline>
  timelines(): { selector: string; timeline: Timeline }[]
  stopAll(): void
}

export function podEventRecorder(kube: Kube, namespace: string): PodEventRecorder {
  const recordings: { selector: string; timeline: Timeline; stop: () => void }[] = []
  return {
    async record({ selector } = {}) {
      const timeline = new Timeline(Date.now(), `${namespace} (${selector ?? 'all pods'})`)
      timeline.watching = { kube, namespace, kind: 'Pod', labelSelector: selector }
      // A relist or a watch that ended is a gap in the timeline: the checks that read it fail, naming it.
      const stop = await watchObjects<V1Pod>(kube, resources.pods, { namespace, labelSelector: selector }, {
        onSync: (pods) => timeline.sync(pods),
        onEvent: (type, p) => timeline.observe(type, p),
        onRelist: (reason) => timeline.relisting(reason),
        onError: (err) => {
          console.warn(`pod event recorder (${namespace} ${selector ?? 'all pods'}) stopped: ${err.message}`)
          timeline.ended(`the watch ended: ${err.message}`)
        },
      })
      recordings.push({ selector: selector ?? '(all pods)', timeline, stop })
      return timeline
    },
    timelines: () => recordings.map(({ selector, timeline }) => ({ selector, timeline })),
    stopAll: () => { for (const r of recordings) r.stop() },
  }
}
