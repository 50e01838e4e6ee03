import { expect, test } from 'vitest'
import { compareClaims, ginkgoFocus, type GinkgoJson, selectRunnable, upstreamSpecs, upstreamTests, withoutTags } from './upstream-table.ts'

const ss = '[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic]'

test('every test in the table is named once, and every claim ID is one of ours', () => {
  expect(new Set(upstreamTests.map((t) => t.name)).size).toBe(upstreamTests.length)
  for (const t of upstreamTests) for (const id of t.claims) expect(id).toMatch(/^Q[0-4]-\d\d$/)
})

test('the focus matches exactly the tests given, with or without trailing tags; not a longer name', () => {
  const rolling = upstreamTests.find((t) => t.name === `${ss} should perform rolling updates and roll backs of template modifications`)!
  const focus = new RegExp(ginkgoFocus([rolling]))
  // What ginkgo matches: the suite's name, then the test's.
  expect(focus.test(`Kubernetes e2e suite ${rolling.name} [Conformance]`)).toBe(true)
  expect(focus.test(`Kubernetes e2e suite ${rolling.name}`)).toBe(true)
  expect(focus.test(`Kubernetes e2e suite ${rolling.name} with PVCs`)).toBe(false)
  const all = new RegExp(ginkgoFocus(upstreamTests))
  expect(all.test(`${ss} Scaling should happen in predictable order and halt if any stateful pod is unhealthy [Slow] [Conformance]`)).toBe(true)
  expect(all.test('[sig-network] DNS should provide DNS for the cluster [Conformance]')).toBe(false)
})

test('trailing tags go, tags inside the name stay', () => {
  expect(withoutTags(`${ss} Burst scaling should run to completion even with unhealthy pods [Slow] [Conformance]`))
    .toBe(`${ss} Burst scaling should run to completion even with unhealthy pods`)
})

test('a test whose image could not be assembled is left out, saying which and why', () => {
  const { run, leftOut } = selectRunnable(upstreamTests, { 'dns-tools': 'no dig here' })
  expect(leftOut).toEqual([
    { name: '[sig-network] DNS should provide DNS for pods for Hostname', why: 'no dig here' },
    { name: '[sig-network] DNS should provide DNS for pods for Subdomain', why: 'no dig here' },
  ])
  expect(run).toHaveLength(upstreamTests.length - 2)
})

const report: GinkgoJson = [{
  SpecReports: [
    { LeafNodeType: 'SynchronizedBeforeSuite', LeafNodeText: '', State: 'passed', RunTime: 9e9 },
    { ContainerHierarchyTexts: ['[sig-apps] StatefulSet', 'Basic StatefulSet functionality [StatefulSetBasic]'], LeafNodeText: 'Burst scaling should run to completion even with unhealthy pods [Slow] [Conformance]', LeafNodeType: 'It', State: 'passed', RunTime: 60e9 },
    { ContainerHierarchyTexts: ['[sig-apps] StatefulSet', 'Basic StatefulSet functionality [StatefulSetBasic]'], LeafNodeText: 'Scaling should happen in predictable order and halt if any stateful pod is unhealthy [Slow] [Conformance]', LeafNodeType: 'It', State: 'passed', RunTime: 120e9 },
    { ContainerHierarchyTexts: ['[sig-storage] PVC Protection'], LeafNodeText: 'Verify that PVC in active use by a pod is not removed immediately', LeafNodeType: 'It', State: 'failed', RunTime: 30e9 },
    { ContainerHierarchyTexts: ['[sig-network] DNS'], LeafNodeText: 'should provide DNS for the cluster [Conformance]', LeafNodeType: 'It', State: 'skipped', RunTime: 0 },
  ],
}]

test('specs that ran, by name without tags, with their claims; suite nodes and skipped specs left out', () => {
  expect(upstreamSpecs(report).map((s) => [s.name.replace(`${ss} `, ''), s.state, s.runTimeMs, s.claims])).toEqual([
    ['Burst scaling should run to completion even with unhealthy pods', 'passed', 60000, ['Q3-01', 'Q3-07', 'Q4-02']],
    ['Scaling should happen in predictable order and halt if any stateful pod is unhealthy', 'passed', 120000, ['Q1-11', 'Q1-17', 'Q3-07']],
    ['[sig-storage] PVC Protection Verify that PVC in active use by a pod is not removed immediately', 'failed', 30000, ['Q1-08']],
  ])
})

test('per claim: upstream tests covering it added up, against our longest storage class; failed upstream and skipped ours do not count', () => {
  const ours = [
    { id: 'Q3-07', status: 'passed' as const, durationMs: 9000 },
    { id: 'Q1-17', status: 'passed' as const, durationMs: 20000 },
    { id: 'Q1-11', status: 'passed' as const, durationMs: 30000 },
    { id: 'Q1-11', status: 'passed' as const, durationMs: 40000 },
    { id: 'Q3-01', status: 'skipped' as const, durationMs: 1 },
    { id: 'Q1-08', status: 'passed' as const, durationMs: 5000 },
  ]
  const rows = compareClaims(upstreamSpecs(report), ours)
  expect(rows.map((r) => [r.id, r.oursMs, r.upstreamMs, r.ratio])).toEqual([
    ['Q1-11', 40000, 120000, 3],
    ['Q1-17', 20000, 120000, 6],
    ['Q3-07', 9000, 180000, 20],
  ])
})
