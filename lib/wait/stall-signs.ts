// The signs that a component does not act, read from a namespace's objects (pure;
// lib/wait/stalls.ts follows them over time and ends the waits they concern).
// The signs are ones a healthy cluster clears in a second or two: a controller
// has not observed its object's generation, a Service has no EndpointSlice at all
// (the EndpointSlice controller writes an empty one for a Service without pods),
// a pod has no scheduling decision, a claim has no word from the PV controller or
// its provisioner (events are best effort: a provisioner's silence counts from the
// last sign of life around the claim), a deleted claim nobody uses keeps its
// protection finalizer, an object outlives its owner. Each sign names its subjects (the pods a stalled
// StatefulSet should have made, its claims, the EndpointSlices of the Services
// over those pods…): a wait concerns the kind, name and labels it watches.
import type {
  CoreV1Event, KubernetesObject, V1Deployment, V1EndpointSlice, V1PersistentVolumeClaim, V1Pod, V1ReplicaSet, V1Service, V1StatefulSet,
} from '@kubernetes/client-node'
import { eventFirstTime, eventTime, provisionerAnnotation } from '../resources/events.ts'

export interface NamespaceObjects {
  statefulSets: V1StatefulSet[]
  deployments: V1Deployment[]
  replicaSets: V1ReplicaSet[]
  services: V1Service[]
  endpointSlices: V1EndpointSlice[]
  pods: V1Pod[]
  pvcs: V1PersistentVolumeClaim[]
  // Listed only when a claim is Pending: the PV controller's and the provisioner's word on it.
  events: CoreV1Event[]
}

// One sign that `component` has not done its part. `key` names the object and
// its state, so the same sign is followed from check to check.
export interface Sign {
  key: string
  component: string
  evidence: string
  windowMs: number
  subjects: Subject[]
}

// What a wait may be waiting on that the sign keeps from happening: objects of a
// kind, by name (or a name pattern) and labels where known.
export interface Subject {
  kind: string
  name?: string | RegExp
  labels?: Record<string, string>
}

// What a wait watches: a kind in the namespace, by name or label selector.
export interface WaitScope {
  kind: string
  name?: string
  labelSelector?: string
}

// Base windows, stretched by SC_TIMEOUT_SCALE (stalls.ts). A controller-manager leader change waits out
// the old lease (15 s) and the new leader's cache sync: 60 s outlasts one, twice over.
const controllerWindowMs = 60_000
// A provisioner announces a claim (the Provisioning event) when it starts on it; it may be busy with
// other claims, a slow cloud API may delay even that, and events may be dropped.
const provisionerWindowMs = 120_000

const nameOf = (o: KubernetesObject) => `${o.kind ?? ''}${o.kind ? ' ' : ''}${o.metadata?.namespace}/${o.metadata?.name}`
const deleting = (o: KubernetesObject) => Boolean(o.metadata?.deletionTimestamp)
const ownedBy = (o: KubernetesObject, owner: KubernetesObject) => o.metadata?.ownerReferences?.some((r) => r.uid === owner.metadata?.uid) ?? false
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

type Workload = V1StatefulSet | V1Deployment | V1ReplicaSet

// The EndpointSlices of the Services whose selector picks pods with these labels.
const slicesOver = (s: NamespaceObjects, labels: Record<string, string> | undefined): Subject[] =>
  s.services.filter((svc) => {
    const sel = Object.entries(svc.spec?.selector ?? {})
    return sel.length && sel.every(([k, v]) => labels?.[k] === v)
  }).map((svc) => ({ kind: 'EndpointSlice', labels: { 'kubernetes.io/service-name': svc.metadata?.name ?? '' } }))

// What a workload's stall keeps from happening: its pods, its claims (a StatefulSet's), the
// workloads above it, and the endpoints of the Services over its pods.
function workloadSubjects(kind: string, w: Workload, s: NamespaceObjects): Subject[] {
  const name = w.metadata?.name ?? ''
  const labels = w.spec?.template?.metadata?.labels
  const subjects: Subject[] = [{ kind, name, labels: w.metadata?.labels }, { kind: 'Pod', labels }, ...slicesOver(s, labels)]
  if (kind === 'StatefulSet') {
    subjects.push({ kind: 'Pod', name: new RegExp(`^${literal(name)}-\\d+$`), labels })
    for (const t of (w as V1StatefulSet).spec?.volumeClaimTemplates ?? []) {
      subjects.push({ kind: 'PersistentVolumeClaim', name: new RegExp(`^${literal(t.metadata?.name ?? '')}-${literal(name)}-\\d+$`) })
    }
  }
  if (kind === 'Deployment') subjects.push({ kind: 'ReplicaSet', labels })
  for (const r of w.metadata?.ownerReferences ?? []) subjects.push({ kind: r.kind, name: r.name })
  return subjects
}

// A controller's first act on its object is to write status.observedGeneration.
function unobserved(kind: string, items: Workload[], component: string, s: NamespaceObjects, made: (w: Workload) => string): Sign[] {
  return items.filter((w) => !deleting(w) && (w.metadata?.generation ?? 0) > (w.status?.observedGeneration ?? 0)).map((w) => ({
    key: `${kind}/${w.metadata?.uid}/${w.metadata?.generation}`,
    component,
    evidence: `${kind} ${w.metadata?.namespace}/${w.metadata?.name}: generation ${w.metadata?.generation} not observed by its controller (status.observedGeneration ${w.status?.observedGeneration ?? 'unset'}), ${made(w)}`,
    windowMs: controllerWindowMs,
    subjects: workloadSubjects(kind, w, s),
  }))
}

const podsOf = (o: Workload, pods: V1Pod[]) => pods.filter((p) => ownedBy(p, o)).length
const countText = (n: number, noun: string) => (n ? `${n} ${noun}${n > 1 ? 's' : ''} of it exist` : `no ${noun} of it exists`)

function serviceSigns(s: NamespaceObjects): Sign[] {
  return s.services.filter((svc) => !deleting(svc) && Object.keys(svc.spec?.selector ?? {}).length && svc.spec?.type !== 'ExternalName')
    .filter((svc) => !s.endpointSlices.some((e) => e.metadata?.labels?.['kubernetes.io/service-name'] === svc.metadata?.name))
    .map((svc) => ({
      key: `Service/${svc.metadata?.uid}`,
      component: 'the EndpointSlice controller (kube-controller-manager)',
      evidence: `Service ${svc.metadata?.namespace}/${svc.metadata?.name} has a selector and no EndpointSlice at all (the controller writes one even for a Service without pods)`,
      windowMs: controllerWindowMs,
      subjects: [{ kind: 'EndpointSlice', labels: { 'kubernetes.io/service-name': svc.metadata?.name ?? '' } }],
    }))
}

const claimNames = (p: V1Pod) => (p.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => Boolean(n))
const selectedNode = (c: V1PersistentVolumeClaim) => c.metadata?.annotations?.['volume.kubernetes.io/selected-node']

// What keeping a pod from running keeps from happening: the pod, its claims (a WaitForFirstConsumer
// claim binds only once its pod is placed), its owners, the endpoints of the Services over it.
function podSubjects(p: V1Pod, s: NamespaceObjects): Subject[] {
  const owners = (p.metadata?.ownerReferences ?? []).flatMap((r) => {
    const rs = r.kind === 'ReplicaSet' ? s.replicaSets.find((x) => x.metadata?.uid === r.uid) : undefined
    return [{ kind: r.kind, name: r.name }, ...(rs?.metadata?.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name }))]
  })
  return [{ kind: 'Pod', name: p.metadata?.name, labels: p.metadata?.labels ?? {} }, ...claimNames(p).map((name) => ({ kind: 'PersistentVolumeClaim', name })),
    ...owners, ...slicesOver(s, p.metadata?.labels)]
}

// The scheduler decides (binds the pod, or says why not in PodScheduled). With a claim it
// first picks the claim's node (selected-node) and waits for the volume: that counts as acting.
function podSigns(s: NamespaceObjects): Sign[] {
  return s.pods.filter((p) => !deleting(p) && !p.spec?.nodeName && !p.spec?.schedulingGates?.length)
    .filter((p) => !p.status?.conditions?.some((c) => c.type === 'PodScheduled'))
    .filter((p) => !claimNames(p).some((n) => s.pvcs.some((c) => c.metadata?.name === n && selectedNode(c))))
    .map((p) => ({
      key: `Pod/${p.metadata?.uid}/unscheduled`,
      component: 'the scheduler (kube-scheduler)',
      evidence: `pod ${p.metadata?.namespace}/${p.metadata?.name} is on no node and has no PodScheduled condition: no scheduler has placed it or said why not`,
      windowMs: controllerWindowMs,
      subjects: podSubjects(p, s),
    }))
}

const eventsOf = (events: CoreV1Event[], o: KubernetesObject) => events.filter((e) => e.involvedObject?.uid === o.metadata?.uid)
const reporter = (e: CoreV1Event) => e.source?.component || e.reportingComponent || ''
const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : 'an unknown time')

// The PV controller repeats these while it waits (every resync): they say nothing of the provisioner.
const waitingNotice = (e: CoreV1Event) => reporter(e) === 'persistentvolume-controller' && (e.reason === 'ExternalProvisioning' || e.reason === 'WaitForFirstConsumer')

// The last sign of life around a claim handed to a provisioner: the hand-off (the PV controller's first
// ExternalProvisioning notice; the last change to the claim, such as its provisioner and selected-node
// annotations), any other event about it, and the provisioner's word on other claims of the namespace
// (it may be working through them).
function lastSignOfLife(c: V1PersistentVolumeClaim, own: CoreV1Event[], all: CoreV1Event[], provisioner: string): { at: number; what: string } {
  const seen = [{ at: new Date(c.metadata?.creationTimestamp ?? 0).getTime(), what: 'its creation' }]
  for (const e of own) {
    if (!waitingNotice(e)) seen.push({ at: eventTime(e), what: `event ${e.reason} from ${reporter(e) || 'an unnamed component'}` })
    else if (e.reason === 'ExternalProvisioning') seen.push({ at: eventFirstTime(e), what: 'the hand-off (the PV controller\'s first ExternalProvisioning event)' })
  }
  for (const f of c.metadata?.managedFields ?? []) if (f.time) seen.push({ at: new Date(f.time).getTime(), what: `a change to the claim by ${f.manager ?? 'an unnamed manager'}` })
  for (const e of all) {
    if (e.involvedObject?.uid !== c.metadata?.uid && reporter(e).startsWith(provisioner)) {
      seen.push({ at: eventTime(e), what: `its event ${e.reason} about ${e.involvedObject?.kind} ${e.involvedObject?.name}` })
    }
  }
  return seen.reduce((last, x) => (x.at > last.at ? x : last))
}

// A claim that does not bind keeps from happening: the claim, and the pods that use it with all they concern.
const claimSubjects = (c: V1PersistentVolumeClaim, s: NamespaceObjects): Subject[] =>
  [{ kind: 'PersistentVolumeClaim', name: c.metadata?.name }, ...s.pods.filter((p) => claimNames(p).includes(c.metadata?.name ?? '')).flatMap((p) => podSubjects(p, s))]

function claimSigns(s: NamespaceObjects): Sign[] {
  const signs: Sign[] = []
  for (const c of s.pvcs) {
    const name = `claim ${c.metadata?.namespace}/${c.metadata?.name}`
    if (deleting(c)) {
      const users = s.pods.filter((p) => claimNames(p).includes(c.metadata?.name ?? '') && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''))
      if (c.metadata?.finalizers?.includes('kubernetes.io/pvc-protection') && !users.length) {
        signs.push({
          key: `PersistentVolumeClaim/${c.metadata?.uid}/protected`, component: 'the PVC protection controller (kube-controller-manager)',
          evidence: `${name} is being deleted and no pod uses it, yet it keeps its kubernetes.io/pvc-protection finalizer`, windowMs: controllerWindowMs,
          subjects: [{ kind: 'PersistentVolumeClaim', name: c.metadata?.name }],
        })
      }
      continue
    }
    if (c.status?.phase !== 'Pending') continue
    const events = eventsOf(s.events, c)
    const provisioner = provisionerAnnotation(c)
    // Naming the claim's provisioner is the PV controller acting too, whatever became of its events.
    if (!provisioner && !events.some((e) => reporter(e) === 'persistentvolume-controller')) {
      signs.push({
        key: `PersistentVolumeClaim/${c.metadata?.uid}/unbound`, component: 'the PV controller (persistentvolume-binder in kube-controller-manager)',
        evidence: `${name} is Pending and the PV controller has said nothing about it (no event from persistentvolume-controller: not even WaitForFirstConsumer or ExternalProvisioning)`,
        windowMs: controllerWindowMs, subjects: claimSubjects(c, s),
      })
      continue
    }
    if (provisioner && !events.some((e) => reporter(e).startsWith(provisioner) || /^Provisioning(Succeeded|Failed)?$/.test(e.reason ?? ''))) {
      // Keyed by the last sign of life, so that each new one starts the silence again.
      const life = lastSignOfLife(c, events, s.events, provisioner)
      signs.push({
        key: `PersistentVolumeClaim/${c.metadata?.uid}/unprovisioned/${life.at}`, component: `the provisioner ${provisioner}`,
        evidence: `${name} was handed to ${provisioner}${selectedNode(c) ? ` for node ${selectedNode(c)}` : ''} and that provisioner has said nothing about it (no Provisioning event); `
          + `the last sign of life around it: ${life.what} at ${iso(life.at)}`,
        windowMs: provisionerWindowMs, subjects: claimSubjects(c, s),
      })
    }
  }
  return signs
}

// Dependents whose owner (of a kind listed here) is gone: the garbage collector deletes them.
function orphanSigns(s: NamespaceObjects): Sign[] {
  // A Pod owns a claim a StatefulSet scaled down with whenScaled: Delete, and an ephemeral volume's claim.
  const owners = new Map<string, KubernetesObject[]>([
    ['StatefulSet', s.statefulSets], ['Deployment', s.deployments], ['ReplicaSet', s.replicaSets], ['Pod', s.pods],
  ])
  const dependents: KubernetesObject[] = [...s.pods.map((p) => ({ ...p, kind: 'Pod' })), ...s.pvcs.map((c) => ({ ...c, kind: 'PersistentVolumeClaim' })), ...s.replicaSets.map((r) => ({ ...r, kind: 'ReplicaSet' }))]
  return dependents.filter((d) => !deleting(d)).flatMap((d) => (d.metadata?.ownerReferences ?? [])
    .filter((r) => owners.has(r.kind) && !owners.get(r.kind)!.some((o) => o.metadata?.uid === r.uid))
    .map((r) => ({
      key: `${d.kind}/${d.metadata?.uid}/orphan/${r.uid}`, component: 'the garbage collector (kube-controller-manager)',
      evidence: `${nameOf(d)} is still there though its owner ${r.kind} ${r.name} (uid ${r.uid}) is gone`, windowMs: controllerWindowMs,
      subjects: [{ kind: d.kind ?? '', name: d.metadata?.name, labels: d.metadata?.labels ?? {} }],
    })))
}

// Every sign the namespace shows now; each must last its window before it counts.
export function signsOf(s: NamespaceObjects): Sign[] {
  return [
    ...unobserved('StatefulSet', s.statefulSets, 'the StatefulSet controller (kube-controller-manager)', s, (w) => countText(podsOf(w, s.pods), 'pod')),
    ...unobserved('Deployment', s.deployments, 'the Deployment controller (kube-controller-manager)', s, (w) => countText(s.replicaSets.filter((r) => ownedBy(r, w)).length, 'ReplicaSet')),
    ...unobserved('ReplicaSet', s.replicaSets, 'the ReplicaSet controller (kube-controller-manager)', s, (w) => countText(podsOf(w, s.pods), 'pod')),
    ...serviceSigns(s), ...podSigns(s), ...claimSigns(s), ...orphanSigns(s),
  ]
}

// A label selector as the API takes it (k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b)) against labels.
export function selectorMatches(selector: string, labels: Record<string, string>): boolean {
  const terms = selector.split(/,(?![^(]*\))/).map((t) => t.trim()).filter(Boolean)
  return terms.every((t) => {
    let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(t)
    if (m) return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3]
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t)
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim())
      const has = m[1]! in labels && values.includes(labels[m[1]!]!)
      return m[2] === 'in' ? has : !has
    }
    if (t.startsWith('!')) return !(t.slice(1) in labels)
    return t in labels
  })
}

// Whether a subject is something the wait watches: the same kind, and its name and labels
// fit the wait's name and selector (a subject without a name, or labels, fits no named, or selected, wait).
export function concerns(subject: Subject, scope: WaitScope): boolean {
  if (subject.kind !== scope.kind) return false
  if (scope.name !== undefined) {
    if (subject.name === undefined) return false
    if (typeof subject.name === 'string' ? subject.name !== scope.name : !subject.name.test(scope.name)) return false
  }
  if (scope.labelSelector) return subject.labels !== undefined && selectorMatches(scope.labelSelector, subject.labels)
  return true
}
