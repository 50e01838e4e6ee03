import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { isTerminalRefusal, ProbeAnswers, probeGraces } from './probe-answers.ts'

const failed = (name: string, message: string, kind = 'PersistentVolumeClaim', reason = 'ProvisioningFailed'): CoreV1Event =>
  ({ metadata: {}, involvedObject: { kind, name }, reason, message })
const bound = (name: string): V1PersistentVolumeClaim => ({ metadata: { name }, spec: { volumeName: `pv-${name}` }, status: { phase: 'Bound' } })
const timeoutMs = 180_000
const probeOf = (claim: string) => ({ claim, name: claim, size: '1Gi', needsPodStarted: claim.endsWith('-block'), startedAt: 0 })
const answersFor = (...claims: string[]) => new ProbeAnswers(claims.map(probeOf), probeGraces(timeoutMs, 1))

beforeEach(() => { vi.useFakeTimers({ now: 0 }) })
afterEach(() => { vi.useRealTimers() })

describe('a refusal the probe takes: one no retry will change', () => {
  test('the words of the provisioners seen: local-path, the ext4 provisioner, the provisioner library, CSI drivers', () => {
    for (const m of [
      'failed to provision volume with StorageClass "standard": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes',
      'rancher.io/local-path does not support block volume provisioning',
      'access mode ReadWriteMany is not supported: a disk is ReadWriteOnce or ReadWriteOncePod',
      'clone feature not supported by this provisioner',
      'rpc error: code = InvalidArgument desc = Volume capabilities MULTI_NODE_MULTI_WRITER not supported',
      'failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = InvalidParameterValue: iops',
    ]) expect(isTerminalRefusal(m), m).toBe(true)
  })
  test('not quota, timeouts, throttling or a storage account being made: those may pass', () => {
    for (const m of [
      'failed to provision volume with StorageClass "azurefile-csi": rpc error: code = Internal desc = failed to ensure storage account: StorageAccountOperationInProgress',
      'rpc error: code = DeadlineExceeded desc = context deadline exceeded',
      'rpc error: code = ResourceExhausted desc = quota exceeded',
      'rpc error: code = Aborted desc = An operation with the given Volume ID pvc-1 already exists',
    ]) expect(isTerminalRefusal(m), m).toBe(false)
  })
})

describe('ProbeAnswers', () => {
  test('a ProvisioningFailed repeated for minutes while a storage account is made (AKS azurefile) does not refuse the class: the claim is accepted once Bound', async () => {
    const a = answersFor('c0-rwo')
    a.onEvent(failed('c0-rwo', 'rpc error: code = Internal desc = failed to ensure storage account: StorageAccountOperationInProgress'))
    await vi.advanceTimersByTimeAsync(150_000)
    expect(a.outcomes.size).toBe(0)
    a.onClaim(bound('c0-rwo'))
    expect(a.outcomes.get('c0-rwo')).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-rwo', ms: 150_000 })
  })

  test('unanswered at the deadline, the probe is unknown and names the last failure it saw', () => {
    const a = answersFor('c0-rwo')
    a.onEvent(failed('c0-rwo', 'rpc error: code = ResourceExhausted desc = quota exceeded'))
    a.atDeadline(timeoutMs)
    expect(a.outcomes.get('c0-rwo')).toEqual({ result: 'unknown', detail: 'no answer within 180s (claim still Pending; last event: PersistentVolumeClaim ProvisioningFailed: rpc error: code = ResourceExhausted desc = quota exceeded)' })
  })

  test('a terminal refusal counts once it stood its grace unrepaired (5 s × SC_TIMEOUT_SCALE)', async () => {
    const a = new ProbeAnswers([probeOf('c0-rwx')], probeGraces(timeoutMs, 3))
    a.onEvent(failed('c0-rwx', 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes'))
    await vi.advanceTimersByTimeAsync(14_000)
    expect(a.outcomes.size).toBe(0)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(a.outcomes.get('c0-rwx')).toEqual({ result: 'refused', detail: 'ProvisioningFailed: NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' })
  })

  test('a Block probe\'s pod that does not get its device yet (a node the autoscaler is adding) waits; one whose driver cannot map it is refused', async () => {
    const a = answersFor('c0-block', 'c1-block')
    a.onEvent(failed('c0-block', 'AttachVolume.Attach failed for volume "pvc-1": node "new-node" not found', 'Pod', 'FailedAttachVolume'))
    a.onEvent(failed('c1-block', 'MapVolume.SetUpDevice failed: rpc error: code = Unimplemented desc = block volumes are not supported', 'Pod', 'FailedMapVolume'))
    await vi.advanceTimersByTimeAsync(15_000)
    expect(a.outcomes.get('c0-block')).toBeUndefined()
    expect(a.outcomes.get('c1-block')).toMatchObject({ result: 'refused', detail: expect.stringMatching(/^its pod did not get the volume: FailedMapVolume/) })
    a.onClaim(bound('c0-block'))
    a.onPod({ metadata: { name: 'c0-block' }, status: { phase: 'Succeeded' } } as V1Pod)
    expect(a.outcomes.get('c0-block')).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-block, used by a pod' })
  })

  test('allAnswered resolves once every probe is answered', async () => {
    const a = answersFor('c0-rwo', 'c0-rwx')
    let all = false
    void a.allAnswered.then(() => { all = true })
    a.onClaim(bound('c0-rwo'))
    await vi.advanceTimersByTimeAsync(0)
    expect(all).toBe(false)
    a.settle('c0-rwx', { result: 'refused', detail: 'the API server refused the claim' })
    await vi.advanceTimersByTimeAsync(0)
    expect(all).toBe(true)
  })
})

describe('a class with a minimum size', () => {
  const hyperdisk = 'failed to provision volume with StorageClass "hyperdisk-balanced": rpc error: code = InvalidArgument desc = size must be at least 4Gi'

  test('a refusal naming a minimum above the claim\'s size is asked again once, at that size, under a new name; the new claim answers for the probe', async () => {
    const asked: string[] = []
    const probes = [probeOf('c0-rwo')]
    const a = new ProbeAnswers(probes, probeGraces(timeoutMs, 1), (p, bytes, refusal) => {
      asked.push(`${p.claim} ${bytes} ${refusal}`)
      a.moveTo(p, `${p.claim}-min`, '4Gi')
    })
    a.onEvent(failed('c0-rwo', hyperdisk))
    expect(asked).toEqual([`c0-rwo ${4 * 2 ** 30} c0-rwo (1Gi): ProvisioningFailed: ${hyperdisk}`])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(a.outcomes.get('c0-rwo')).toBeUndefined() // not refused: asked again
    a.onClaim(bound('c0-rwo')) // the old claim, bound late, no longer answers
    a.onEvent(failed('c0-rwo', hyperdisk))
    expect(a.outcomes.get('c0-rwo')).toBeUndefined()
    a.onClaim(bound('c0-rwo-min'))
    expect(a.outcomes.get('c0-rwo')).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-rwo-min' })
    expect(probes[0]).toMatchObject({ name: 'c0-rwo-min', size: '4Gi', retried: true })
  })

  test('named again after the retry, or with no one to retry, the minimum is a refusal', async () => {
    const a = new ProbeAnswers([probeOf('c0-rwo')], probeGraces(timeoutMs, 1), (p) => a.moveTo(p, `${p.claim}-min`, '2Gi'))
    a.onEvent(failed('c0-rwo', 'requested size 1Gi is less than the minimum 4Gi'))
    a.onEvent(failed('c0-rwo-min', 'requested size 2Gi is less than the minimum 4Gi'))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(a.outcomes.get('c0-rwo')).toMatchObject({ result: 'refused', detail: 'ProvisioningFailed: requested size 2Gi is less than the minimum 4Gi' })
    const b = answersFor('c1-rwo')
    b.onEvent(failed('c1-rwo', 'requested size 1Gi is less than the minimum 4Gi'))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(b.outcomes.get('c1-rwo')?.result).toBe('refused')
  })

  test('a minimum the claim already meets asks nothing again', () => {
    const asked: string[] = []
    const a = new ProbeAnswers([probeOf('c0-rwo')], probeGraces(timeoutMs, 1), (p) => asked.push(p.claim))
    a.onEvent(failed('c0-rwo', 'size must be at least 1Gi'))
    expect(asked).toEqual([])
  })
})

