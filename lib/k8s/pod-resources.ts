// The requests and limits every container the suite makes carries, requests
// equal to limits: policy engines (Kyverno, Gatekeeper, Azure Policy) and
// namespace quotas that require them admit the suite's pods. Small, because
// the suite's containers idle or serve a few requests; a fixture whose
// container needs more (fio) spells out its own. SC_POD_RESOURCES
// ("cpu=100m,memory=128Mi") replaces the default. Read from the environment
// here, as KUBECONFIG is, so that global setup (admission dry run, capability
// probe) and every spec worker give pods the same.
import type { KubernetesObject, V1Container, V1PodSpec, V1ResourceRequirements } from '@kubernetes/client-node'

import { type ContainerResources, parsePodResources } from '../options/pod-resources.ts'

export { type ContainerResources, defaultContainerResources, parsePodResources } from '../options/pod-resources.ts'

export const suiteContainerResources = (): ContainerResources => parsePodResources(process.env.SC_POD_RESOURCES)

export const resourceRequirements = (r: ContainerResources): V1ResourceRequirements =>
  ({ requests: { cpu: r.cpu, memory: r.memory }, limits: { cpu: r.cpu, memory: r.memory } })

const workloadKinds = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job']

// The pod spec an object makes pods from: a Pod's own, a workload's template.
export function podSpecOf(obj: KubernetesObject): V1PodSpec | undefined {
  const o = obj as { spec?: V1PodSpec & { template?: { spec?: V1PodSpec } } }
  if (obj.kind === 'Pod') return o.spec
  if (workloadKinds.includes(obj.kind ?? '')) return o.spec?.template?.spec
  return undefined
}

// Gives every container (and init container) of the pod spec that sets no
// resources of its own requests equal to limits `r`; those that set some keep theirs.
export function addContainerResources(spec: V1PodSpec | undefined, r: ContainerResources): void {
  const containers: V1Container[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
  for (const c of containers) {
    if (!c.resources?.requests && !c.resources?.limits) c.resources = resourceRequirements(r)
  }
}
