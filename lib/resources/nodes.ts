// Nodes, and whether a volume's node affinity allows one: the scheduler's rule for
// PersistentVolume.spec.nodeAffinity.required: the terms are ORed, the
// expressions within a term ANDed, and a term with no requirement matches
// no node.
import type { V1Node, V1NodeSelector, V1NodeSelectorRequirement } from '@kubernetes/client-node'
import { apiCall, type Kube } from '../k8s/kube.ts'

export const getNode = (kube: Kube, name: string): Promise<V1Node> =>
  apiCall(`get node ${name}`, () => kube.core.readNode({ name }))

function requirementHolds(r: V1NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? []
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value)
    case 'NotIn': return value === undefined || !values.includes(value)
    case 'Exists': return value !== undefined
    case 'DoesNotExist': return value === undefined
    case 'Gt': return value !== undefined && Number(value) > Number(values[0])
    case 'Lt': return value !== undefined && Number(value) < Number(values[0])
    default: throw new Error(`unknown node selector operator ${r.operator}`)
  }
}

export function nodeSelectorAllows(selector: V1NodeSelector, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {}
  const fields: Record<string, string | undefined> = { 'metadata.name': node.metadata?.name }
  return selector.nodeSelectorTerms.some((t) => {
    const expressions = t.matchExpressions ?? []
    const matchFields = t.matchFields ?? []
    if (!expressions.length && !matchFields.length) return false
    return expressions.every((r) => requirementHolds(r, labels[r.key])) && matchFields.every((r) => requirementHolds(r, fields[r.key]))
  })
}

// "kubernetes.io/hostname In [node-a] or topology.kubernetes.io/zone Exists"
export function describeNodeSelector(selector: V1NodeSelector | undefined): string {
  if (!selector) return 'no node affinity'
  return selector.nodeSelectorTerms.map((t) => [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])]
    .map((r) => `${r.key} ${r.operator}${r.values?.length ? ` [${r.values.join(', ')}]` : ''}`).join(' and ') || '(empty term)').join(' or ')
}

// Taints that keep a pod without tolerations off a node: NoSchedule keeps it
// from being placed there, NoExecute evicts it too (PreferNoSchedule only
// steers the scheduler). The suite's pods tolerate neither.
const repels = (effect: string | undefined) => effect === 'NoSchedule' || effect === 'NoExecute'

// Nodes a plain pod can land on: not cordoned, no NoSchedule or NoExecute
// taint, Linux (as the SC series' pods select them).
export const isSchedulableLinux = (n: V1Node) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t) => repels(t.effect))
  && (n.metadata?.labels?.['kubernetes.io/os'] ?? 'linux') === 'linux'

export const listSchedulableNodes = (kube: Kube): Promise<string[]> =>
  apiCall('list nodes', () => kube.core.listNode()).then((l) => l.items.filter(isSchedulableLinux).map((n) => n.metadata?.name ?? '').sort())

export const listNodes = (kube: Kube): Promise<V1Node[]> =>
  apiCall('list nodes', () => kube.core.listNode()).then((l) => l.items)

// Where a pod of a volume cannot go (Q1-05): the schedulable nodes its node
// affinity excludes — every other node for a node-local volume, the nodes of
// other zones for a zonal one, none for a volume without node affinity (or a
// zonal one on a cluster whose nodes share one zone).
export function nodesExcludedBy(required: V1NodeSelector | undefined, nodes: V1Node[]): V1Node[] {
  if (!required) return []
  return nodes.filter(isSchedulableLinux).filter((n) => !nodeSelectorAllows(required, n))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
}


// Where a pod of a bound volume can go (SC-11, SC-12): the schedulable nodes
// its node affinity admits — the nodes of its zone for a zonal volume (a
// cloud disk: topology.kubernetes.io/zone or the driver's own key), its one
// node for a node-local one, every schedulable node for a volume without
// node affinity (a file service).
export function nodesAdmittedBy(required: V1NodeSelector | undefined, nodes: V1Node[]): V1Node[] {
  return nodes.filter(isSchedulableLinux).filter((n) => !required || nodeSelectorAllows(required, n))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
}

// A required node affinity for any of `nodes` by name (a node's hostname label need not be its name):
// one term per node, since the API server takes a single metadata.name value per term ("must be only
// one value when `operator` is 'In'"), and terms are ORed.
export const keptToNodes = (nodes: string[]): V1NodeSelector => ({ nodeSelectorTerms: nodes.map((n) => ({ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n] }] })) })
