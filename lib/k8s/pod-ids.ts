// The user and group ids of the suite's pods. The fixtures spell out fixed
// ones (podinfo as upstream's 100/101, busybox pods as 1000/1000, SC-03's
// fsGroup 2345), which the restricted Pod Security level admits. OpenShift's
// restricted-v2 admits only ids inside the range its namespace controller
// assigns each namespace, in annotations set a moment after the namespace is
// made: there the suite takes its ids from that range instead.
import type { V1PodSpec } from '@kubernetes/client-node'

export const uidRangeAnnotation = 'openshift.io/sa.scc.uid-range'
export const groupRangeAnnotation = 'openshift.io/sa.scc.supplemental-groups'

export interface NamespaceIds {
  uid: number
  gid: number
  // A second group of the range, for a pod whose fsGroup must differ from its own group (SC-03).
  otherGid: number
  // "openshift.io/sa.scc.uid-range 1000680000/10000", for messages.
  source: string
}

// "1000680000/10000" (first id / how many), as OpenShift writes it, or
// "1000680000-1000689999"; of several blocks (comma-separated), the first.
export function parseIdRange(value: string | undefined): { first: number; size: number } | undefined {
  const block = value?.split(',')[0]?.trim()
  const m = block ? /^(\d+)\s*([/-])\s*(\d+)$/.exec(block) : null
  if (!m) return undefined
  const first = Number(m[1])
  const size = m[2] === '/' ? Number(m[3]) : Number(m[3]) - first + 1
  return size >= 1 ? { first, size } : undefined
}

// The ids for pods of a namespace with these annotations, or undefined where
// the namespace has no assigned range (the fixtures' own ids are used).
export function idsForNamespace(annotations: Record<string, string> | undefined): NamespaceIds | undefined {
  const uids = parseIdRange(annotations?.[uidRangeAnnotation])
  if (!uids) return undefined
  // OpenShift takes fsGroup and supplemental groups from this range, or the uid range without it.
  const groupsValue = annotations?.[groupRangeAnnotation]
  const groups = parseIdRange(groupsValue) ?? uids
  return {
    uid: uids.first,
    gid: groups.first,
    otherGid: groups.size > 1 ? groups.first + 1 : groups.first,
    source: `${uidRangeAnnotation} ${annotations?.[uidRangeAnnotation]}${groupsValue ? `, ${groupRangeAnnotation} ${groupsValue}` : ''}`,
  }
}

// Moves a pod spec's ids into the namespace's range: every runAsUser to its
// uid, every runAsGroup to its gid, fsGroup to its gid where the pod wrote
// its own group there and to the range's second group where it wrote another
// (so that SC-03 still tells fsGroup from the pod's group).
export function assignNamespaceIds(spec: V1PodSpec | undefined, ids: NamespaceIds): void {
  if (!spec) return
  const pod = spec.securityContext
  if (pod) {
    const ownGroup = pod.runAsGroup
    if (pod.runAsUser !== undefined) pod.runAsUser = ids.uid
    if (pod.runAsGroup !== undefined) pod.runAsGroup = ids.gid
    if (pod.fsGroup !== undefined) pod.fsGroup = ownGroup === undefined || pod.fsGroup === ownGroup ? ids.gid : ids.otherGid
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (c.securityContext?.runAsUser !== undefined) c.securityContext.runAsUser = ids.uid
    if (c.securityContext?.runAsGroup !== undefined) c.securityContext.runAsGroup = ids.gid
  }
}
