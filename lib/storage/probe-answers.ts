// How the capability probe's claims are answered, from what its watches show (probe.ts feeds them in).
// A claim is accepted once Bound (a Block probe's once its pod's container started too); refused only
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
  // Accepted only once the pod's container started (Block: the device was attached and mapped).
  needsPodStarted: boolean
  startedAt: number
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
  private readonly pendingRefusals = new Map<string, NodeJS.Timeout>()
  private readonly graces: { refusalMs: number; podFailureMs: number }

  constructor(probes: AnsweredProbe[], graces: { refusalMs: number; podFailureMs: number }, onMinimum?: (p: AnsweredProbe, minimumBytes: number, refusal: string) => void) {
    this.byClaim = new Map(probes.map((p) => [p.claim, p]))
    this.byName = new Map(probes.map((p) => [p.name, p]))
    this.graces = graces
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
    const p = this.byName.get(pod.metadata?.name ?? '')
    if (!p?.needsPodStarted) return
    const phase = pod.status?.phase
    const ran = (pod.status?.containerStatuses ?? []).some((c) => c.state?.running || (c.state?.terminated && c.state.terminated.reason !== 'ContainerCannotRun' && c.state.terminated.reason !== 'StartError'))
    if (phase === 'Running' || phase === 'Succeeded' || ran) {
      this.started.add(p.claim)
      this.accept(p)
    } else if (phase === 'Failed') {
      this.settle(p.claim, { result: 'refused', detail: `its pod failed: ${pod.status?.reason ?? ''} ${pod.status?.message ?? this.lastWord.get(p.claim) ?? ''}`.trim() })
    }
  }

  onEvent(e: CoreV1Event): void {
    const p = this.byName.get(e.involvedObject.name ?? '')
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
      const state = this.bound.has(p.claim) ? `claim Bound, but its pod's container never started` : 'claim still Pending'
      this.settle(p.claim, { result: 'unknown', detail: `no answer within ${timeoutMs / 1000}s (${state}; last event: ${this.lastWord.get(p.claim) ?? 'none'})` })
    }
  }

  stop(): void {
    for (const refusal of this.pendingRefusals.values()) clearTimeout(refusal)
  }

  private accept(p: AnsweredProbe): void {
    if (!this.bound.has(p.claim) || (p.needsPodStarted && !this.started.has(p.claim))) return
    this.settle(p.claim, { result: 'accepted', detail: `bound to ${this.bound.get(p.claim)}${p.needsPodStarted ? ', used by a pod' : ''}`, ms: Date.now() - p.startedAt })
  }

  private refuseLater(claim: string, detail: string, graceMs: number): void {
    this.pendingRefusals.set(claim, setTimeout(() => this.settle(claim, { result: 'refused', detail }), graceMs))
  }
}
