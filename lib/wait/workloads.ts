// Waits on StatefulSets and Deployments: a condition on their status, a finished rollout.
import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import type { TimeoutName } from '../k8s/timeouts.ts'
import { resources } from '../k8s/watch.ts'
import { waitFor, waitForNamed } from './wait-for.ts'

export function waitForStatefulSet(kube: Kube, namespace: string, name: string, what: string,
  until: (sts: V1StatefulSet) => boolean, timeout: TimeoutName = 'rollout'): Promise<V1StatefulSet> {
  return waitForNamed<V1StatefulSet>(kube, {
    what: `StatefulSet ${namespace}/${name} ${what}`, timeout, resource: resources.statefulSets, namespace, name, until, absent: 'no such StatefulSet',
    describe: (s) => `generation ${s.metadata?.generation}/observed ${s.status?.observedGeneration}, ready ${s.status?.readyReplicas ?? 0}/${s.spec?.replicas}, updated ${s.status?.updatedReplicas ?? 0}, current ${s.status?.currentRevision}, update ${s.status?.updateRevision}`,
  })
}

export const waitForStatefulSetRolledOut = (kube: Kube, namespace: string, name: string) =>
  waitForStatefulSet(kube, namespace, name, 'to finish its rollout', (s) =>
    s.status?.observedGeneration === s.metadata?.generation && (s.status?.readyReplicas ?? 0) === s.spec?.replicas &&
    (s.status?.updatedReplicas ?? 0) === s.spec?.replicas && s.status?.currentRevision === s.status?.updateRevision)

export function waitForDeploymentAvailable(kube: Kube, namespace: string, name: string): Promise<V1Deployment> {
  return waitFor<V1Deployment, V1Deployment>(kube, {
    what: `Deployment ${namespace}/${name} to be rolled out and available`, timeout: 'rollout', resource: resources.deployments,
    query: { namespace, fieldSelector: `metadata.name=${name}` },
    until: ([d]) => {
      if (!d) return undefined
      const s = d.status
      const want = d.spec?.replicas ?? 1
      return s?.observedGeneration === d.metadata?.generation && s?.updatedReplicas === want && s?.availableReplicas === want &&
        (s?.replicas ?? 0) === want ? d : undefined
    },
    describe: ([d]) => (d ? `replicas ${d.status?.replicas ?? 0}, updated ${d.status?.updatedReplicas ?? 0}, available ${d.status?.availableReplicas ?? 0} of ${d.spec?.replicas}` : 'no such Deployment'),
  })
}
