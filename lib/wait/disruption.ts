// Waits of the DR claims: a PodDisruptionBudget's status, a node's readiness,
// the control plane's eviction of a lost zone's pods, and a hold that watches pods.
import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { onClaimStopped, progress } from '../k8s/claim-context.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { describePods } from '../resources/pods.ts'
import { watchObjectSet } from './object-set.ts'
import { waitFor, waitForNamed } from './wait-for.ts'

export const describeBudget = (b: V1PodDisruptionBudget) =>
  `observed generation ${b.status?.observedGeneration ?? '-'}/${b.metadata?.generation}, healthy ${b.status?.currentHealthy ?? '-'}/${b.status?.expectedPods ?? '-'} ` +
  `(desired ${b.status?.desiredHealthy ?? '-'}), disruptions allowed ${b.status?.disruptionsAllowed ?? '-'}`

export function waitForBudget(kube: Kube, namespace: string, name: string, what: string,
  until: (b: V1PodDisruptionBudget) => boolean, timeout: TimeoutName = 'podReady'): Promise<V1PodDisruptionBudget> {
  return waitForNamed<V1PodDisruptionBudget>(kube, {
    what: `PodDisruptionBudget ${namespace}/${name} ${what}`, timeout, resource: resources.podDisruptionBudgets, namespace, name, until,
    absent: 'no such PodDisruptionBudget', describe: describeBudget,
  })
}

export const nodeReadiness = (n: V1Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown'

export function waitForNode(kube: Kube, name: string, what: string, until: (n: V1Node) => boolean, timeout: TimeoutName = 'nodeReadiness'): Promise<V1Node> {
  return waitForNamed<V1Node>(kube, {
    what: `node ${name} ${what}`, timeout, resource: resources.nodes, name, until, absent: 'no such node',
    describe: (n) => `Ready=${nodeReadiness(n)}${n.spec?.unschedulable ? ', cordoned' : ''}, taints ${(n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(' ') || 'none'}`,
  })
}

// Until the control plane has acted on each pod of a lost zone (terminating, gone, or replaced: evicted
// once its node is tainted unreachable and the pod's toleration runs out), or `violations` names
// something it must not see first: those, or none once every pod was acted on.
export function waitForLostPodsEvicted(kube: Kube, namespace: string, labelSelector: string, lost: { pod: string; uid: string }[],
  violations: (pods: V1Pod[]) => string[]): Promise<string[]> {
  const actedOn = (pods: V1Pod[], l: { pod: string; uid: string }) => {
    const p = pods.find((x) => x.metadata?.name === l.pod)
    return !p || p.metadata?.uid !== l.uid || !!p.metadata?.deletionTimestamp
  }
  return waitFor<V1Pod, string[]>(kube, {
    what: `the control plane to evict ${lost.map((l) => l.pod).join(' and ')} (each terminating, gone or replaced; pods ${namespace} -l ${labelSelector})`,
    timeout: 'disruption', resource: resources.pods, query: { namespace, labelSelector },
    until: (pods) => {
      const seen = violations(pods)
      return seen.length ? seen : lost.every((l) => actedOn(pods, l)) ? [] : undefined
    },
    describe: describePods,
  })
}

// Watches the pods for `ms` and resolves with what `violations` names, at once when it names
// something, or at the end with none. A hold, not a wait: nothing is expected to happen, and a claim
// that forbids something for a while needs the whole stretch watched.
export function watchPodsFor(kube: Kube, namespace: string, labelSelector: string, ms: number, violations: (pods: V1Pod[]) => string[]): Promise<string[]> {
  progress(`watching pods ${namespace} -l ${labelSelector} for ${(ms / 1000).toFixed(0)}s`)
  return new Promise((resolve, reject) => {
    let pods: V1Pod[] = []
    let finished = false
    let stop: (() => void) | undefined
    let unlisten: (() => void) | undefined
    const finish = (err: Error | undefined, seen: string[] = []) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      unlisten?.()
      stop?.()
      if (err) reject(err)
      else resolve(seen)
    }
    const timer = setTimeout(() => finish(undefined, violations(pods)), ms)
    // The claim stopped: the hold ends at once, with no verdict on the stretch it did not watch.
    unlisten = onClaimStopped((e) => finish(new Error(`stopped watching pods ${namespace} -l ${labelSelector}: ${e.message}`, { cause: e })))
    if (finished) return
    stop = watchObjectSet<V1Pod>(kube, resources.pods, { namespace, labelSelector }, {
      onChange: (now) => {
        pods = now
        const seen = violations(pods)
        if (seen.length) finish(undefined, seen)
      },
      onError: (err) => finish(err),
    })
    if (finished) stop()
  })
}
