// specs/storage-advanced-pods.ts — the pods and volumes the claims of specs/storage-advanced.spec.ts
// (SC-07…SC-12) work with: restricted pods placed as asked, the raw Block device's user, claims
// deleted after the test, the skips for a class or cluster that cannot show a claim. Not a spec
// itself (vitest runs only *.spec.ts).
import { describeRawDeviceAccess, groupToJoin, parseRawDeviceAccess, type RawDeviceAccess, rawDeviceAccessScript } from '../lib/apps/raw-device.ts'
import { allowedTopologiesSelector, nodesWithZonePeer, notWritable, otherAdmittedNodes } from '../lib/apps/storage-checks.ts'
import { type Capabilities, progress, skipClaim } from '../lib/harness/claim-entry.ts'
import type { Cleanup, Kube } from '../lib/harness/fixtures.ts'
import { keptToNodes, listNodes, listSchedulableNodes } from '../lib/resources/nodes.ts'
import { createPodFromFixture, execOk } from '../lib/resources/pods.ts'
import { bytesOf, deletePvc, getPv, getPvc, getStorageClass } from '../lib/resources/storage.ts'
import { deletePodAndWaitGone, waitForPodReady } from '../lib/wait/pods.ts'
import { waitForPvcBound, waitForPvcGone } from '../lib/wait/storage.ts'

export const block = { device: '/dev/xvda', offset: 4099, blocks: 256 } // 1 MiB at an odd 4 KiB block, about 16 MiB in

export interface PodSpec {
  name: string
  claim?: string
  // Kept to these nodes by name (node affinity on metadata.name: a node's
  // hostname label need not be its name); the scheduler picks among them, and
  // its volume checks still apply.
  nodes?: string[]
}

// A restricted pod (fixtures/sc/restricted-pod.yaml) named and placed as asked, mounting `claim` at /data.
export function createUser(kube: Kube, ns: string, p: PodSpec) {
  return createPodFromFixture(kube, ns, 'sc/restricted-pod.yaml', 'user', (pod) => {
    pod.metadata!.name = p.name
    pod.spec!.volumes![0]!.persistentVolumeClaim!.claimName = p.claim ?? 'data'
    if (p.nodes) pod.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: keptToNodes(p.nodes) } }
  })
}

export async function userReady(kube: Kube, ns: string, p: PodSpec): Promise<{ name: string; node: string }> {
  await createUser(kube, ns, p)
  const pod = await waitForPodReady(kube, ns, p.name)
  return { name: p.name, node: pod.spec?.nodeName ?? '' }
}

// Raises a fixture claim's request to at least `bytes` (in Mi).
export const requestAtLeast = (bytes: number) => (o: { kind?: string }) => {
  const spec = (o as { spec?: { resources?: { requests?: { storage?: string } } } }).spec
  const requests = spec?.resources?.requests
  if (requests && bytes > bytesOf(requests.storage ?? '0')) requests.storage = `${Math.ceil(bytes / 2 ** 20)}Mi`
}

// The claim is deleted after the test (its pods first: a claim in use is not let go).
export function deleteClaimAfter(cleanup: Cleanup, kube: Kube, ns: string, claim: string, pods: string[]): void {
  cleanup.add(`claim ${ns}/${claim}`, async () => {
    for (const pod of pods) await deletePodAndWaitGone(kube, ns, pod).catch(() => undefined)
    await deletePvc(kube, ns, claim).catch(() => undefined)
    await waitForPvcGone(kube, ns, claim)
  })
}

// A class whose volumes a non-root pod cannot write lacks what the restricted Pod Security level needs.
export async function requireWritable(task: Parameters<typeof skipClaim>[0], kube: Kube, ns: string, pod: string, caps: Capabilities): Promise<void> {
  const refused = await notWritable(kube, ns, pod, '/data')
  if (refused) skipClaim(task, `StorageClass ${caps.storageClass} (provisioner ${caps.provisioner}): its volumes are not writable by a non-root pod: ${refused}; fsGroup ${caps.fsGroup.supported === true ? 'is applied' : `is not applied (${caps.fsGroup.reason})`}`)
}

// What block-user finds at its raw device: a block device? whose group? can it read a block?
export async function rawDeviceAccess(kube: Kube, ns: string, pod: string): Promise<RawDeviceAccess> {
  const out = await execOk(kube, ns, pod, ['sh', '-c', rawDeviceAccessScript(block.device)])
  const access = parseRawDeviceAccess(out)
  if (!access) throw new Error(`${ns}/${pod}: the raw device check printed no report: ${JSON.stringify(out.slice(0, 300))}`)
  return access
}

// SC-07's restricted pod block-user, Ready, in the groups given (supplementalGroups). If the
// device's group, as stat reads it in the pod, is one the pod is not in and the pod may not
// open the device, the pod is made again in that group: the group is read, never assumed.
export async function blockUserReady(kube: Kube, ns: string, groups: number[]): Promise<{ node: string; groups: number[] }> {
  const create = async (g: number[]) => {
    await createPodFromFixture(kube, ns, 'sc/block-pod.yaml', 'block-user', (p) => { if (g.length) p.spec!.securityContext!.supplementalGroups = g })
    return (await waitForPodReady(kube, ns, 'block-user')).spec?.nodeName ?? ''
  }
  const node = await create(groups)
  const access = await rawDeviceAccess(kube, ns, 'block-user')
  const join = groupToJoin(access)
  if (join === undefined) return { node, groups }
  progress(`${block.device} in ${ns}/block-user on ${node}: ${describeRawDeviceAccess(access)}; made again in group ${join}`)
  await deletePodAndWaitGone(kube, ns, 'block-user')
  return { node: await create([join]), groups: [join] }
}

export async function twoNodes(task: Parameters<typeof skipClaim>[0], kube: Kube): Promise<void> {
  const nodes = await listSchedulableNodes(kube)
  if (nodes.length < 2) skipClaim(task, `needs 2 schedulable nodes; the cluster has ${nodes.length} (${nodes.join(', ') || 'none'})`)
}

// The nodes other than `firstNode` where a second pod of `claim` can go: those
// its bound volume's node affinity admits (its zone, on a multi-zone cloud).
// Without one the claim cannot be checked here, and is skipped saying why.
export async function otherNodesForClaim(task: Parameters<typeof skipClaim>[0], kube: Kube, ns: string, claim: string, firstNode: string, storageClass: string): Promise<string[]> {
  const pv = await getPv(kube, (await getPvc(kube, ns, claim)).spec?.volumeName ?? '')
  const other = otherAdmittedNodes(pv, await listNodes(kube), firstNode)
  if ('none' in other) skipClaim(task, `claim ${ns}/${claim} of class ${storageClass}: ${other.none}`)
  return other.nodes
}

// SC-11's and SC-12's first pod, Ready, on a node whose zone holds another node the volume may
// admit (nodesWithZonePeer), so that the second pod has somewhere to go; the step says where. An
// Immediate class has placed the volume before any pod: its node affinity says where it may go;
// before binding, the class's allowed topologies do.
export async function firstUserReady(kube: Kube, ns: string, p: PodSpec & { claim: string }, storageClass: string): Promise<{ name: string; node: string }> {
  const sc = await getStorageClass(kube, storageClass)
  const claim = sc.volumeBindingMode === 'WaitForFirstConsumer' ? await getPvc(kube, ns, p.claim) : await waitForPvcBound(kube, ns, p.claim)
  const volume = claim.spec?.volumeName
  const required = volume ? (await getPv(kube, volume)).spec?.nodeAffinity?.required : allowedTopologiesSelector(sc)
  const nodes = nodesWithZonePeer(await listNodes(kube), required)
  if (nodes) progress(`${p.name} kept to nodes whose zone has another schedulable node: ${nodes.join(', ')}`)
  return userReady(kube, ns, { ...p, ...(nodes ? { nodes } : {}) })
}
