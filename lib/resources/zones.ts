// Zones as nodes carry them (topology.kubernetes.io/zone), and where a
// StatefulSet's pods and volumes stand relative to them, for DR-03 (losing a
// zone): the zones a pod can land in, the nodes a zone's loss stops, which zone
// to lose, and what shows a pod or its data moved out of it. Pure, over the
// objects as read.
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import { describeNodeSelector, isSchedulableLinux } from './nodes.ts'

export const zoneLabel = 'topology.kubernetes.io/zone'

export const zoneOf = (n: V1Node | undefined): string | undefined => n?.metadata?.labels?.[zoneLabel] || undefined

// Node name → zone, for pods that name their node.
export const zonesByNode = (nodes: V1Node[]) => (node: string): string | undefined => zoneOf(nodes.find((n) => n.metadata?.name === node))

const controlPlaneLabels = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master']
const isControlPlane = (n: V1Node) => controlPlaneLabels.some((l) => l in (n.metadata?.labels ?? {}))

// Each zone with a node a plain pod can land on, with those nodes; zones and nodes sorted.
export function schedulableZones(nodes: V1Node[]): Map<string, string[]> {
  const zones = new Map<string, string[]>()
  for (const n of nodes.filter(isSchedulableLinux)) {
    const zone = zoneOf(n)
    if (zone) zones.set(zone, [...(zones.get(zone) ?? []), n.metadata?.name ?? ''].sort())
  }
  return new Map([...zones].sort(([a], [b]) => a.localeCompare(b)))
}

// "zone-a (node-1, node-2), zone-b (node-3)"
export const describeZones = (zones: Map<string, string[]>): string =>
  zones.size ? [...zones].map(([zone, nodes]) => `${zone} (${nodes.join(', ')})`).join(', ') : 'none'

// The nodes losing the zone stops: every node labelled with it, schedulable or not, but a
// control-plane node (the suite's API calls need the API server); sorted.
export const nodesOfZone = (nodes: V1Node[], zone: string): string[] =>
  nodes.filter((n) => zoneOf(n) === zone && !isControlPlane(n)).map((n) => n.metadata?.name ?? '').sort()

// One pod of the set before the outage: where it ran, its claim and volume, what it wrote.
export interface Placed {
  pod: string
  uid: string
  node: string
  zone: string
  claim: string
  claimUid: string
  volume: string
  // The volume's required node affinity as it reads ("no node affinity" for none), to see it unchanged.
  affinity: string
  identity: string
}

const affinityOf = (pv: V1PersistentVolume) => describeNodeSelector(pv.spec?.nodeAffinity?.required)

export function placedOf(pod: V1Pod, node: V1Node | undefined, pvc: V1PersistentVolumeClaim, pv: V1PersistentVolume, identity: string): Placed {
  return {
    pod: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', node: pod.spec?.nodeName ?? '', zone: zoneOf(node) ?? '',
    claim: pvc.metadata?.name ?? '', claimUid: pvc.metadata?.uid ?? '', volume: pv.metadata?.name ?? '', affinity: affinityOf(pv), identity,
  }
}

// "zoned-0 on node-1 (zone-a), claim data-zoned-0 bound to pvc-1 (kubernetes.io/hostname In [node-1])"
export const describePlaced = (p: Placed): string =>
  `${p.pod} on ${p.node} (${p.zone || 'no zone'}), claim ${p.claim} bound to ${p.volume} (${p.affinity})`

export interface ZoneLoss {
  zone: string
  // The nodes to stop.
  nodes: string[]
  // The pods on those nodes, and the others.
  lost: Placed[]
  surviving: Placed[]
}

const ordinal = (pod: string) => Number(/-(\d+)$/.exec(pod)?.[1] ?? Number.NaN)

// The zone to lose: that of the lowest ordinal whose node the loss stops, as long as a pod of the set
// runs on another node. Undefined when there is none (every pod on a node that is never stopped).
export function zoneToLose(placed: Placed[], nodesOf: (zone: string) => string[]): ZoneLoss | undefined {
  const byOrdinal = [...placed].sort((a, b) => ordinal(a.pod) - ordinal(b.pod) || a.pod.localeCompare(b.pod))
  for (const p of byOrdinal) {
    const nodes = p.zone ? nodesOf(p.zone) : []
    if (!nodes.includes(p.node)) continue
    const lost = byOrdinal.filter((x) => nodes.includes(x.node))
    const surviving = byOrdinal.filter((x) => !nodes.includes(x.node))
    if (surviving.length) return { zone: p.zone, nodes, lost, surviving }
  }
  return undefined
}

// A pod of the lost zone placed on a node outside it. A pod never changes nodes: this is a new pod of
// that name, made while its volume's zone was gone, and placed elsewhere.
export function movedOutOfZone(loss: Pick<ZoneLoss, 'zone' | 'lost'>, pods: V1Pod[], zoneOfNode: (node: string) => string | undefined): string[] {
  return pods.flatMap((p) => {
    const was = loss.lost.find((l) => l.pod === p.metadata?.name)
    const node = p.spec?.nodeName
    const zone = node ? zoneOfNode(node) : undefined
    if (!was || !node || zone === loss.zone) return []
    return [`${was.pod} (uid ${p.metadata?.uid}, the first was ${was.uid}) is on node ${node} in ${zone ? `zone ${zone}` : 'no zone'}, outside the lost zone ${loss.zone}`]
  })
}

// What shows a pod's data moved: its claim gone or made anew, bound to another volume, or that
// volume's node affinity changed (a volume whose zone or node was rewritten to follow its pod).
export function bindingChanges(was: Placed, pvc: V1PersistentVolumeClaim | undefined, pv: V1PersistentVolume | undefined): string[] {
  const claim = `claim ${was.claim} of ${was.pod}`
  if (!pvc) return [`${claim} is gone (it was bound to ${was.volume})`]
  const changes: string[] = []
  if (pvc.metadata?.uid !== was.claimUid) changes.push(`${claim} was made anew (uid ${pvc.metadata?.uid}, the first was ${was.claimUid})`)
  if (pvc.spec?.volumeName !== was.volume) changes.push(`${claim} is bound to ${pvc.spec?.volumeName || 'no volume'}, not ${was.volume}`)
  else if (!pv) changes.push(`volume ${was.volume} of ${claim} is gone`)
  else if (affinityOf(pv) !== was.affinity) changes.push(`volume ${was.volume} of ${claim} now allows ${affinityOf(pv)}, not ${was.affinity}`)
  return changes
}
