// The decisions of SC-07…SC-12, as small pure functions (tested on their own
// in storage-checks.test.ts, each shown failing), and the in-pod commands
// they judge. A decision returns the failure message, or undefined when the
// claim holds; the spec hands the message to expect().
import type { CoreV1Event, V1Node, V1NodeSelector, V1PersistentVolume, V1Pod, V1StorageClass } from '@kubernetes/client-node'
import { execIn, execOk } from '../k8s/exec.ts'
import type { Kube } from '../k8s/kube.ts'
import { onClaimStopped, progress } from '../k8s/claim-context.ts'
import { timeoutScale } from '../k8s/timeouts.ts'
import { resources, watchObjects } from '../k8s/watch.ts'
import { describeEvent, eventsResource } from '../resources/events.ts'
import { describeNodeSelector, nodesAdmittedBy } from '../resources/nodes.ts'
import type { ResizeOutcome } from '../resources/storage.ts'
import { parseSha256 } from './volumes.ts'

export interface Bytes {
  sha256: string
  bytes: number
}

// ---- SC-07: bytes at an offset of a raw device --------------------------------------

export const blockSize = 4096

// Writes `blocks` random 4 KiB blocks at block `offset` of the device, straight
// to it (O_DIRECT, fsync); the sha256 is of what was written, kept in /tmp.
export async function writeBlocksAt(kube: Kube, ns: string, pod: string, device: string, offset: number, blocks: number): Promise<Bytes> {
  const out = await execOk(kube, ns, pod, ['sh', '-c', [
    'set -e',
    `dd if=/dev/urandom of=/tmp/blocks bs=${blockSize} count=${blocks} 2>/dev/null`,
    `dd if=/tmp/blocks of=${device} bs=${blockSize} seek=${offset} conv=notrunc,fsync oflag=direct 2>/dev/null`,
    'sha256sum /tmp/blocks', 'stat -c %s /tmp/blocks',
  ].join('\n')])
  const [sum, size] = out.trim().split('\n')
  return { sha256: parseSha256(sum ?? ''), bytes: Number(size) }
}

// Reads `blocks` 4 KiB blocks at block `offset` of the device, bypassing the page cache (O_DIRECT).
export async function readBlocksAt(kube: Kube, ns: string, pod: string, device: string, offset: number, blocks: number): Promise<Bytes> {
  const out = await execOk(kube, ns, pod, ['sh', '-c', [
    'set -e',
    `dd if=${device} of=/tmp/read bs=${blockSize} skip=${offset} count=${blocks} iflag=direct 2>/dev/null`,
    'sha256sum /tmp/read', 'stat -c %s /tmp/read',
  ].join('\n')])
  const [sum, size] = out.trim().split('\n')
  return { sha256: parseSha256(sum ?? ''), bytes: Number(size) }
}

// The one comparison of bytes written and read back, where they were read.
export function bytesMismatch(written: Bytes, read: Bytes, where: string): string | undefined {
  if (written.bytes === read.bytes && written.sha256 === read.sha256) return undefined
  return `${where}: read back ${read.bytes} bytes with sha256 ${read.sha256.slice(0, 16)}…, but ${written.bytes} bytes with sha256 ${written.sha256.slice(0, 16)}… were written`
}

// ---- SC-08: snapshot, overwrite, restore; clone ---------------------------------------

// What a claim restored from a snapshot holds, compared with what the source
// held when the snapshot was taken and what was written over it afterwards.
export function restoreMismatch(o: { atSnapshot: Bytes; overwritten: Bytes; restored: Bytes; where: string }): string | undefined {
  if (o.restored.sha256 === o.atSnapshot.sha256 && o.restored.bytes === o.atSnapshot.bytes) return undefined
  if (o.restored.sha256 === o.overwritten.sha256) {
    return `${o.where}: the restored claim holds the bytes written AFTER the snapshot (sha256 ${o.overwritten.sha256.slice(0, 16)}…), not those at the snapshot (${o.atSnapshot.sha256.slice(0, 16)}…): the snapshot did not capture a point in time`
  }
  return `${o.where}: the restored claim holds other bytes (sha256 ${o.restored.sha256.slice(0, 16)}…, ${o.restored.bytes} bytes) than at the snapshot (${o.atSnapshot.sha256.slice(0, 16)}…, ${o.atSnapshot.bytes} bytes) or after it (${o.overwritten.sha256.slice(0, 16)}…)`
}

// The sha256 and size of a file, or undefined when there is no such file (a clone that came up empty).
export async function sha256IfPresent(kube: Kube, ns: string, pod: string, path: string): Promise<Bytes | undefined> {
  const out = await execOk(kube, ns, pod, ['sh', '-c', `[ -e ${path} ] || exit 0; sha256sum ${path} && stat -c %s ${path}`])
  if (!out.trim()) return undefined
  const [sum, size] = out.trim().split('\n')
  return { sha256: parseSha256(sum ?? ''), bytes: Number(size) }
}

// A clone must hold what its source holds; one without the file was made empty (the dataSource ignored).
export function cloneMismatch(source: Bytes, cloned: Bytes | undefined, where: string): string | undefined {
  if (!cloned) return `${where}: the file is not there: the clone was provisioned empty, its dataSource ignored`
  return bytesMismatch(source, cloned, where)
}

// ---- SC-09: a resize the class forbids, or allows ------------------------------------

export type { ResizeOutcome } from '../resources/storage.ts'

// RBAC's denial names the verb and the resource it refused: 'User "x" cannot patch resource "persistentvolumeclaims" …'.
const rbacDenial = /\bcannot [a-z]+ resource "/

// Whether the API server gave a verdict on the resize itself: accepted, or refused by
// its validation (422 Invalid) or by admission (403 Forbidden from an admission plugin,
// e.g. PersistentVolumeClaimResize's "only dynamically provisioned pvc can be resized
// and the storageclass that provisions the pvc must support resize", or a webhook that
// denied the request). A 403 from RBAC ("cannot patch resource"), any other status, or
// no HTTP answer at all is no verdict on the resize: the claim could not be checked (its
// When step fails: broken).
export function resizeAnswer(o: ResizeOutcome): { answer: 'accepted' } | { answer: 'refused'; by: string } | { answer: 'none'; why: string } {
  if (o.accepted) return { answer: 'accepted' }
  const said = `${o.status !== undefined ? `HTTP ${o.status}${o.reason ? ` ${o.reason}` : ''}: ` : 'no HTTP answer: '}${o.message}`
  if (o.status === 422) return { answer: 'refused', by: `its validation (${said})` }
  if (o.status === 403 && !rbacDenial.test(o.message)) return { answer: 'refused', by: `admission (${said})` }
  if (o.status === 403) return { answer: 'none', why: `RBAC denied the patch before admission could judge the resize (${said}): the suite's account may not patch claims` }
  return { answer: 'none', why: `the patch failed without a verdict on the resize (${said})` }
}

// The API server refuses a resize of a claim whose class does not allow
// expansion; where it allows it, the resize is accepted. A request that got
// no verdict on the resize (resizeAnswer) proves neither.
export function resizeVerdict(allowVolumeExpansion: boolean, outcome: ResizeOutcome, where: string): string | undefined {
  const a = resizeAnswer(outcome)
  if (a.answer === 'none') return `${where}: the resize got no verdict from the API server: ${a.why}`
  if (!allowVolumeExpansion) {
    return a.answer === 'accepted' ? `${where}: the API server accepted a resize although the class does not allow volume expansion (allowVolumeExpansion is not true)` : undefined
  }
  return a.answer === 'accepted' ? undefined : `${where}: the class allows volume expansion, but the API server refused the resize: ${a.by}`
}

// ---- SC-10: the fio pod --------------------------------------------------------------
// (lib/apps/fio.ts)

// ---- SC-11 and SC-12: where the second pod may go ------------------------------------

// The nodes other than the first pod's that the bound volume's node affinity
// admits: on a multi-zone cloud a disk is reachable from its zone only, and a
// pod sent to another zone would be held by a volume node affinity conflict,
// which says nothing about ReadWriteOnce or ReadWriteMany. `none` says why
// there is no such node.
export function otherAdmittedNodes(pv: V1PersistentVolume, nodes: V1Node[], firstNode: string): { nodes: string[] } | { none: string } {
  const required = pv.spec?.nodeAffinity?.required
  const admitted = nodesAdmittedBy(required, nodes).map((n) => n.metadata?.name ?? '')
  const others = admitted.filter((n) => n !== firstNode)
  if (others.length) return { nodes: others }
  const zone = (n: V1Node) => n.metadata?.labels?.['topology.kubernetes.io/zone']
  const schedulable = nodesAdmittedBy(undefined, nodes).map((n) => `${n.metadata?.name}${zone(n) ? ` (zone ${zone(n)})` : ''}`)
  return { none: `no schedulable node but ${firstNode} is admitted by the node affinity of volume ${pv.metadata?.name} (${describeNodeSelector(required)}); schedulable nodes: ${schedulable.join(', ') || 'none'}` }
}

// Where SC-11's and SC-12's first pod should go so that a second can follow on another node the
// volume admits: the schedulable nodes that `required` admits (the bound volume's node affinity, or
// before binding the class's allowed topologies) whose zone holds another of them. A zonal volume
// admits its zone's nodes only, so a first pod in a zone of one node (a cloud's, or a zone whose
// other nodes are tainted) leaves the claim unchecked. Undefined where that rules out no node, or
// every node: the scheduler chooses, as before.
export function nodesWithZonePeer(nodes: V1Node[], required?: V1NodeSelector): string[] | undefined {
  const admitted = nodesAdmittedBy(required, nodes)
  const zone = (n: V1Node) => n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? ''
  const withPeer = admitted.filter((n) => admitted.some((m) => m !== n && zone(m) === zone(n)))
  return withPeer.length && withPeer.length < admitted.length ? withPeer.map((n) => n.metadata?.name ?? '') : undefined
}

// A class's allowedTopologies as the node selector they amount to (terms ORed, expressions ANDed).
export function allowedTopologiesSelector(sc: V1StorageClass): V1NodeSelector | undefined {
  const terms = (sc.allowedTopologies ?? []).map((t) => ({ matchExpressions: (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: 'In', values: e.values })) }))
  return terms.length ? { nodeSelectorTerms: terms } : undefined
}

// ---- SC-11: a pod of a ReadWriteOnce claim on a second node ---------------------------

// How long SC-11 watches the second pod not start: 30 s, scaled with
// SC_TIMEOUT_SCALE (attaching takes seconds; a volume used on two nodes shows within that).
export const heldPodWindowMs = (scale = timeoutScale()) => Math.round(30_000 * scale)

// Why a pod is not running, from its status and its events: the attach/detach
// controller's Multi-Attach error, a volume node affinity conflict, or nothing said.
export interface HeldPod {
  phase: string
  reasons: string[]
}

// While the first pod runs, the second must not: it may be Pending with any
// reason (Multi-Attach, or still attaching), never Running. One held by a
// volume node affinity conflict alone proves nothing (heldByAffinityOnly).
export function secondPodVerdict(held: HeldPod, where: string): string | undefined {
  if (held.phase !== 'Running' && held.phase !== 'Succeeded') return undefined
  return `${where}: the second pod is ${held.phase} on another node while the first still uses the ReadWriteOnce volume: the volume is used on two nodes at once`
}

const multiAttachWords = /Multi-Attach/i
const affinityWords = /volume node affinity|node\(s\) had volume node affinity conflict/i

// A pod held only by the scheduler's volume node affinity conflict was sent where its volume
// cannot go: that says nothing about ReadWriteOnce, so it is no evidence for SC-11's first half.
export const heldByAffinityOnly = (reasons: string[]): string | undefined =>
  reasons.some((r) => multiAttachWords.test(r)) ? undefined : reasons.find((r) => affinityWords.test(r))

// What the held pod's events say, in the words of the controllers (for the report).
export function holdReason(reasons: string[]): string {
  const multiAttach = reasons.find((r) => multiAttachWords.test(r))
  if (multiAttach) return `held by the attach/detach controller: ${multiAttach}`
  const affinity = reasons.find((r) => affinityWords.test(r))
  if (affinity) return `held by the scheduler: ${affinity}`
  return reasons.length ? `not running; last word: ${reasons.at(-1)}` : 'not running, and nothing said why'
}

// ---- SC-12: two pods on two nodes, one ReadWriteMany claim ----------------------------

// Each pod must see every file the other wrote (its name and content).
export function rwxMismatch(seenBy: Record<string, Record<string, string>>, written: Record<string, Record<string, string>>): string | undefined {
  const missing: string[] = []
  for (const [reader, seen] of Object.entries(seenBy)) {
    for (const [writer, files] of Object.entries(written)) {
      if (writer === reader) continue
      for (const [file, content] of Object.entries(files)) {
        if (seen[file] !== content) missing.push(`${reader} ${seen[file] === undefined ? 'does not see' : `sees other content in (${JSON.stringify(seen[file])})`} ${file} written by ${writer}`)
      }
    }
  }
  return missing.length ? missing.join('; ') : undefined
}

// ---- in-pod checks and observations shared by the claims ------------------------------

// Can the pod's (non-root) user create a file in `dir`? undefined if so, else
// what stops it: the mount root's owner and mode, and the shell's words.
export async function notWritable(kube: Kube, ns: string, pod: string, dir: string): Promise<string | undefined> {
  const r = await execIn(kube, ns, pod, ['sh', '-c', `touch ${dir}/.sc-write-check && rm ${dir}/.sc-write-check`])
  if (r.exitCode === 0) return undefined
  const root = (await execIn(kube, ns, pod, ['sh', '-c', `id; ls -ld ${dir}`])).stdout.trim().replace(/\s+/g, ' ')
  return `${dir} is not writable by the pod's user (${root}): ${(r.stderr || r.stdout).trim()}`
}

// Watches a pod (and its events) for `forMs`: the phases it went through and
// what the controllers said about it. Ends early, after at least `minMs` (5 s,
// scaled), once the attach/detach controller or the scheduler has said why it is held.
// Both bounds are the claim's observation window, not waits: the pod must not start within them.
export async function observeHeldPod(kube: Kube, ns: string, name: string, forMs: number, minMs = Math.round(5_000 * timeoutScale())): Promise<HeldPod & { phases: string[] }> {
  const phases: string[] = []
  const reasons: string[] = []
  const started = Date.now()
  let done: () => void = () => undefined
  let stopped: (err: Error) => void = () => undefined
  const finished = new Promise<void>((resolve, reject) => { [done, stopped] = [resolve, reject] })
  const decisive = () => reasons.some((r) => /Multi-Attach|volume node affinity/i.test(r))
  const stops = [
    await watchObjects<V1Pod>(kube, resources.pods, { namespace: ns, fieldSelector: `metadata.name=${name}` }, {
      onSync: (items) => { for (const p of items) note(p) }, onEvent: (t, p) => { if (t !== 'DELETED') note(p) },
    }),
    await watchObjects<CoreV1Event>(kube, eventsResource, { namespace: ns, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` }, {
      onSync: (items) => { for (const e of items) said(e) }, onEvent: (t, e) => { if (t !== 'DELETED') said(e) },
    }),
  ]
  function note(p: V1Pod) {
    const phase = p.status?.phase ?? 'Unknown'
    if (phases.at(-1) !== phase) phases.push(phase)
    if (phase === 'Running' || phase === 'Succeeded') done()
  }
  function said(e: CoreV1Event) {
    const text = describeEvent(e)
    if (!reasons.includes(text)) reasons.push(text)
    if (decisive()) setTimeout(done, Math.max(0, minMs - (Date.now() - started)))
  }
  progress(`watching pod ${ns}/${name} for up to ${forMs / 1000}s: it must not start`)
  const timer = setTimeout(done, forMs)
  // The claim stopped: the window ends at once, with no verdict on the stretch it did not watch.
  const unlisten = onClaimStopped((e) => stopped(new Error(`stopped watching pod ${ns}/${name}: ${e.message}`, { cause: e })))
  try {
    await finished
  } finally {
    clearTimeout(timer)
    unlisten()
    for (const stop of stops) stop()
  }
  const ran = phases.find((p) => p === 'Running' || p === 'Succeeded')
  return { phase: ran ?? phases.at(-1) ?? 'Unknown', phases, reasons }
}
