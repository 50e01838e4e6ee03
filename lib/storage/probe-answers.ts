// How the capability probe's claims are answered, from what its watches show (probe.ts feeds them in).
// A claim is accepted once Bound (a Block probe's once its pod has opened the raw device and read a
// block of it: lib/apps/raw-device.ts, reported in the container's termination message); refused only
// on a refusal no retry will change (terminalRefusal) or a probe pod that failed; unknown when a
// component is seen not acting, or at the deadline. Anything else is waited out: a cloud provisioner
// logs ProvisioningFailed for minutes while it makes a storage account (AKS azurefile), a WaitForFirstConsumer
// pod waits for the node an autoscaler adds. A class whose plain claim is not accepted fails every
// [sc] claim (capabilities.ts), so a timing signal must not decide it.
// A refusal that names a minimum size above the claim's (minimum-size.ts) is handed to onMinimum once,
// which asks again at that size under another name (moveTo); named again, it is a refusal.
import { bytesOf } from '../k8s/quantity.ts'
import { minimumSizeIn } from './minimum-size.ts'
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import { describeRawDeviceAccess, groupToJoin, parseRawDeviceAccess } from '../apps/raw-device.ts'
import { describeStall, type Stall, stallConcerns } from '../wait/stalls.ts'
import type { AccessModeProbe } from './capabilities.ts'

// The provisioner (or kubelet, for a Block probe's device) says the claim asks for what it does not
// do, or that the class's parameters are wrong. Quota, timeouts, a storage account being made, a
// node not there yet may all pass, and do not match.
const terminalWords = [
  /\b(does not|doesn't|do not) support\b|\bnot supported\b|\bunsupported\b|\bonly supports?\b/i,
  /\bcode = (InvalidArgument|Unimplemented)\b/,
  /\bInvalidParameter|\binvalid (parameter|argument)|\bunknown parameter/i,
  /\bis not handled by the provisioner\b/,
  /\bno volume plugin matched\b/i,
  /\bstorageclass\.storage\.k8s\.io "[^"]*" not found/i,
]

export const isTerminalRefusal = (message: string | undefined): boolean => terminalWords.some((re) => re.test(message ?? ''))

export interface AnsweredProbe {
  // What the outcome is named by; `name` is the claim (and pod) that now stands for it.
  claim: string
  name: string
  // What the claim asks for; `retried` once it was asked again at a minimum a refusal named.
  size: string
  retried?: boolean
  // Accepted only once the pod's container ran and reported (Block: the device was attached, mapped, opened and read).
  needsPodStarted: boolean
  startedAt: number
}

// The Block probe's pod that joins the device's group (supplementalGroups) when the first
// pod could not open it for want of that group: named after the claim, answered for it.
export const inGroupPod = (name: string) => `${name}-in-group`
const claimOfPod = (pod: string) => pod.replace(/-in-group$/, '')

// What a Block probe's pod found at the raw device (its termination message) says of the class.
// Read is accepted; a device that is not a block device, or that cannot be read for another cause
// than its group (an I/O error), is refused; no report, or a read denied even in the device's group,
// leaves it unknown.
export function rawDeviceOutcome(report: string | undefined, volume: string): AccessModeProbe {
  const a = parseRawDeviceAccess(report ?? '')
  if (!a) return { result: 'unknown', detail: `bound to ${volume}, but its pod ended without reporting what it found at the raw device (termination message ${JSON.stringify((report ?? '').slice(0, 200))})` }
  const found = describeRawDeviceAccess(a)
  const group = a.group === undefined ? {} : { deviceGroup: a.group }
  if (!a.block) return { result: 'refused', detail: `bound to ${volume}, but the pod's device is not a block device: ${found}`, ...group }
  if (a.read === 'ok') return { result: 'accepted', detail: `bound to ${volume}, used by a pod; ${found}`, ...group }
  if (a.read === 'denied') return { result: 'unknown', detail: `bound to ${volume}, but the pod could not open the raw device even in its group: ${found}`, ...group }
  return { result: 'refused', detail: `bound to ${volume}, but the pod could not read the raw device: ${found}`, ...group }
}

// How long a terminal refusal must stand unrepaired before it counts (a provisioner may still bind), scaled
// with SC_TIMEOUT_SCALE, and never more than half the deadline.
export const probeGraces = (timeoutMs: number, scale: number) =>
  ({ refusalMs: Math.min(5_000 * scale, timeoutMs / 2), podFailureMs: Math.min(15_000 * scale, timeoutMs / 2) })

const podVolumeFailures = new Set(['FailedAttachVolume', 'FailedMapVolume', 'FailedMount'])

export class ProbeAnswers {
  readonly outcomes = new Map<string, AccessModeProbe>()
  readonly allAnswered: Promise<void>
  private done: () => void = () => undefined
  private readonly byClaim: Map<string, AnsweredProbe>
  private readonly byName: Map<string, AnsweredProbe> // the claim or pod that now stands for each probe
  private readonly onMinimum?: (p: AnsweredProbe, minimumBytes: number, refusal: string) => void
  private readonly lastWord = new Map<string, string>() // claim → the last event about it or its pod
  private readonly bound = new Map<string, string>() // claim → its volume
  private readonly started = new Set<string>() // probe pods whose container started
  private readonly deviceReports = new Map<string, string>() // Block probe → what its pod found at the device
  private readonly joinedGroup = new Set<string>() // Block probes whose second pod joins the device's group
  private readonly pendingRefusals = new Map<string, NodeJS.Timeout>()
  private readonly graces: { refusalMs: number; podFailureMs: number }

  // joinGroup: make the Block probe's second pod (inGroupPod), in `group`, on `node` (where the volume is attached).
  private readonly joinGroup: (claim: string, group: number, node: string) => void

  constructor(probes: AnsweredProbe[], graces: { refusalMs: number; podFailureMs: number },
    { joinGroup = () => undefined, onMinimum }: { joinGroup?: (claim: string, group: number, node: string) => void; onMinimum?: (p: AnsweredProbe, minimumBytes: number, refusal: string) => void } = {}) {
    this.byClaim = new Map(probes.map((p) => [p.claim, p]))
    this.byName = new Map(probes.map((p) => [p.name, p]))
    this.graces = graces
    this.joinGroup = joinGroup
    this.onMinimum = onMinimum
    this.allAnswered = new Promise<void>((resolve) => { this.done = resolve })
  }

  settle(claim: string, outcome: AccessModeProbe): void {
    if (!this.byClaim.has(claim) || this.outcomes.has(claim)) return
    this.outcomes.set(claim, outcome)
    if (this.outcomes.size === this.byClaim.size) this.done()
  }

  // The probe is asked again by a new claim (and pod) `name` of `size`: what the old one shows no longer counts.
  moveTo(p: AnsweredProbe, name: string, size: string): void {
    clearTimeout(this.pendingRefusals.get(p.claim))
    this.pendingRefusals.delete(p.claim)
    this.bound.delete(p.claim)
    this.started.delete(p.claim)
    this.byName.delete(p.name)
    Object.assign(p, { name, size, retried: true, startedAt: Date.now() })
    this.byName.set(name, p)
  }

  unanswered(): AnsweredProbe[] {
    return [...this.byClaim.values()].filter((p) => !this.outcomes.has(p.claim))
  }

  onClaim(pvc: V1PersistentVolumeClaim): void {
    const p = this.byName.get(pvc.metadata?.name ?? '')
    if (!p || pvc.status?.phase !== 'Bound') return
    this.bound.set(p.claim, pvc.spec?.volumeName ?? '')
    this.accept(p)
  }

  onPod(pod: V1Pod): void {
    const name = pod.metadata?.name ?? ''
    const p = this.byName.get(claimOfPod(name))
    if (!p?.needsPodStarted || (name !== p.name && !this.joinedGroup.has(p.claim))) return
    // The first pod's report stands once its second pod, in the device's group, is asked for.
    if (name === p.name && this.joinedGroup.has(p.claim)) return
    const phase = pod.status?.phase
    // Its container ran its script to the end and wrote what it found to its termination message.
    const ended = (pod.status?.containerStatuses ?? []).map((c) => c.state?.terminated).find((t) => t && t.reason !== 'ContainerCannotRun' && t.reason !== 'StartError')
    if (ended) {
      const report = parseRawDeviceAccess(ended.message ?? '')
      const group = report && groupToJoin(report)
      if (group !== undefined && name === p.name) {
        this.joinedGroup.add(p.claim)
        this.joinGroup(p.claim, group, pod.spec?.nodeName ?? '')
        return
      }
      this.started.add(p.claim)
      this.deviceReports.set(p.claim, ended.message ?? '')
      this.accept(p)
    } else if (phase === 'Failed') {
      this.settle(p.claim, { result: 'refused', detail: `its pod failed: ${pod.status?.reason ?? ''} ${pod.status?.message ?? this.lastWord.get(p.claim) ?? ''}`.trim() })
    }
  }

  onEvent(e: CoreV1Event): void {
    const p = this.byName.get(claimOfPod(e.involvedObject.name ?? ''))
    if (!p) return
    const name = p.claim
    this.lastWord.set(name, `${e.involvedObject.kind} ${e.reason}: ${e.message ?? ''}`.trim())
    const provisioning = e.involvedObject.kind === 'PersistentVolumeClaim' && e.reason === 'ProvisioningFailed'
    const minimum = provisioning ? minimumSizeIn(e.message) : undefined
    if (minimum !== undefined && minimum > bytesOf(p.size) && !p.retried && this.onMinimum) {
      this.onMinimum(p, minimum, `${p.name} (${p.size}): ProvisioningFailed: ${e.message ?? ''}`)
      return
    }
    if ((minimum === undefined && !isTerminalRefusal(e.message)) || this.pendingRefusals.has(name)) return
    if (provisioning) {
      this.refuseLater(name, `ProvisioningFailed: ${e.message ?? ''}`.trim(), this.graces.refusalMs)
    } else if (e.involvedObject.kind === 'Pod' && p.needsPodStarted && podVolumeFailures.has(e.reason ?? '')) {
      this.refuseLater(name, `its pod did not get the volume: ${e.reason}: ${e.message ?? ''}`.trim(), this.graces.podFailureMs)
    }
  }

  // A component not acting on a probe's claim (no provisioner, no PV controller, no scheduler) answers it
  // (lib/wait/stalls.ts); returns whether any probe is still unanswered.
  onStalls(stalls: Stall[]): boolean {
    for (const p of this.unanswered()) {
      const stall = stalls.find(stallConcerns({ kind: 'PersistentVolumeClaim', name: p.name }))
      if (stall) this.settle(p.claim, { result: 'unknown', detail: `no answer: ${describeStall(stall)}` })
    }
    return this.unanswered().length > 0
  }

  // The deadline: every probe still unanswered is unknown, with what it last showed.
  atDeadline(timeoutMs: number): void {
    this.stop()
    for (const p of this.unanswered()) {
      const state = this.bound.has(p.claim) ? `claim Bound, but its pod's container never ran to the end` : 'claim still Pending'
      this.settle(p.claim, { result: 'unknown', detail: `no answer within ${timeoutMs / 1000}s (${state}; last event: ${this.lastWord.get(p.claim) ?? 'none'})` })
    }
  }

  stop(): void {
    for (const refusal of this.pendingRefusals.values()) clearTimeout(refusal)
  }

  private accept(p: AnsweredProbe): void {
    if (!this.bound.has(p.claim) || (p.needsPodStarted && !this.started.has(p.claim))) return
    const volume = this.bound.get(p.claim) ?? ''
    const ms = Date.now() - p.startedAt
    if (!p.needsPodStarted) this.settle(p.claim, { result: 'accepted', detail: `bound to ${volume}`, ms })
    else this.settle(p.claim, { ...rawDeviceOutcome(this.deviceReports.get(p.claim), volume), ms })
  }

  private refuseLater(claim: string, detail: string, graceMs: number): void {
    this.pendingRefusals.set(claim, setTimeout(() => this.settle(claim, { result: 'refused', detail }), graceMs))
  }
}
