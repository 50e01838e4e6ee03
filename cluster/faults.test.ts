import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { catalogueCoverage, parseRef } from '../lib/report/sensitivity.ts'
import { faults, unbreakable } from './faults.ts'

const repo = join(import.meta.dirname, '..')
// The claim IDs the specs carry in their test names.
const specIds = [...new Set(readdirSync(join(repo, 'specs')).filter((f) => f.endsWith('.spec.ts'))
  .flatMap((f) => [...readFileSync(join(repo, 'specs', f), 'utf8').matchAll(/['`]((?:Q\d|SC)-\d\d) /g)].map((m) => m[1]!)))].sort()

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
    const idsInItsSpecs = new Set(f.specs.flatMap((s) => [...readFileSync(join(repo, s), 'utf8').matchAll(/['`]((?:Q\d|SC)-\d\d) /g)].map((m) => m[1]!)))
    for (const ref of f.mustBreak) {
      const { id } = parseRef(ref)
      expect(specIds, `${f.name}: ${ref}`).toContain(id)
      expect(idsInItsSpecs.has(id), `${f.name} must break ${ref}, but runs none of the files holding it (${f.specs.join(', ')})`).toBe(true)
    }
  }
})

test('a claim a fault may break is a claim the specs check', () => {
  for (const f of faults) for (const ref of f.mayBreak ?? []) expect(specIds, `${f.name}: ${ref}`).toContain(parseRef(ref).id)
})

test('every claim is broken by some fault of the catalogue or explained as unbreakable here', () => {
  const { covered } = catalogueCoverage(specIds, faults)
  const neither = specIds.filter((id) => !covered.includes(id) && !unbreakable[id])
  expect(neither).toEqual([])
})

test('restart faults promise no failed claim', () => {
  for (const f of faults.filter((f) => f.at !== 'before')) expect(f.mustBreak, f.name).toEqual([])
})
