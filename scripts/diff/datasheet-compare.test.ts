import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { ClaimsReport } from '../../lib/report/claims.ts'
import { buildDatasheet, type Datasheet } from '../../lib/report/datasheet.ts'
import { expectFragments } from '../../lib/report/testdata/fragments.ts'
import { compareCapabilities, compareDatasheets, describeCapabilityChange, describeFigureShift, figureShifts, minFigureShiftMs } from './datasheet-compare.ts'
import { renderDatasheetDiffHtml, renderDatasheetDiffMarkdown } from './datasheet-pages.ts'

// The ext4 class of a real cloud-shape CI run (lib/report/testdata): 35 claims, capabilities, SC-06 and SC-10 figures.
const cloud2 = (): ClaimsReport => JSON.parse(readFileSync(new URL('../../lib/report/testdata/cloud2-claims.json', import.meta.url), 'utf8'))
const ext4 = (change: (r: ClaimsReport) => void = () => {}): Datasheet => {
  const r = cloud2()
  change(r)
  return buildDatasheet(r, 'ext4')
}
const claimOf = (r: ClaimsReport, id: string) => r.claims.find((e) => e.id === id && e.storageClass === 'ext4')!

test('a datasheet against itself: nothing changed, nothing shifted, no regression', () => {
  const d = compareDatasheets(ext4(), ext4())
  expect(d.run.counts).toMatchObject({ regression: 0, unchanged: 35 })
  expect(d).toMatchObject({ storageClass: 'ext4', capabilities: [], shifts: [], unmeasured: [], regressions: 0 })
  expect(d.run.warnings).toEqual([])
})

describe('verdicts', () => {
  test('a claim of the class newly failed is a regression, as in a run diff; a skip that now passes is gained visibility', () => {
    const after = ext4((r) => {
      Object.assign(claimOf(r, 'SC-02'), { status: 'failed', reason: 'sha256 differs after the pod was recreated' })
      Object.assign(claimOf(r, 'SC-04'), { status: 'passed' })
    })
    const d = compareDatasheets(ext4(), after)
    expect(d.run.changes.filter((k) => k.change !== 'unchanged').map((k) => `${k.id} [${k.storageClass}] ${k.change}`)).toEqual(['SC-02 [ext4] regression', 'SC-04 [ext4] gained visibility'])
    expect(d.regressions).toBe(1)
  })
})

describe('capabilities', () => {
  test('one the class had and has no more is lost (a regression); the reverse gained; a different mode changed', () => {
    const after = ext4((r) => {
      const c = r.run.capabilities!.ext4!
      c.block = { result: 'refused', detail: 'ProvisioningFailed: volumeMode Block is not supported' }
      c.accessModes.ReadWriteMany = { result: 'accepted', detail: 'bound to pv-9', ms: 900 }
      c.reclaimPolicy = 'Retain'
    })
    const changes = compareCapabilities(ext4(), after)
    expect(changes.map((c) => `${c.capability} ${c.change}`)).toEqual(['reclaim policy changed', 'ReadWriteMany gained', 'Block lost'])
    expect(describeCapabilityChange(changes[2]!)).toBe('Block: lost: not declared / accepted → not declared / refused')
    expect(compareDatasheets(ext4(), after).regressions).toBe(1)
  })

  test('a capability known in A and unknown in B is changed, not lost: nobody saw it go', () => {
    const after = ext4((r) => { r.run.capabilities!.ext4!.block = { result: 'unknown', detail: 'no answer within 60s' } })
    expect(compareCapabilities(ext4(), after).map((c) => `${c.capability} ${c.change}`)).toEqual(['Block changed'])
  })

  test('a sheet without capabilities (an older run) lists each as missing, none as lost', () => {
    const older = ext4((r) => { delete r.run.capabilities })
    const changes = compareCapabilities(ext4(), older)
    expect(changes).toHaveLength(11)
    expect(new Set(changes.map((c) => c.change))).toEqual(new Set(['missing']))
    expect(compareDatasheets(ext4(), older).run.warnings).toContain('provisioners differ: stateful-conformance.io/ext4 in A, not recorded in B')
  })
})

describe('measured figures', () => {
  test('a figure beyond the threshold shifts, worse or better by its direction; within it, or a time within 1 s, does not', () => {
    const after = ext4((r) => {
      const io = claimOf(r, 'SC-10').measurements!.io!
      io.randReadIops = 10_000 // 32,460 → 10,000: −69 %
      io.seqWriteMiBps = 1_800 // 1,554.1 → 1,800: +16 %
      io.randWriteLatencyUs.p99 = 9_000 // 2,768.9 → 9,000: +225 %
      claimOf(r, 'SC-06').measurements!.timeToFirstWriteMs = 9_500 // 4,777 → 9,500: +99 %, 4.7 s
      claimOf(r, 'SC-06').measurements!.timeToBoundMs = 900 // 191 → 900: +371 %, but 0.7 s
    })
    const { shifts } = figureShifts(ext4(), after, 0.5)
    expect(shifts.map(describeFigureShift)).toEqual([
      'time to first write p50: 4.8 s → 9.5 s (+99 %, worse)',
      'time to first write p90: 4.8 s → 9.5 s (+99 %, worse)',
      'time to first write max: 4.8 s → 9.5 s (+99 %, worse)',
      'fio 4 KiB random read: 32,460 IOPS → 10,000 IOPS (−69 %, worse)',
      'fio 4 KiB random write latency p99: 2,769 µs → 9,000 µs (+225 %, worse)',
    ])
    expect(minFigureShiftMs).toBe(1_000)
    // A noisier pair of runs raises the bar: at 250 % only nothing of these is a shift.
    expect(figureShifts(ext4(), after, 2.5).shifts).toEqual([])
    // Faster is better, and it is not a regression either way.
    expect(figureShifts(after, ext4(), 0.5).shifts.find((s) => s.figure === 'fio 4 KiB random read')).toMatchObject({ worse: false })
    expect(compareDatasheets(ext4(), after).regressions).toBe(0)
  })

  test('a figure one sheet has and the other not is named, not compared', () => {
    const after = ext4((r) => { delete claimOf(r, 'SC-10').measurements })
    const { shifts, unmeasured } = figureShifts(ext4(), after, 0.5)
    expect(shifts).toEqual([])
    expect(unmeasured).toHaveLength(8)
    expect(unmeasured[0]).toBe('fio sequential write: not measured in B')
  })
})

test('the pages: headed by the class, the verdicts as in a run diff, then capabilities and figures, the cluster\'s text escaped', () => {
  const a = ext4()
  const b = ext4((r) => {
    r.run.capabilities!.ext4!.block = { result: 'refused', detail: 'a <b>refusal</b>' }
    Object.assign(claimOf(r, 'SC-07'), { status: 'skipped', reason: 'StorageClass ext4 refused a Block claim' })
    claimOf(r, 'SC-10').measurements!.io!.randReadIops = 1_000
  })
  const input = { a: { label: 'a/ext4.json', sheet: a }, b: { label: 'b/ext4.json', sheet: b }, diff: compareDatasheets(a, b) }
  const md = renderDatasheetDiffMarkdown(input)
  expect(md).toMatch(/^# Datasheet diff: storage class ext4\n/)
  expectFragments(md, [
    '## lost visibility (1)',
    '- **lost** (the class had it in A, not in B): Block: lost: not declared / accepted → not declared / refused',
    '- fio 4 KiB random read: 32,460 IOPS → 1,000 IOPS (−97 %, worse)',
  ])
  expectFragments(renderDatasheetDiffHtml(input), [
    '<h1>Datasheet diff: storage class ext4</h1>',
    '<td>lost</td><td>Block</td><td>not declared / accepted</td><td>not declared / refused</td>',
  ], ['<b>refusal</b>'])
})
