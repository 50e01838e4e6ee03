// Waits of the DR claims: a PodDisruptionBudget's status, a node's readiness.
import type { V1Node, V1PodDisruptionBudget } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { waitForNamed } from './wait-for.ts'

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
