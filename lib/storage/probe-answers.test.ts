import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { inGroupPod, isTerminalRefusal, ProbeAnswers, probeGraces, rawDeviceOutcome } from './probe-answers.ts'

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

// A Block probe's pod whose container ended, its termination message what it found at the device.
const blockPod = (name: string, message: string | undefined, o: { phase?: string; running?: boolean } = {}): V1Pod => ({
  metadata: { name }, spec: { containers: [], nodeName: 'node-a' },
  status: { phase: o.phase ?? (o.running ? 'Running' : 'Succeeded'), containerStatuses: [{ name: 'probe', image: '', imageID: '', ready: false, restartCount: 0, state: o.running ? { running: {} } : { terminated: { exitCode: 0, reason: 'Completed', ...(message === undefined ? {} : { message }) } } }] },
})
const denied = (group: number, groups: string) => `block: yes\nstat: ${group} 660\nread: dd: can't open '/dev/probe': Permission denied\ngroups: ${groups}`

describe('a Block probe is answered by what its pod found at the raw device, not by its container starting', () => {
  test('a pod that started but has not read the device yet answers nothing', () => {
    const a = answersFor('c0-block')
    a.onClaim(bound('c0-block'))
    a.onPod(blockPod('c0-block', undefined, { running: true }))
    expect(a.outcomes.get('c0-block')).toBeUndefined()
  })

  test('a device of a group the pod is not in: a second pod joins the group stat read (not gid 6 by assumption), on the same node, and its read answers', () => {
    const joined: [string, number, string][] = []
    const a = new ProbeAnswers([probeOf('c0-block')], probeGraces(timeoutMs, 1), { joinGroup: (...x) => { joined.push(x) } })
    a.onClaim(bound('c0-block'))
    a.onPod(blockPod('c0-block', denied(995, '1000')))
    expect(joined).toEqual([['c0-block', 995, 'node-a']])
    expect(a.outcomes.get('c0-block')).toBeUndefined()
    a.onPod(blockPod('c0-block', undefined, { phase: 'Failed' })) // the first pod, deleted, says no more
    expect(a.outcomes.get('c0-block')).toBeUndefined()
    a.onPod(blockPod(inGroupPod('c0-block'), 'block: yes\nstat: 995 660\nread: ok\ngroups: 1000 995'))
    expect(a.outcomes.get('c0-block')).toMatchObject({ result: 'accepted', deviceGroup: 995 })
  })

  test('what the device says of the class', () => {
    expect(rawDeviceOutcome('block: no\nstat: 0 644\nread: ok\ngroups: 1000', 'pv-1')).toMatchObject({ result: 'refused', detail: expect.stringMatching(/^bound to pv-1, but the pod's device is not a block device: not a block device/) })
    expect(rawDeviceOutcome('block: yes\nstat: 6 660\nread: dd: /dev/probe: Input/output error\ngroups: 1000 6', 'pv-1')).toMatchObject({ result: 'refused', detail: expect.stringContaining('could not read the raw device') })
    expect(rawDeviceOutcome(denied(6, '1000 6'), 'pv-1')).toMatchObject({ result: 'unknown', detail: expect.stringContaining('even in its group') })
    expect(rawDeviceOutcome(undefined, 'pv-1')).toMatchObject({ result: 'unknown', detail: expect.stringContaining('without reporting') })
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
    a.onPod(blockPod('c0-block', 'block: yes\nstat: 6 660\nread: ok\ngroups: 1000 6'))
    expect(a.outcomes.get('c0-block')).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-block, used by a pod; block device, group 6, mode 660, a 4 KiB block read, the pod\'s groups 1000 6', deviceGroup: 6 })
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
    const a = new ProbeAnswers(probes, probeGraces(timeoutMs, 1), {
      onMinimum: (p, bytes, refusal) => {
        asked.push(`${p.claim} ${bytes} ${refusal}`)
        a.moveTo(p, `${p.claim}-min`, '4Gi')
      },
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
    const a = new ProbeAnswers([probeOf('c0-rwo')], probeGraces(timeoutMs, 1), { onMinimum: (p) => a.moveTo(p, `${p.claim}-min`, '2Gi') })
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
    const a = new ProbeAnswers([probeOf('c0-rwo')], probeGraces(timeoutMs, 1), { onMinimum: (p) => asked.push(p.claim) })
    a.onEvent(failed('c0-rwo', 'size must be at least 1Gi'))
    expect(asked).toEqual([])
  })
})

