// Containers found by name, never by position: a service mesh injects its proxy
// into the suite's pods (Istio's istio-proxy, Linkerd's linkerd-proxy, placed
// first and without a shell), so `containers[0]` and `containerStatuses[0]` may
// be the proxy's.
import type * as k8s from '@kubernetes/client-node'

// The container `kubectl exec` and `kubectl logs` pick without -c; the suite
// writes it on every pod it applies (markDefaultContainer), before any injection.
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container'

// What the meshes add to a pod; never the container a claim means.
const meshContainers = new Set(['istio-proxy', 'istio-init', 'istio-validation', 'linkerd-proxy', 'linkerd-init', 'linkerd-network-validator'])

type PodLike = { metadata?: { annotations?: Record<string, string> }; spec?: { containers: { name: string }[] } }

// The container an exec without a name runs in: the one the pod's annotation
// names, else the first that no mesh injected, else the first.
export function defaultContainer(pod: PodLike): string | undefined {
  const containers = pod.spec?.containers ?? []
  const named = pod.metadata?.annotations?.[defaultContainerAnnotation]
  if (named && containers.some((c) => c.name === named)) return named
  return (containers.find((c) => !meshContainers.has(c.name)) ?? containers[0])?.name
}

// Sets the default-container annotation on a pod, or on a workload's pod
// template, to its first container as written (unless it names one already).
export function markDefaultContainer(obj: k8s.KubernetesObject): void {
  const o = obj as k8s.KubernetesObject & { spec?: { containers?: { name: string }[]; template?: { metadata?: k8s.V1ObjectMeta; spec?: { containers?: { name: string }[] } } } }
  const target = o.kind === 'Pod' ? { meta: (o.metadata ??= {}), spec: o.spec } : o.spec?.template ? { meta: (o.spec.template.metadata ??= {}), spec: o.spec.template.spec } : undefined
  const first = target?.spec?.containers?.[0]?.name
  if (!target || !first) return
  target.meta.annotations = { [defaultContainerAnnotation]: first, ...target.meta.annotations }
}

// The status of the container named `name` (restarts, state), undefined while the kubelet has not reported it.
export const containerStatusOf = (pod: k8s.V1Pod, name: string): k8s.V1ContainerStatus | undefined =>
  pod.status?.containerStatuses?.find((c) => c.name === name)
