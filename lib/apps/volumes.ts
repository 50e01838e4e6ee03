// What the SC series does with a volume from inside a pod (write a large
// random file and checksum it, read a filesystem's size, a path's owner) and
// to the claim and volume from outside (resize, observe while unbound, remove
// a retained volume). Specs call these instead of the raw client.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node'
import { execOk } from '../k8s/exec.ts'
import { isNotFound, type Kube } from '../k8s/kube.ts'
import { pollPause, progress } from '../k8s/claim-context.ts'
import { timeout } from '../k8s/timeouts.ts'
import { resources, watchObjects } from '../k8s/watch.ts'
import { deletePv, listPvs, setReclaimPolicy } from '../resources/storage.ts'
import { waitForPv, waitForPvGone } from '../wait/storage.ts'
import { WaitTimeout } from '../wait/wait-for.ts'

// ---- inside the pod ---------------------------------------------------------------

// Writes `mib` MiB from /dev/urandom to `path`; the checksum is taken from the
// stream as it is written (tee), not by reading the file back. A MiB at a time,
// each flushed (sync of the file) and reported on stderr: the exec's idle limit
// ends a write that stalls, not one that is slow, and the last flush is short.
export async function writeRandomFile(kube: Kube, ns: string, pod: string, path: string, mib: number): Promise<{ sha256: string; bytes: number }> {
  const out = await execOk(kube, ns, pod, ['sh', '-c', [
    'set -o pipefail; f=$1; n=$2; i=0',
    '{ while [ $i -lt $n ]; do dd if=/dev/urandom bs=1048576 count=1 2>/dev/null || exit 1; i=$((i+1)); sync "$f" 2>/dev/null; echo "$i of $n MiB written" >&2; done; } |',
    '  tee "$f" | sha256sum && sync "$f" && stat -c %s "$f"',
  ].join('\n'), 'sh', path, String(mib)])
  const [sum, size] = out.trim().split('\n')
  return { sha256: parseSha256(sum ?? ''), bytes: Number(size) }
}

export async function sha256Of(kube: Kube, ns: string, pod: string, path: string): Promise<{ sha256: string; bytes: number }> {
  const out = await execOk(kube, ns, pod, ['sh', '-c', `sha256sum ${path} && stat -c %s ${path}`])
  const [sum, size] = out.trim().split('\n')
  return { sha256: parseSha256(sum ?? ''), bytes: Number(size) }
}

export function parseSha256(line: string): string {
  const m = /^([0-9a-f]{64})\b/.exec(line.trim())
  if (!m) throw new Error(`not sha256sum output: ${JSON.stringify(line.slice(0, 200))}`)
  return m[1]!
}

// `df -P -k <path>`: the size of the filesystem mounted there, in bytes.
export function parseDfBytes(output: string): number {
  const row = output.trim().split('\n').slice(1).join(' ').trim().split(/\s+/)
  const kib = Number(row[1])
  if (row.length < 6 || !Number.isFinite(kib)) throw new Error(`not df -P -k output: ${JSON.stringify(output.slice(0, 300))}`)
  return kib * 1024
}

export async function filesystemBytes(kube: Kube, ns: string, pod: string, path: string): Promise<number> {
  return parseDfBytes(await execOk(kube, ns, pod, ['df', '-P', '-k', path]))
}

export interface Ownership {
  uid: number
  gid: number
  // Octal permission bits, with setgid etc.: "2775".
  mode: string
  // As ls shows them: "drwxrwsr-x".
  perms: string
}

export function parseStat(line: string): Ownership {
  const [uid, gid, mode, perms] = line.trim().split(/\s+/)
  if (!perms || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) throw new Error(`not stat -c '%u %g %a %A' output: ${JSON.stringify(line)}`)
  return { uid: Number(uid), gid: Number(gid), mode: mode!, perms }
}

export async function ownershipOf(kube: Kube, ns: string, pod: string, path: string): Promise<Ownership> {
  return parseStat(await execOk(kube, ns, pod, ['stat', '-c', '%u %g %a %A', path]))
}

// The filesystem grows once kubelet has resized it; no watch shows that, so
// a deadline-bounded poll of df (the resize itself is watched on the claim).
export async function waitForFilesystemBytes(kube: Kube, ns: string, pod: string, path: string, atLeast: number): Promise<number> {
  const limit = timeout('pvcResized')
  const deadline = Date.now() + limit
  progress(`waiting up to ${limit / 1000}s (pvcResized) for ${path} in ${ns}/${pod} to be at least ${atLeast} bytes (df)`)
  for (;;) {
    const size = await filesystemBytes(kube, ns, pod, path)
    if (size >= atLeast) return size
    if (Date.now() > deadline) throw new WaitTimeout(`timed out after ${limit / 1000}s (pvcResized) waiting for ${path} in ${ns}/${pod} to grow to ${atLeast} bytes\nlast observed: df says ${size} bytes`)
    await pollPause(1000) // poll interval of a deadline-bounded poll
  }
}

// ---- the claim and its volume ----------------------------------------------------------

export interface ClaimObservation {
  // Every phase the watch showed, in order, without repeats.
  phases: string[]
  volumeName?: string
  selectedNode?: string
}

// Watches a claim for `forMs` and reports what it went through. The bound is
// an observation window, not a wait: the caller says why that long suffices.
export async function observeClaim(kube: Kube, ns: string, name: string, forMs: number): Promise<ClaimObservation> {
  const seen: ClaimObservation = { phases: [] }
  const record = (pvc: V1PersistentVolumeClaim | undefined) => {
    if (!pvc) return
    const phase = pvc.status?.phase ?? 'none'
    if (seen.phases.at(-1) !== phase) seen.phases.push(phase)
    if (pvc.spec?.volumeName) seen.volumeName = pvc.spec.volumeName
    const node = pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node']
    if (node) seen.selectedNode = node
  }
  progress(`watching claim ${ns}/${name} for ${forMs / 1000}s`)
  const stop = await watchObjects<V1PersistentVolumeClaim>(kube, resources.pvcs, { namespace: ns, fieldSelector: `metadata.name=${name}` }, {
    onSync: (items) => record(items[0]),
    onEvent: (type, pvc) => { if (type !== 'DELETED') record(pvc) },
  })
  // The observation window itself; the claim stopping ends it (and the watch) at once.
  await pollPause(forMs).finally(stop)
  return seen
}

// A Released volume the test caused: switched to Delete so that its
// provisioner removes what backs it too, then gone; deleted outright when the
// provisioner does not (a volume with no deleter goes Failed instead).
export async function removeRetainedVolume(kube: Kube, pv: string): Promise<void> {
  await setReclaimPolicy(kube, pv, 'Delete')
  await waitForPv(kube, pv, 'to be deleted by its provisioner, or to fail', (v) => !v || v.status?.phase === 'Failed')
  await deletePv(kube, pv).catch(() => undefined)
  await waitForPvGone(kube, pv)
}

// The Retain volumes of a namespace's claims, switched to Delete before the
// namespace goes: once their claims are deleted with it, the provisioner
// removes what backs them instead of leaving them Released. Returns their names. A user of one
// namespace (SC_NAMESPACE) may not switch volumes: none (removeIfRetained names those that stay).
export async function releaseRetainedVolumes(kube: Kube, namespace: string): Promise<string[]> {
  if (kube.given) return []
  const retained = (await listPvs(kube)).filter((pv) => pv.spec?.claimRef?.namespace === namespace && pv.spec.persistentVolumeReclaimPolicy === 'Retain')
  for (const pv of retained) await setReclaimPolicy(kube, pv.metadata!.name!, 'Delete')
  return retained.map((pv) => pv.metadata!.name!)
}

// A volume whose claim is gone: Released, or Failed where no provisioner could delete it.
export const isOrphaned = (pv: V1PersistentVolume) => pv.status?.phase === 'Released' || pv.status?.phase === 'Failed'

// Deletes the volumes `ours` picks whose claims are gone (isOrphaned). Which
// volumes are ours is the caller's to prove (lib/harness/leftovers.ts: the
// claims of a run's own namespaces, or what `npm run clean` listed), never a
// name pattern. Returns what it deleted, and what it picked but left: still
// bound (its claim not gone yet), or a deletion that failed.
export async function removeOrphanedVolumes(kube: Kube, ours: (pv: V1PersistentVolume) => boolean): Promise<{ deleted: string[]; left: string[] }> {
  const deleted: string[] = []
  const left: string[] = []
  for (const pv of (await listPvs(kube)).filter(ours)) {
    const name = pv.metadata!.name!
    if (!isOrphaned(pv)) {
      left.push(`${name} (${pv.status?.phase ?? 'no phase'}, claim ${pv.spec?.claimRef?.namespace}/${pv.spec?.claimRef?.name})`)
      continue
    }
    await deletePv(kube, name).then(() => deleted.push(name), (err: unknown) => {
      if (isNotFound(err)) deleted.push(name)
      else left.push((err as Error).message)
    })
  }
  return { deleted, left }
}
