// Detects the capabilities of the storage classes under test, once per run,
// before any spec: the StorageClass and CSIDriver objects say what is
// declared; small claims say what the provisioner really accepts (a
// server-side dry run would not: the provisioner decides). The claims live in
// a namespace of the run and go when the probe is done.
//
// Bounded and cheap: one claim per access mode and class (with a pod when the
// class waits for a consumer), all at once; each ends at the provisioner's
// first answer (Bound, or a ProvisioningFailed event) or at the deadline.
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node'
import { type AccessMode, type AccessModeProbe, accessModes, type Capabilities, classCapabilities, type CsiDriverInfo, csiDriverInfo, describeCapabilities, observedVolume } from './capabilities.ts'
import { eventsResource } from '../resources/events.ts'
import { describeApiError, type Kube, retryTransient } from '../k8s/kube.ts'
import { createNamespace, deleteNamespace } from '../k8s/namespaces.ts'
import { setReclaimPolicy } from '../resources/storage.ts'
import { resources, watchObjects } from '../k8s/watch.ts'

export interface ProbeOptions {
  runId: string
  busybox: string
  timeoutMs: number
  // Big enough for any provisioner's minimum; they round up anyway.
  size?: string
}

export interface DetectedCapabilities {
  byClass: Record<string, Capabilities>
  namespace: string
  durationMs: number
}

const modeSlug: Record<AccessMode, string> = { ReadWriteOnce: 'rwo', ReadWriteOncePod: 'rwop', ReadWriteMany: 'rwx' }

interface Probe {
  claim: string
  storageClass: string
  mode: AccessMode
  withPod: boolean
  startedAt: number
}

async function listCsiDrivers(kube: Kube): Promise<Map<string, CsiDriverInfo> | string> {
  return retryTransient('list CSIDrivers', () => kube.storage.listCSIDriver())
    .then((l) => new Map(l.items.map((d) => [d.metadata?.name ?? '', csiDriverInfo(d)])), (err: unknown) => `could not list CSIDrivers: ${describeApiError(err)}`)
}

function claimFor(p: Probe, size: string): V1PersistentVolumeClaim {
  return {
    metadata: { name: p.claim, labels: { 'stateful-conformance/probe': 'access-mode' }, annotations: { 'stateful-conformance/storage-class': p.storageClass } },
    spec: { storageClassName: p.storageClass, accessModes: [p.mode], resources: { requests: { storage: size } } },
  }
}

// A consumer, so that a WaitForFirstConsumer class provisions at all; it need not run for long.
function podFor(p: Probe, busybox: string): V1Pod {
  return {
    metadata: { name: p.claim, labels: { 'stateful-conformance/probe': 'access-mode' } },
    spec: {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
      containers: [{ name: 'probe', image: busybox, command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: p.claim } }],
    },
  }
}

// Creates the probes and waits (two watches: claims and events) for each one's first answer.
async function probeAccessModes(kube: Kube, namespace: string, probes: Probe[], o: ProbeOptions): Promise<Map<string, AccessModeProbe>> {
  const outcomes = new Map<string, AccessModeProbe>()
  const lastWord = new Map<string, string>() // claim → the last event about it or its pod
  const byClaim = new Map(probes.map((p) => [p.claim, p]))
  const stops: (() => void)[] = []
  let finish: () => void = () => undefined
  const allAnswered = new Promise<void>((resolve) => { finish = resolve })
  const settle = (claim: string, outcome: AccessModeProbe) => {
    if (!byClaim.has(claim) || outcomes.has(claim)) return
    outcomes.set(claim, outcome)
    if (outcomes.size === probes.length) finish()
  }
  const onClaim = (pvc: V1PersistentVolumeClaim) => {
    const p = byClaim.get(pvc.metadata?.name ?? '')
    if (p && pvc.status?.phase === 'Bound') settle(p.claim, { result: 'accepted', detail: `bound to ${pvc.spec?.volumeName}`, ms: Date.now() - p.startedAt })
  }
  // Provisioners also fail for a moment (throttling, a timeout) and then bind:
  // a ProvisioningFailed is a refusal only if the claim is still unbound a while later.
  const refusalGraceMs = Math.min(5_000, o.timeoutMs / 2)
  const pendingRefusals = new Map<string, NodeJS.Timeout>()
  const onEvent = (e: CoreV1Event) => {
    const name = e.involvedObject.name ?? ''
    if (e.involvedObject.kind === 'PersistentVolumeClaim' && e.reason === 'ProvisioningFailed') {
      if (!pendingRefusals.has(name)) {
        pendingRefusals.set(name, setTimeout(() => settle(name, { result: 'refused', detail: `ProvisioningFailed: ${e.message ?? ''}`.trim() }), refusalGraceMs))
      }
    } else lastWord.set(name, `${e.involvedObject.kind} ${e.reason}: ${e.message ?? ''}`.trim())
  }
  try {
    stops.push(await watchObjects<V1PersistentVolumeClaim>(kube, resources.pvcs, { namespace }, {
      onSync: (items) => items.forEach(onClaim), onEvent: (_t, pvc) => onClaim(pvc),
    }))
    stops.push(await watchObjects<CoreV1Event>(kube, eventsResource, { namespace }, {
      onSync: (items) => items.forEach(onEvent), onEvent: (t, e) => { if (t !== 'DELETED') onEvent(e) },
    }))
    await Promise.all(probes.map(async (p) => {
      p.startedAt = Date.now()
      const claimed = await retryTransient(`create probe claim ${namespace}/${p.claim}`, () =>
        kube.core.createNamespacedPersistentVolumeClaim({ namespace, body: claimFor(p, o.size ?? '1Gi') }))
        // The API server refusing the claim is an answer too (e.g. a mode it does not know).
        .then(() => true, (err: unknown) => { settle(p.claim, { result: 'refused', detail: `the API server refused the claim: ${describeApiError(err)}` }); return false })
      if (!claimed || !p.withPod) return
      await retryTransient(`create probe pod ${namespace}/${p.claim}`, () => kube.core.createNamespacedPod({ namespace, body: podFor(p, o.busybox) }))
        .catch((err: unknown) => settle(p.claim, { result: 'unknown', detail: `could not create the pod that would make the class provision: ${describeApiError(err)}` }))
    }))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([allAnswered, new Promise<void>((resolve) => { timer = setTimeout(resolve, o.timeoutMs) })])
    clearTimeout(timer)
  } finally {
    for (const stop of stops) stop()
    for (const refusal of pendingRefusals.values()) clearTimeout(refusal)
  }
  for (const p of probes) {
    settle(p.claim, { result: 'unknown', detail: `no answer within ${o.timeoutMs / 1000}s (claim still Pending; last event: ${lastWord.get(p.claim) ?? 'none'})` })
  }
  return outcomes
}

export async function detectCapabilities(kube: Kube, classes: V1StorageClass[], selected: string[], o: ProbeOptions): Promise<DetectedCapabilities> {
  const started = Date.now()
  const csiDrivers = await listCsiDrivers(kube)
  const chosen = classes.filter((c) => selected.includes(c.metadata?.name ?? ''))
  const probes: Probe[] = chosen.flatMap((c, i) => accessModes.map((mode) => ({
    claim: `c${i}-${modeSlug[mode]}`, storageClass: c.metadata?.name ?? '', mode, withPod: c.volumeBindingMode === 'WaitForFirstConsumer', startedAt: 0,
  })))
  const namespace = await createNamespace(kube, 'storage capabilities', o.runId)
  console.log(`stateful-conformance: probing which access modes the classes accept (${probes.length} small claims in ${namespace}, up to ${o.timeoutMs / 1000}s) …`)
  try {
    const outcomes = await probeAccessModes(kube, namespace, probes, o)
    const byClass: Record<string, Capabilities> = {}
    for (const [i, sc] of chosen.entries()) {
      const name = sc.metadata?.name ?? ''
      const mine = Object.fromEntries(accessModes.map((m) => [m, outcomes.get(`c${i}-${modeSlug[m]}`)!])) as Record<AccessMode, AccessModeProbe>
      const rwo = await kube.core.readNamespacedPersistentVolumeClaim({ namespace, name: `c${i}-rwo` }).catch(() => undefined)
      const pv = rwo?.spec?.volumeName ? await kube.core.readPersistentVolume({ name: rwo.spec.volumeName }).catch(() => undefined) : undefined
      const csi = typeof csiDrivers === 'string' ? csiDrivers : (csiDrivers.get(sc.provisioner) ?? null)
      byClass[name] = classCapabilities(sc, csi, mine, pv ? observedVolume(pv) : undefined)
    }
    return { byClass, namespace, durationMs: Date.now() - started }
  } finally {
    await releaseProbeVolumes(kube, namespace)
    await deleteNamespace(kube, namespace)
  }
}

// A Retain class would keep the probe's volumes (and what backs them) after
// the claims go: switch them to Delete first, so the namespace takes them along.
async function releaseProbeVolumes(kube: Kube, namespace: string): Promise<void> {
  const claims = await kube.core.listNamespacedPersistentVolumeClaim({ namespace }).then((l) => l.items, () => [])
  for (const c of claims) {
    const name = c.spec?.volumeName
    if (!name) continue
    const pv = await kube.core.readPersistentVolume({ name }).catch(() => undefined)
    if (!pv || pv.spec?.persistentVolumeReclaimPolicy === 'Delete') continue
    await setReclaimPolicy(kube, name, 'Delete')
      .catch((err: unknown) => console.warn(`stateful-conformance: probe volume ${name} keeps reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy} (${describeApiError(err)}): delete it by hand`))
  }
}

// What global setup prints after the list of classes under test.
export function describeDetectedCapabilities(d: DetectedCapabilities): string {
  return `stateful-conformance: their capabilities (declared, and probed with small claims in namespace ${d.namespace} in ${(d.durationMs / 1000).toFixed(1)}s):\n`
    + describeCapabilities(Object.values(d.byClass))
}
