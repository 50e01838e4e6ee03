import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { ClaimsReport } from './claims.ts'
import { buildDatasheet, classesOfRun, datasheetFileName, isDatasheet, percentilesOf } from './datasheet.ts'
import { writeDatasheets } from './datasheet-files.ts'
import { renderDatasheetHtml } from './datasheet-html.ts'
import { expectFragments } from './testdata/fragments.ts'

// claims.json of a real cloud-shape CI run (embedded cluster, three classes), without steps, timelines, notes and usage.
const cloud2 = (): ClaimsReport => JSON.parse(readFileSync(new URL('./testdata/cloud2-claims.json', import.meta.url), 'utf8'))
// An older report (no capabilities, no suite version), with one SC-06-like measurement.
const older = (): ClaimsReport => JSON.parse(readFileSync(new URL('./testdata/claims-report.json', import.meta.url), 'utf8'))

describe('percentiles', () => {
  test('by nearest rank: each is a measured value; none for no samples', () => {
    expect(percentilesOf([])).toBeNull()
    expect(percentilesOf([700])).toEqual({ n: 1, p50: 700, p90: 700, max: 700 })
    expect(percentilesOf([5, 1, 4, 2, 3])).toEqual({ n: 5, p50: 3, p90: 5, max: 5 })
    expect(percentilesOf([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110])).toEqual({ n: 11, p50: 60, p90: 100, max: 110 })
  })
})

describe('a datasheet from a real cloud-shape run', () => {
  const sheet = buildDatasheet(cloud2(), 'ext4')

  test('names the class, its provisioner, binding and reclaim, the cluster, and says what the run did not record', () => {
    expect(sheet).toMatchObject({
      storageClass: 'ext4',
      run: { cluster: { version: 'v1.36.3', nodes: 3, context: 'embedded' }, suiteVersion: null, timeoutScale: 1 },
      class: { provisioner: 'stateful-conformance.io/ext4', bindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete', parameters: null },
    })
    expect(sheet.notRecorded).toEqual([
      'the StorageClass\'s parameters (the run predates their recording)', 'the suite\'s version (the run predates its recording)',
      'the bind times of the [sc] claims themselves (the run predates their recording, or none of its waits saw a claim unbound)',
    ])
    expect(isDatasheet(sheet)).toBe(true)
    expect(isDatasheet(cloud2())).toBe(false)
  })

  test('holds the verdict of every [sc] claim on the class, and only those', () => {
    const onExt4 = cloud2().claims.filter((e) => e.storageClass === 'ext4')
    expect(sheet.claims.map((e) => `${e.id} ${e.status}`)).toEqual(onExt4.map((e) => `${e.id} ${e.status}`))
    expect(sheet.claims).toHaveLength(35)
    expect(sheet.totals).toEqual({ passed: 31, partial: 0, failed: 0, broken: 0, skipped: 4, waived: 0 })
    expect(sheet.claims.find((e) => e.id === 'SC-04')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('does not allow volume expansion') })
    expect(sheet.claims.find((e) => e.id === 'SC-02')).not.toHaveProperty('reason')
  })

  test('sets declared beside observed per capability, with the claims that check it', () => {
    const line = (name: string) => sheet.capabilities.find((l) => l.capability === name)
    expect(sheet.capabilities.map((l) => l.capability)).toEqual(['binding mode', 'reclaim policy', 'expansion', 'ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany', 'Block', 'snapshots', 'clones', 'fsGroup', 'node-local or zonal'])
    expect(line('expansion')).toMatchObject({ declared: 'not allowed', holds: false, checkedBy: [{ id: 'SC-04', status: 'skipped' }, { id: 'SC-09', status: 'passed' }] })
    expect(line('ReadWriteMany')).toMatchObject({ observed: 'refused', holds: false, detail: expect.stringContaining('ReadWriteMany is not supported'), checkedBy: [{ id: 'SC-12', status: 'skipped' }] })
    expect(line('Block')).toMatchObject({ observed: 'accepted', holds: true, checkedBy: [{ id: 'SC-07', status: 'passed' }] })
    expect(line('snapshots')).toMatchObject({ declared: 'API not served', holds: false })
    // Bound by a provisioner that is not CSI: a clone claim it binds says nothing of cloning.
    expect(line('clones')).toMatchObject({ declared: 'not a CSI driver (cloning is a CSI feature)', observed: 'accepted', holds: false })
    expect(line('fsGroup')).toMatchObject({ observed: 'local volume, no fsType', holds: true, checkedBy: [{ id: 'SC-03', status: 'passed' }] })
    expect(line('node-local or zonal')).toMatchObject({ observed: 'node-local', holds: null, detail: expect.stringContaining('node embedded-worker only') })
  })

  test('bind times are SC-06\'s and the probe claims\' (not the Block probe, which waits for its pod); first write is SC-06\'s', () => {
    expect(sheet.timings.bind.samples).toEqual([
      { source: 'SC-06', ms: 191 }, { source: 'probe ReadWriteOnce', ms: 2290 }, { source: 'probe ReadWriteOncePod', ms: 2296 }, { source: 'probe clone', ms: 2289 },
    ])
    expect(sheet.timings.bind.percentiles).toEqual({ n: 4, p50: 2289, p90: 2296, max: 2296 })
    expect(sheet.timings.firstWrite).toEqual({ samples: [{ source: 'SC-06', ms: 4777 }], percentiles: { n: 1, p50: 4777, p90: 4777, max: 4777 } })
  })

  test('bind times the [sc] claims recorded join them, each named by its claim; SC-06\'s own wait is not counted twice', () => {
    const r = cloud2()
    const on = (id: string) => r.claims.find((e) => e.id === id && e.storageClass === 'ext4')!
    on('Q2-02').measurements = { claimBindMs: [4000, 6000] }
    on('SC-06').measurements = { ...on('SC-06').measurements, claimBindMs: [1000] }
    on('Q1-02').measurements = { claimBindMs: [] }
    const s = buildDatasheet(r, 'ext4')
    expect(s.timings.bind.samples.slice(4)).toEqual([{ source: 'Q2-02', ms: 4000 }, { source: 'Q2-02', ms: 6000 }])
    expect(s.timings.bind.percentiles).toEqual({ n: 6, p50: 2290, p90: 6000, max: 6000 })
    expect(s.notRecorded).not.toContain('the bind times of the [sc] claims themselves (the run predates their recording, or none of its waits saw a claim unbound)')
  })

  test('carries SC-10\'s fio figures with p50 and p99, and its verdict', () => {
    expect(sheet.io).toMatchObject({ status: 'passed', figures: { seqWriteMiBps: 1554.1, randReadLatencyUs: { p50: 212, p99: 4358.1 }, randWriteLatencyUs: { p50: 522.2, p99: 2768.9 } } })
  })

  test('a zonal volume and declared parameters are shown as such', () => {
    const r = cloud2()
    const caps = r.run.capabilities!.standard!
    caps.parameters = { type: 'gp3' }
    caps.nodeLocal = { supported: false, reason: 'its volume pv-1 (csi) is not tied to one node (its node affinity names a topology, not a node)' }
    caps.volume = { pv: 'pv-1', source: 'csi', nodeAffinity: true, zones: ['eu-west-1a'] }
    r.claims.find((e) => e.id === 'Q1-02' && e.storageClass === 'standard')!.measurements = { claimBindMs: [3000] }
    const s = buildDatasheet({ ...r, run: { ...r.run, suiteVersion: '0.1.0 (git abc1234)' } }, 'standard')
    expect(s.class?.parameters).toEqual({ type: 'gp3' })
    expect(s.capabilities.find((l) => l.capability === 'node-local or zonal')).toMatchObject({ observed: 'zonal', detail: expect.stringContaining('; zones eu-west-1a') })
    expect(s.notRecorded).toEqual([])
  })
})

test('an older report without capabilities: the claims and SC-06\'s figures still, and what is missing named', () => {
  const s = buildDatasheet(older(), 'standard')
  expect(s.class).toBeNull()
  expect(s.capabilities).toEqual([])
  expect(s.claims.map((e) => e.id)).toEqual(older().claims.filter((e) => e.storageClass === 'standard').map((e) => e.id))
  expect(s.notRecorded).toContain('the class\'s declared and probed capabilities (the run has none for it: it predates their recording, or global setup did not reach the probe)')
  expect(s.notRecorded).toContain('fio figures (SC-10 did not run on the class)')
  expect(s.timings.firstWrite.percentiles).toBeNull()
})

describe('the pages', () => {
  test('the HTML shows the provisioner, each verdict, the percentiles, fio\'s p50 and p99, and escapes the cluster\'s text', () => {
    const r = cloud2()
    const sc04 = r.claims.find((e) => e.id === 'SC-04' && e.storageClass === 'ext4')!
    sc04.reason = 'refused <script>alert(1)</script>'
    expectFragments(renderDatasheetHtml(buildDatasheet(r, 'ext4')), [
      '<h1>Storage class <code>ext4</code></h1>',
      '<code>stateful-conformance.io/ext4</code>',
      '<td>to Bound</td><td>4</td><td class="nowrap">2.3 s</td><td class="nowrap">2.3 s</td><td class="nowrap">2.3 s</td>',
      '<td>to the first write</td><td>1</td><td class="nowrap">4.8 s</td>',
      '32,460 IOPS, latency p50 212 µs, p99 4,358 µs',
      '<td class="skipped nowrap">– skipped</td>',
      'refused &lt;script&gt;alert(1)&lt;/script&gt;',
      '<li>the suite&#39;s version (the run predates its recording)</li>',
    ], ['<script>'])
  })

  test('one JSON and one HTML per class of the run, named by the class', () => {
    const dir = mkdtempSync(join(tmpdir(), 'datasheets-'))
    const written = writeDatasheets(cloud2(), dir)
    expect(classesOfRun(cloud2())).toEqual(['ext4', 'shared-immediate', 'standard'])
    expect(written.map((f) => f.slice(dir.length + 1))).toEqual(['ext4.json', 'ext4.html', 'shared-immediate.json', 'shared-immediate.html', 'standard.json', 'standard.html'])
    expect(readdirSync(dir).sort()).toEqual(['ext4.html', 'ext4.json', 'shared-immediate.html', 'shared-immediate.json', 'standard.html', 'standard.json'])
    expect(JSON.parse(readFileSync(join(dir, 'standard.json'), 'utf8'))).toEqual(buildDatasheet(cloud2(), 'standard'))
    expect(datasheetFileName('../x y')).toBe('.._x_y')
  })
})
