// Detects the capabilities of the storage classes under test, once per run,
// before any spec: the StorageClass and CSIDriver objects say what is
// declared; small claims say what the provisioner really accepts (a
// server-side dry run would not: the provisioner decides). The claims live in
// a namespace of the run and go when the probe is done.
//
// Bounded and cheap: one claim per access mode and class (with a pod when the
// class waits for a consumer), a Block claim with a pod that opens it as a raw
// device and reads a block (lib/apps/raw-device.ts; a second pod joins the
// device's group, as stat reads it, when the first may not open it), and a
// clone of the ReadWriteOnce claim, all at once; each ends at the
// provisioner's answer (Bound, or a refusal no retry will change; for the
// Block claim what its pod found at the device) or at the deadline
// (probe-answers.ts).
// A class with a minimum size (GKE hyperdisk: 4 GiB) refuses a smaller claim
// naming its minimum: the class's claims not yet answered are asked again once,
// at that size (probe-answers.ts, minimum-size.ts), and the class's claims in
// the run ask for no less (Capabilities.minimumSize).
// Snapshot support is read, not probed: the API group served, and the
// VolumeSnapshotClasses naming the class's driver.
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node'
import { nodeLocalVerdict, snapshotClassInfo, snapshotGroup, snapshotSupport } from './advanced.ts'
import { type AccessMode, type AccessModeProbe, accessModes, type Capabilities, classCapabilities, type CsiDriverInfo, csiDriverInfo, describeCapabilities, observedVolume } from './capabilities.ts'
import type { SnapshotClassInfo } from './capability-types.ts'
import { eventsResource } from '../resources/events.ts'
import { apiCreate, describeApiError, type Kube, retryTransient } from '../k8s/kube.ts'
import { bytesOf } from '../k8s/quantity.ts'
import { labelForGiven } from '../k8s/given-namespace.ts'
import { suiteSelector } from '../k8s/suite-labels.ts'
import { createNamespace, deleteNamespace, type NamespaceRun } from '../k8s/namespaces.ts'
import { listSnapshotClasses, snapshotApiServed } from '../resources/snapshots.ts'
import { setReclaimPolicy } from '../resources/storage.ts'
import { containerResources, createPod, restrictedContainer, restrictedPod } from '../resources/pods.ts'
import { resources, watchObjects } from '../k8s/watch.ts'
import { guardAgainstStalls } from '../wait/stalls.ts'
import { rawDeviceAccessScript } from '../apps/raw-device.ts'
import { claimSizeFor, leastClaimSize, quantityOf } from './minimum-size.ts'
import { type AnsweredProbe, inGroupPod, probeGraces, ProbeAnswers } from './probe-answers.ts'

export interface ProbeOptions {
  // The run the probe's namespace is made for (and recorded by).
  run: NamespaceRun
  busybox: string
  // timeout('pvcBound') at SC_TIMEOUT_SCALE, and that scale, which stretches every grace and stall window of the probe.
  timeoutMs: number
  timeoutScale: number
  // What each probe claim asks for first: enough for most provisioners' minimum (they round up anyway),
  // SC_MIN_CLAIM_SIZE where that is more.
  size?: string
  minClaimSize?: string
}

export interface DetectedCapabilities {
  byClass: Record<string, Capabilities>
  namespace: string
  durationMs: number
}

// What one probe claim asks for: an access mode, a raw Block volume, or a clone.
type ProbeKind = AccessMode | 'block' | 'clone'
const probeSlug: Record<ProbeKind, string> = { ReadWriteOnce: 'rwo', ReadWriteOncePod: 'rwop', ReadWriteMany: 'rwx', block: 'block', clone: 'clone' }
const probeKinds: ProbeKind[] = [...accessModes, 'block', 'clone']

interface Probe {
  // What the outcome is named by; `name` is the claim (and pod) that now stands for it (a retry at a minimum size).
  claim: string
  name: string
  size: string
  retried?: boolean
  storageClass: string
  kind: ProbeKind
  withPod: boolean
  // Accepted only once the pod's container started (Block: the device was attached and mapped).
  needsPodStarted: boolean
  startedAt: number
}

async function listCsiDrivers(kube: Kube): Promise<Map<string, CsiDriverInfo> | string> {
  return retryTransient('list CSIDrivers', () => kube.storage.listCSIDriver())
    .then((l) => new Map(l.items.map((d) => [d.metadata?.name ?? '', csiDriverInfo(d)])), (err: unknown) => `could not list CSIDrivers: ${describeApiError(err)}`)
}

// The clone's source is the class's ReadWriteOnce probe claim, made at the same time (a provisioner waits for its source to be bound).
function claimFor(p: Probe, cloneSource: string): V1PersistentVolumeClaim {
  return {
    metadata: { name: p.name, labels: { 'stateful-conformance/probe': probeSlug[p.kind] }, annotations: { 'stateful-conformance/storage-class': p.storageClass } },
    spec: {
      storageClassName: p.storageClass, accessModes: [p.kind === 'block' || p.kind === 'clone' ? 'ReadWriteOnce' : p.kind], resources: { requests: { storage: p.size } },
      ...(p.kind === 'block' ? { volumeMode: 'Block' } : {}),
      ...(p.kind === 'clone' ? { dataSource: { kind: 'PersistentVolumeClaim', name: cloneSource } } : {}),
    },
  }
}

// The Block probe's pod opens its raw device and reads a block; what it found goes to its
// termination message (its log, if that file cannot be written), which the pod watch carries.
const blockDevice = '/dev/probe'
export const blockProbeCommand = (): string[] =>
  ['sh', '-c', `out=$(${rawDeviceAccessScript(blockDevice)})\nprintf '%s\\n' "$out" > /dev/termination-log || { printf '%s\\n' "$out"; exit 1; }`]

// A consumer, so that a WaitForFirstConsumer class provisions at all; it need not run for long.
// The Block probe's second pod (inGroup) joins the device's group, on the node the volume is attached to.
export function podFor(p: Pick<Probe, "name" | "kind">, busybox: string, inGroup?: { group: number; node: string }): V1Pod {
  const restricted = restrictedPod()
  return {
    metadata: { name: inGroup ? inGroupPod(p.name) : p.name, labels: { 'stateful-conformance/probe': probeSlug[p.kind] } },
    spec: {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
      ...restricted,
      ...(inGroup ? { securityContext: { ...restricted.securityContext, supplementalGroups: [inGroup.group] } } : {}),
      ...(inGroup?.node ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [inGroup.node] }] }] } } } } : {}),
      containers: [{
        name: 'probe', image: busybox, securityContext: restrictedContainer, resources: containerResources(),
        ...(p.kind === 'block'
          ? { command: blockProbeCommand(), terminationMessagePolicy: 'FallbackToLogsOnError', volumeDevices: [{ name: 'v', devicePath: blockDevice }] }
          : { command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }),
      }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: p.name } }],
    },
  }
}

// Creates the probe's claim, and its pod where it needs one.
async function createProbe(kube: Kube, namespace: string, p: Probe, probes: Probe[], answers: ProbeAnswers, busybox: string): Promise<void> {
  const source = probes.find((q) => q.storageClass === p.storageClass && q.kind === 'ReadWriteOnce')?.name ?? ''
  const claimed = await apiCreate(`create probe claim ${namespace}/${p.name}`, labelForGiven(kube, namespace, claimFor(p, source)),
    (body) => kube.core.createNamespacedPersistentVolumeClaim({ namespace, body }), () => kube.core.readNamespacedPersistentVolumeClaim({ namespace, name: p.name }))
    // The API server refusing the claim is an answer too (e.g. a mode it does not know).
    .then(() => true, (err: Error) => { answers.settle(p.claim, { result: 'refused', detail: `the API server refused the claim: ${err.message}` }); return false })
  if (!claimed || !p.withPod) return
  await createPod(kube, namespace, podFor(p, busybox))
    .catch((err: Error) => answers.settle(p.claim, { result: 'unknown', detail: `could not create the pod that would make the class provision: ${err.message}` }))
}

// A class's minimum size, learned from a refusal: the class's probes not yet answered and
// smaller are asked again at it, each once, the ReadWriteOnce claim before the clone of it.
function retryAtMinimum(kube: Kube, namespace: string, probes: Probe[], answers: ProbeAnswers, busybox: string, minimums: Map<string, { size: string; refusal: string }>, background: Promise<unknown>[]) {
  return (first: AnsweredProbe, bytes: number, refusal: string): void => {
    const storageClass = probes.find((q) => q.claim === first.claim)!.storageClass
    const size = quantityOf(bytes)
    const known = minimums.get(storageClass)
    if (!known || bytesOf(known.size) < bytes) minimums.set(storageClass, { size, refusal })
    const again = probes.filter((q) => q.storageClass === storageClass && !q.retried && !answers.outcomes.has(q.claim) && bytesOf(q.size) < bytes)
      .sort((a, b) => Number(a.kind === 'clone') - Number(b.kind === 'clone'))
    const old = again.map((q) => q.name)
    for (const q of again) answers.moveTo(q, `${q.claim}-min`, size)
    console.log(`stateful-conformance: class ${storageClass} asks for at least ${size} (${refusal.slice(0, 200)}): probing ${again.map((q) => q.name).join(', ')} at that size`)
    background.push((async () => {
      for (const q of again) await createProbe(kube, namespace, q, probes, answers, busybox)
      // The refused claims (and their pods) go; the namespace would take them along anyway.
      for (const name of old) {
        await kube.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }).catch(() => undefined)
        await kube.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }).catch(() => undefined)
      }
    })().catch((err: Error) => console.warn(`stateful-conformance: probing class ${storageClass} again at ${size}: ${err.message}`)))
  }
}

// Creates the probes and waits (three watches: claims, pods, events) for each one's answer (probe-answers.ts).
async function probeClaims(kube: Kube, namespace: string, probes: Probe[], o: ProbeOptions, minimums: Map<string, { size: string; refusal: string }>): Promise<Map<string, AccessModeProbe>> {
  // What the probes start beside their answers (a pod again, claims at a class's minimum): waited for
  // before the probe ends, so that nothing is made after its namespace is emptied (SC_NAMESPACE).
  const background: Promise<unknown>[] = []
  // A Block probe's first pod could not open the device for want of its group: the first goes, a second joins that group.
  const joinGroup = (claim: string, group: number, node: string) => {
    const p = probes.find((x) => x.claim === claim)!
    background.push(kube.core.deleteNamespacedPod({ namespace, name: p.name }).catch(() => undefined)
      .then(() => createPod(kube, namespace, podFor(p, o.busybox, { group, node })))
      .catch((err: Error) => answers.settle(claim, { result: 'unknown', detail: `could not create the pod in the device's group ${group}: ${err.message}` })))
  }
  const answers: ProbeAnswers = new ProbeAnswers(probes, probeGraces(o.timeoutMs, o.timeoutScale), { joinGroup, onMinimum: (p, bytes, refusal) => retry(p, bytes, refusal) })
  const retry = retryAtMinimum(kube, namespace, probes, answers, o.busybox, minimums, background)
  const stops: (() => void)[] = []
  try {
    stops.push(await watchObjects<V1PersistentVolumeClaim>(kube, resources.pvcs, { namespace }, {
      onSync: (items) => { for (const c of items) answers.onClaim(c) }, onEvent: (_t, pvc) => answers.onClaim(pvc),
    }))
    stops.push(await watchObjects<V1Pod>(kube, resources.pods, { namespace }, {
      onSync: (items) => { for (const p of items) answers.onPod(p) }, onEvent: (_t, pod) => answers.onPod(pod),
    }))
    stops.push(await watchObjects<CoreV1Event>(kube, eventsResource, { namespace }, {
      onSync: (items) => { for (const e of items) answers.onEvent(e) }, onEvent: (t, e) => { if (t !== 'DELETED') answers.onEvent(e) },
    }))
    await Promise.all(probes.map(async (p) => {
      p.startedAt = Date.now()
      await createProbe(kube, namespace, p, probes, answers, o.busybox)
    }))
    // A probe that a component does not act on is answered as soon as that is recognised, not at the deadline.
    const unguard = guardAgainstStalls(kube, namespace, () => true, (stalls) => answers.onStalls(stalls), { scale: () => o.timeoutScale })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([answers.allAnswered, new Promise<void>((resolve) => { timer = setTimeout(resolve, o.timeoutMs) })])
    clearTimeout(timer)
    unguard()
  } finally {
    for (const stop of stops) stop()
    answers.atDeadline(o.timeoutMs)
    await Promise.allSettled(background)
  }
  return answers.outcomes
}

export async function detectCapabilities(kube: Kube, classes: V1StorageClass[], selected: string[], o: ProbeOptions): Promise<DetectedCapabilities> {
  const started = Date.now()
  const [csiDrivers, snapshots] = await Promise.all([listCsiDrivers(kube), readSnapshotClasses(kube)])
  const chosen = classes.filter((c) => selected.includes(c.metadata?.name ?? ''))
  const size = claimSizeFor(o.size ?? leastClaimSize, o.minClaimSize)
  const probes: Probe[] = chosen.flatMap((c, i) => probeKinds.map((kind) => ({
    claim: `c${i}-${probeSlug[kind]}`, name: `c${i}-${probeSlug[kind]}`, size, storageClass: c.metadata?.name ?? '', kind,
    withPod: kind === 'block' || c.volumeBindingMode === 'WaitForFirstConsumer', needsPodStarted: kind === 'block', startedAt: 0,
  })))
  const namespace = await createNamespace(kube, 'storage capabilities', o.run)
  console.log(`stateful-conformance: probing which access modes, Block volumes and clones the classes accept (${probes.length} small claims in ${namespace}, up to ${o.timeoutMs / 1000}s) …`)
  try {
    const minimums = new Map<string, { size: string; refusal: string }>()
    const outcomes = await probeClaims(kube, namespace, probes, o, minimums)
    const byClass: Record<string, Capabilities> = {}
    for (const [i, sc] of chosen.entries()) {
      const name = sc.metadata?.name ?? ''
      const mine = Object.fromEntries(accessModes.map((m) => [m, outcomes.get(`c${i}-${probeSlug[m]}`)!])) as Record<AccessMode, AccessModeProbe>
      const rwoName = probes.find((p) => p.claim === `c${i}-rwo`)?.name ?? `c${i}-rwo`
      const rwo = await kube.core.readNamespacedPersistentVolumeClaim({ namespace, name: rwoName }).catch(() => undefined)
      const pv = rwo?.spec?.volumeName ? await kube.core.readPersistentVolume({ name: rwo.spec.volumeName }).catch(() => undefined) : undefined
      // The CSIDriver named as the provisioner, or else the one its volume names (a provisioner may go by another name).
      const csi = typeof csiDrivers === 'string' ? csiDrivers : (csiDrivers.get(sc.provisioner) ?? csiDrivers.get(pv?.spec?.csi?.driver ?? '') ?? null)
      const volume = pv ? observedVolume(pv) : undefined
      byClass[name] = {
        ...classCapabilities(sc, csi, mine, volume),
        block: outcomes.get(`c${i}-block`)!,
        clone: cloneOutcome(outcomes.get(`c${i}-clone`)!, csi),
        snapshots: snapshotSupport(snapshots.served, snapshots.classes, sc.provisioner),
        nodeLocal: nodeLocalVerdict(volume),
        ...(minimums.has(name) ? { minimumSize: minimums.get(name) } : {}),
      }
    }
    return { byClass, namespace, durationMs: Date.now() - started }
  } finally {
    try {
      await releaseProbeVolumes(kube, namespace)
    } finally {
      await deleteNamespace(kube, namespace)
    }
  }
}

// Kubernetes clones volumes only through CSI: a provisioner that is not CSI
// and bound the clone anyway may have ignored its dataSource (SC-08 reads it).
function cloneOutcome(p: AccessModeProbe, csi: Capabilities['csi']): AccessModeProbe {
  if (p.result !== 'accepted' || (csi && typeof csi === 'object')) return p
  return { ...p, detail: `${p.detail}; not a CSI driver, so it may have ignored the dataSource (SC-08 checks what the clone holds)` }
}

// Whether the snapshot API is served (discovery), and every VolumeSnapshotClass;
// `served` is a string when that could not be told.
async function readSnapshotClasses(kube: Kube): Promise<{ served: boolean | string; classes: SnapshotClassInfo[] }> {
  try {
    if (!(await snapshotApiServed(kube))) return { served: false, classes: [] }
    return { served: true, classes: (await listSnapshotClasses(kube)).map(snapshotClassInfo) }
  } catch (err) {
    return { served: `could not read ${snapshotGroup}: ${describeApiError(err)}`, classes: [] }
  }
}

// A Retain class would keep the probe's volumes (and what backs them) after
// the claims go: switch them to Delete first, so the namespace takes them along.
// In a given namespace (SC_NAMESPACE): the run's claims only, and a user of it may not switch them.
async function releaseProbeVolumes(kube: Kube, namespace: string): Promise<void> {
  const labelSelector = kube.given ? suiteSelector(kube.given.runId) : undefined
  const claims = await kube.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }).then((l) => l.items, () => [])
  for (const c of claims) {
    const name = c.spec?.volumeName
    if (!name) continue
    const pv = await kube.core.readPersistentVolume({ name }).catch(() => undefined)
    if (!pv || pv.spec?.persistentVolumeReclaimPolicy === 'Delete') continue
    if (kube.given) {
      console.warn(`stateful-conformance: probe volume ${name} has reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy}: it stays Released (SC_NAMESPACE: a cluster-scoped object this user may not change); an administrator removes it`)
      continue
    }
    await setReclaimPolicy(kube, name, 'Delete')
      .catch((err: unknown) => console.warn(`stateful-conformance: probe volume ${name} keeps reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy} (${describeApiError(err)}): delete it by hand`))
  }
}

// What global setup prints after the list of classes under test.
export function describeDetectedCapabilities(d: DetectedCapabilities): string {
  return `stateful-conformance: their capabilities (declared, and probed with small claims in namespace ${d.namespace} in ${(d.durationMs / 1000).toFixed(1)}s):\n`
    + describeCapabilities(Object.values(d.byClass))
}
