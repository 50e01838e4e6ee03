import { describe, expect, test } from 'vitest'
import type { ClaimEntry } from '../../lib/report/claims.ts'
import { classCapabilities, provisioningFailure } from '../../lib/storage/capabilities.ts'
import { expectationOf, type FaultExpectation, faultMatrix, type FaultResult, matrixInput, rejudge } from './matrix.ts'
import { classLevel, describeScore, detectionScore, propertyScore } from './scores.ts'

// Stored fault runs, as run.ts stores them: the claims.json entries judged by the catalogue entry, which is kept with them.
type Entry = Partial<ClaimEntry> & Pick<ClaimEntry, 'id' | 'status'>
const claim = (e: Entry): ClaimEntry => ({ title: e.id, storageClass: null, durationMs: 1, ...e })
const thenFailed = (id: string, reason: string, o: Partial<ClaimEntry> = {}) => claim({ id, status: 'failed', failedStep: { keyword: 'Then', title: 't' }, reason, messages: [reason], ...o })
const givenBroken = (id: string, message: string, o: Partial<ClaimEntry> = {}) =>
  claim({ id, status: 'broken', failedStep: { keyword: 'Given', title: 'g' }, reason: message.split('\n')[0], messages: [message], ...o })
const ran = (e: FaultExpectation, entries: ClaimEntry[], o: Partial<FaultResult> = {}): FaultResult => ({
  name: e.name, kind: e.kind ?? 'component', component: e.component ?? '', breaks: '', specs: [], startedAt: '', verdictMs: 1, exitCode: 1, healthyAfter: true,
  expectation: expectationOf(e), ...faultMatrix(expectationOf(e), entries.map(matrixInput)), ...o,
})

const stallStatefulSet = 'gave up waiting for pod q/web-0 to be Ready: StatefulSet q/web: generation 1 not observed by its controller, no pod of it exists, for 60 s; is the StatefulSet controller (kube-controller-manager) running?'
const noProvision = 'StorageClass standard (provisioner rancher.io/local-path) did not provision the capability probe\'s plain ReadWriteOnce claim: no answer within 180s; is the provisioner rancher.io/local-path running? (this claim needs a volume of the class; SC-01 [standard] fails on the same)'

const mutant: FaultExpectation = { name: 'sts-rolls-ascending', kind: 'mutant', component: 'kube-controller-manager (statefulset-controller, patched)', mustBreak: ['Q0-10', 'Q3-09', 'Q1-10 [standard]', 'SC-07 [standard]'], mayBreak: ['Q0-11'] }
const noStsController: FaultExpectation = { name: 'no-statefulset-controller', component: 'kube-controller-manager (statefulset-controller)', names: ['the StatefulSet controller'], mustBreak: ['Q0-07', 'Q0-10', 'Q1-10'] }
const localPathDown: FaultExpectation = { name: 'local-path-down', component: 'local-path-provisioner', names: ['the provisioner rancher.io/local-path'], mustBreak: ['SC-01 [standard]', 'SC-07 [standard]'] }
const all = ['Q0-07', 'Q0-10', 'Q0-11', 'Q0-12', 'Q1-10', 'Q3-09', 'SC-01', 'SC-07']

describe('property score', () => {
  test('counts a claim a semantic mutant made fail in its own Then or And step, and nothing a component fault did', () => {
    const runs = [
      ran(mutant, [
        thenFailed('Q0-10', 'replacement order: expected podinfo-1 before podinfo-0, seen podinfo-0 first'),
        thenFailed('Q0-11', 'pod 1 serves nothing under dd91cc7', { failedStep: { keyword: 'And', title: 'a' } }),
        givenBroken('Q3-09', 'gave up waiting for StatefulSet q/web to roll out'),
        claim({ id: 'Q1-10', status: 'passed', storageClass: 'standard' }),
      ]),
      ran(noStsController, [givenBroken('Q0-07', stallStatefulSet), thenFailed('Q1-10', 'potato in q/web-0: expected "" to be "tasty potatos"', { storageClass: 'standard' })]),
    ]
    const s = propertyScore(all, runs)
    expect(s.counted).toEqual(['Q0-10', 'Q0-11'])
    expect(s.faultsRun).toBe(1)
    expect(s.ratio).toBe(2 / 8)
    expect(s.missing.find((m) => m.id === 'Q3-09')?.reason).toBe('broken, not failed, under sts-rolls-ascending: a Given or When step never came true, so the property was not looked at')
    expect(s.missing.find((m) => m.id === 'Q0-07')?.reason).toBe('no semantic mutant run so far made it fail in a Then or And step')
  })

  test('a failure stored as failed without a Then or And step (a run from before the verdict was split) does not count', () => {
    const old = ran(mutant, [claim({ id: 'Q0-10', status: 'failed', reason: 'timed out in Given' })])
    expect(propertyScore(all, [old]).counted).toEqual([])
  })

  test('with no mutant run it says so, and counts nothing', () => {
    const s = propertyScore(all, [ran(noStsController, [thenFailed('Q0-10', stallStatefulSet)])])
    expect(s.counted).toEqual([])
    expect(s.faultsRun).toBe(0)
    expect(new Set(s.missing.map((m) => m.reason))).toEqual(new Set(['no semantic mutant has been run (0 mutants run)']))
    expect(describeScore('property score', s, 'mutant')).toBe('property score: 0 of 8 claims (0 %; 0 of the 6 Q claims, 0 %), 0 mutants run')
  })

  test('a class that could not provision makes none of its [sc] claims count, even one failed in a Then step', () => {
    const onStuckClass = ran(mutant, [thenFailed('SC-07', 'bytes at offset 4096 read back differ', { storageClass: 'standard' })], { classesNotProvisioning: ['standard'] })
    expect(propertyScore(all, [onStuckClass]).counted).toEqual([])
    expect(propertyScore(all, [{ ...onStuckClass, classesNotProvisioning: [] }]).counted).toEqual(['SC-07'])
  })
})

describe('detection score', () => {
  test('counts a claim a component fault made fail or broken only where a message names the component', () => {
    const run = ran(noStsController, [
      givenBroken('Q0-07', `timed out\n${stallStatefulSet}`),
      givenBroken('Q0-10', 'gave up waiting for pod q/podinfo-1 to be Ready: no answer'),
      thenFailed('Q1-10', 'potato in q/web-0: expected "" to be "tasty potatos"'),
    ])
    const s = detectionScore(all, [run])
    expect(s.counted).toEqual(['Q0-07'])
    expect(s.missing.find((m) => m.id === 'Q0-10')?.reason).toBe('failed under no-statefulset-controller, but no message names the component ("the StatefulSet controller")')
  })

  test('the component may be named on a later line of the message; a run stored before messages were kept has only the reason', () => {
    const later = ran(noStsController, [givenBroken('Q0-07', `timed out waiting\n${stallStatefulSet}`)])
    expect(later.cells[0]!.reason).toBe('timed out waiting')
    expect(detectionScore(all, [later]).counted).toEqual(['Q0-07'])
    const reasonOnly = ran(noStsController, [claim({ id: 'Q0-07', status: 'broken', reason: 'timed out waiting' })])
    expect(detectionScore(all, [reasonOnly]).counted).toEqual([])
    expect(detectionScore(all, [ran(noStsController, [claim({ id: 'Q0-07', status: 'broken', reason: stallStatefulSet })])]).counted).toEqual(['Q0-07'])
  })

  test('an unexpected failure, or a failure under a mutant, does not count, whatever it names', () => {
    const unexpected = ran(noStsController, [givenBroken('Q0-12', stallStatefulSet)])
    expect(unexpected.cells[0]!.cell).toBe('unexpected failure')
    expect(detectionScore(all, [unexpected, ran(mutant, [thenFailed('Q0-10', stallStatefulSet)])]).counted).toEqual([])
  })

  test('[sc] claims failed because their class could not provision count for nothing, even naming the provisioner', () => {
    const run = ran(localPathDown, [
      claim({ id: 'SC-01', status: 'broken', storageClass: 'standard', reason: noProvision, messages: [noProvision] }),
      claim({ id: 'SC-07', status: 'broken', storageClass: 'standard', reason: noProvision, messages: [noProvision] }),
    ])
    const s = detectionScore(all, [run])
    expect(s.counted).toEqual([])
    expect(s.missing.find((m) => m.id === 'SC-07')?.reason).toBe('failed only where its class could not provision (local-path-down [standard]): a class-wide failure, not this claim\'s property')
  })

  test('the class-wide wording is the one a class that cannot provision gives its claims', () => {
    const stuck = classCapabilities({ metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path' }, null, {
      ReadWriteOnce: { result: 'unknown', detail: 'no answer within 180s' },
      ReadWriteOncePod: { result: 'unknown', detail: 'x' },
      ReadWriteMany: { result: 'unknown', detail: 'x' },
    })
    const failure = provisioningFailure(stuck)!
    expect(classLevel({ id: 'SC-02', storageClass: 'standard', status: 'broken', reason: failure }, {})).toBe(true)
    expect(classLevel({ id: 'SC-02', storageClass: 'standard', status: 'failed', reason: 'sha256 differs' }, {})).toBe(false)
  })
})

test('a score counted only from cells reclassified against an edited catalogue says the claim was not re-run', () => {
  const asRun: FaultExpectation = { ...noStsController, mustBreak: ['Q0-07'] }
  const run = ran(asRun, [givenBroken('Q0-07', stallStatefulSet), givenBroken('Q0-10', stallStatefulSet)])
  expect(detectionScore(all, [run]).counted).toEqual(['Q0-07'])
  const again = rejudge(run, { ...asRun, mustBreak: ['Q0-07', 'Q0-10'] })
  const s = detectionScore(all, [again])
  expect(s.counted).toEqual(['Q0-07', 'Q0-10'])
  expect(s.notReRun).toEqual(['Q0-07', 'Q0-10'])
  expect(s.reclassifiedCells).toBe(1)
  expect(describeScore('detection score', s, 'component')).toBe('detection score: 2 of 8 claims (25 %; 2 of the 6 Q claims, 33 %), 1 component fault run; 1 cell reclassified from stored runs against a catalogue edited since, not re-run (counted only so: Q0-07, Q0-10)')
  // Another fault's own run of Q0-07 counts it as run.
  expect(detectionScore(all, [again, ran({ ...asRun, name: 'other' }, [givenBroken('Q0-07', stallStatefulSet)])]).notReRun).toEqual(['Q0-10'])
})
