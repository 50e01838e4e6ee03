// Waivers: claims a cluster is known not to meet, each with the reason, read
// from SC_WAIVERS=<file.json>. A waived claim still runs and is still reported
// "failed" with what was observed; it just does not fail the run. When a
// waived claim holds after all, the run fails, so that the waiver goes.
//   { "Q3-05": "why", "Q1-06 [standard]": "why, for one storage class only",
//     "Q3-09": { "why": "…", "failing": "text every failure of the claim must contain" } }
// With "failing", the waiver covers only failures that say so: any other
// failure of the same claim still fails the run.
import { readFile } from 'node:fs/promises'

export interface Waiver {
  why: string
  failing?: string
}
export type Waivers = Record<string, Waiver>

const keyPattern = /^(?:Q\d+|SC)-\d+(?: \[[a-z0-9]([-a-z0-9.]*[a-z0-9])?\])?$/

export function parseWaivers(text: string, source: string): Waivers {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new Error(`${source}: not JSON: ${(err as Error).message}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${source}: expected an object of "CLAIM-ID": "reason"`)
  const out: Waivers = {}
  for (const [key, why] of Object.entries(doc)) {
    if (key.startsWith('//')) continue // a comment line
    if (!keyPattern.test(key)) throw new Error(`${source}: "${key}" is not a claim ID (Q0-10, SC-03, or "Q1-06 [class]")`)
    const w = typeof why === 'string' ? { why } : (why as { why?: unknown; failing?: unknown } | null)
    if (!w || typeof w.why !== 'string' || !w.why.trim()) throw new Error(`${source}: the waiver of ${key} needs a reason`)
    if (w.failing !== undefined && (typeof w.failing !== 'string' || !w.failing)) throw new Error(`${source}: "failing" of ${key} must be a non-empty string`)
    out[key] = { why: w.why.trim(), ...(w.failing ? { failing: w.failing } : {}) }
  }
  return out
}

export async function loadWaivers(file: string | undefined): Promise<Waivers> {
  if (!file) return {}
  return parseWaivers(await readFile(file, 'utf8').catch((err: Error) => { throw new Error(`SC_WAIVERS=${file}: ${err.message}`) }), file)
}

export function waiverFor(waivers: Waivers, claim: string, storageClass?: string | null): Waiver | undefined {
  return (storageClass ? waivers[`${claim} [${storageClass}]`] : undefined) ?? waivers[claim]
}

// Whether a waiver covers these failures (all of them, when it names what they say).
export function covers(waiver: Waiver, failures: string[]): boolean {
  return !waiver.failing || (failures.length > 0 && failures.every((f) => f.includes(waiver.failing!)))
}
