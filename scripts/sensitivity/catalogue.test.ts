import { loadAllYaml, type V1StorageClass } from '@kubernetes/client-node'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, onTestFinished, test } from 'vitest'
import { catalogueCoverage, expectationOf, parseRef } from './matrix.ts'
import { componentWords } from './scores.ts'
import { kindOf } from './fault-claims.ts'
import { delayedScript, usualLocalPathScripts } from '../../cluster/faults/actions.ts'
import { faults, unbreakable } from './catalogue.ts'
import { mutants } from '../../cluster/binaries/mutants.ts'
import { provisioningDelaySeconds } from './catalogue-slow.ts'

const repo = join(import.meta.dirname, '..', '..')
// The claim IDs a spec file carries in its test names.
const idsIn = (file: string) => [...readFileSync(join(repo, file), 'utf8').matchAll(/['`]((?:Q\d|SC|DR)-\d\d) /g)].map((m) => m[1]!)
// The quests' and storage claims (specs/*.spec.ts), which the catalogue must cover.
const specIds = [...new Set(readdirSync(join(repo, 'specs')).filter((f) => f.endsWith('.spec.ts')).flatMap((f) => idsIn(`specs/${f}`)))].sort()
// With the DR claims (specs/disruption/), which a fault may name.
const allSpecIds = [...specIds, ...readdirSync(join(repo, 'specs', 'disruption')).filter((f) => f.endsWith('.spec.ts')).flatMap((f) => idsIn(`specs/disruption/${f}`))]

test('at least 12 faults, each named once, each with its spec files and reasons', () => {
  expect(faults.length).toBeGreaterThanOrEqual(12)
  expect(new Set(faults.map((f) => f.name)).size).toBe(faults.length)
  for (const f of faults) {
    expect(f.breaks.length, f.name).toBeGreaterThan(40)
    expect(f.whySpecs.length, f.name).toBeGreaterThan(20)
    for (const s of f.specs) expect(existsSync(join(repo, s)), `${f.name}: ${s}`).toBe(true)
  }
})

test('every claim a fault names is a claim the specs check, in a spec file the fault runs', () => {
  for (const f of faults) {
    const idsInItsSpecs = new Set(f.specs.flatMap(idsIn))
    for (const ref of f.mustBreak) {
      const { id } = parseRef(ref)
      expect(allSpecIds, `${f.name}: ${ref}`).toContain(id)
      expect(idsInItsSpecs.has(id), `${f.name} must break ${ref}, but runs none of the files holding it (${f.specs.join(', ')})`).toBe(true)
    }
  }
})

test('a claim a fault may break is a claim the specs check', () => {
  for (const f of faults) for (const ref of f.mayBreak ?? []) expect(allSpecIds, `${f.name}: ${ref}`).toContain(parseRef(ref).id)
})

test('every claim is broken by some fault of the catalogue or explained as unbreakable here', () => {
  const { covered } = catalogueCoverage(specIds, faults)
  const neither = specIds.filter((id) => !covered.includes(id) && !unbreakable[id])
  expect(neither).toEqual([])
})

// The suite's own sources, where its failure messages are written.
const sources = (dir: string): string[] => readdirSync(join(repo, dir), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => readFileSync(join(repo, dir, f), 'utf8'))

test('each fault is a component fault unless it says it is a mutant, and says how a failure names its component in words the suite writes', () => {
  const text = [...sources('lib'), ...sources('specs')].join('\n')
  for (const f of faults.filter((f) => kindOf(f) === 'component' && f.mustBreak.length)) {
    const words = componentWords(expectationOf(f))
    expect(f.names, `${f.name}: no names, so the detection score looks for "${f.component}"`).toBeDefined()
    // A word may end in a value the source fills in ('the provisioner ${provisioner}', 'exited ${r.exitCode}').
    for (const w of words) expect(text.includes(w) || text.includes(w.replace(/\s\S+$/, ' ${')), `${f.name}: "${w}" is written nowhere in lib/ or specs/`).toBe(true)
  }
  expect(faults.filter((f) => f.kind === undefined).every((f) => kindOf(f) === 'component')).toBe(true)
})

test('restart faults promise no failed claim', () => {
  for (const f of faults.filter((f) => f.at !== 'before')) expect(f.mustBreak, f.name).toEqual([])
})

test('the healthy-but-slow faults are in the catalogue and promise no failed claim, not even one timing decides', () => {
  const slow = faults.filter((f) => f.slow).map((f) => f.name).sort()
  expect(slow).toEqual(['apiserver-restart', 'controller-manager-pauses', 'cordoned-nodes', 'cpu-starved', 'kubelet-restart', 'slow-provisioning'])
  for (const f of faults.filter((f) => f.slow)) {
    expect(f.mustBreak, f.name).toEqual([])
    expect(f.mayBreak, f.name).toBeUndefined()
    expect(f.specs.length, f.name).toBeGreaterThan(0)
  }
})

test('every semantic mutant has a catalogue entry of kind mutant named after it, and every entry of kind mutant names the mutant it runs', () => {
  const entries = faults.filter((f) => f.kind === 'mutant')
  expect(entries.length).toBeGreaterThanOrEqual(10)
  const names = entries.map((f) => f.name)
  for (const m of mutants) expect(names, m.name).toContain(m.name)
  for (const f of entries) {
    const runs = /\(mutant ([\w-]+)/.exec(f.component)?.[1]
    expect(mutants.map((m) => m.name), `${f.name}: ${f.component}`).toContain(runs)
    // An entry of another name runs a mutant some other way (upgrade-eviction-ignores-budget: through the upgrade).
    if (mutants.some((m) => m.name === f.name)) expect(runs, f.name).toBe(f.name)
  }
})

test('a mutant names, from its mechanism, the claims it must make failed, each with its sentence; all in mustBreak', () => {
  for (const f of faults.filter((x) => x.kind === 'mutant')) {
    const mustFail = Object.entries(f.mustFail ?? {})
    expect(mustFail.length, f.name).toBeGreaterThan(0)
    for (const [ref, why] of mustFail) {
      expect(f.mustBreak, `${f.name}: ${ref}`).toContain(ref)
      expect(why.length, `${f.name}: ${ref}`).toBeGreaterThan(40)
      expect(why, `${f.name}: ${ref}`).toMatch(/\b(Then|And) step\b/)
    }
    expect(f.slow, f.name).toBeUndefined()
    expect(f.at, f.name).toBe('before')
  }
  // Only mutants promise failed rather than broken.
  expect(faults.filter((f) => f.mustFail && f.kind !== 'mutant').map((f) => f.name)).toEqual([])
})

test('slow-provisioning slows the default class: standard is served by local-path', () => {
  const docs = loadAllYaml(readFileSync(join(repo, 'cluster', 'addons', 'storage.yaml'), 'utf8')) as V1StorageClass[]
  const defaults = docs.filter((d) => d?.kind === 'StorageClass' && d.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
  expect(defaults.map((c) => [c.metadata?.name, c.provisioner])).toEqual([['standard', 'rancher.io/local-path']])
})

test('a delayed setup script waits first, then does all the usual one did', async () => {
  const { setup } = await usualLocalPathScripts()
  const delayed = delayedScript(setup, provisioningDelaySeconds)
  const lines = delayed.split('\n')
  expect(lines[0]).toBe('#!/bin/sh')
  expect(lines.indexOf(`sleep ${provisioningDelaySeconds}`)).toBe(2)
  expect(lines.filter((l) => !l.startsWith('#') && !l.startsWith('sleep '))).toEqual(setup.split('\n').filter((l) => !l.startsWith('#')))
  expect(delayedScript('mkdir -p "$VOL_DIR"', 5).split('\n')).toEqual([expect.stringMatching(/^# Fault slow-provisioning/), 'sleep 5', 'mkdir -p "$VOL_DIR"'])
})

test('the delayed setup still makes the volume as the usual one does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slow-provisioning-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const volDir = join(dir, 'pvc-1_ns_data')
  const started = Date.now()
  execFileSync('sh', ['-c', delayedScript((await usualLocalPathScripts()).setup, 1)], { env: { ...process.env, VOL_DIR: volDir } })
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
  expect(statSync(volDir).mode & 0o777).toBe(0o777)
})
