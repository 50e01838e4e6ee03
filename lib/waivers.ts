// Waivers: claims a cluster is known not to meet, each with the reason, read
// from SC_WAIVERS=<file.json>. A waived claim still runs and is still reported
// "failed" with what was observed; it just does not fail the run. When a
// waived claim holds after all, the run fails, so that the waiver goes.
//   { "Q3-05": "why", "Q1-06 [standard]": "why, for one storage class only" }
import { readFile } from 'node:fs/promises'

export type Waivers = Record<string, string>

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
    if (typeof why !== 'string' || !why.trim()) throw new Error(`${source}: the waiver of ${key} needs a reason`)
    out[key] = why.trim()
  }
  return out
}

export async function loadWaivers(file: string | undefined): Promise<Waivers> {
  if (!file) return {}
  return parseWaivers(await readFile(file, 'utf8').catch((err: Error) => { throw new Error(`SC_WAIVERS=${file}: ${err.message}`) }), file)
}

export function waiverFor(waivers: Waivers, claim: string, storageClass?: string | null): string | undefined {
  return (storageClass ? waivers[`${claim} [${storageClass}]`] : undefined) ?? waivers[claim]
}
