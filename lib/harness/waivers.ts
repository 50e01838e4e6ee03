// Waivers: claims a cluster is known not to meet, each with the reason and
// the failure it accepts, read from SC_WAIVERS=<file.json>:
//   { "Q1-06 [standard]": { "why": "…", "failing": "text every failure must contain" } }
// A waived claim still runs and is still reported "failed" with what was
// observed; a failure that says what "failing" names does not fail the run.
// A waived claim that holds after all, or fails in another way, fails it.
import { readFile } from 'node:fs/promises'

export interface Waiver {
  why: string
  // Every accepted failure's message contains this: a waiver names what it accepts.
  failing: string
}
export type Waivers = Record<string, Waiver>

const keyPattern = /^(?:Q\d+|SC|DR)-\d+(?: \[[a-z0-9]([-a-z0-9.]*[a-z0-9])?\])?$/

export function parseWaivers(text: string, source: string): Waivers {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new Error(`${source}: not JSON: ${(err as Error).message}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${source}: expected an object of "CLAIM-ID": { "why": "…", "failing": "…" }`)
  const out: Waivers = {}
  for (const [key, why] of Object.entries(doc)) {
    if (key.startsWith('//')) continue // a comment line
    if (!keyPattern.test(key)) throw new Error(`${source}: "${key}" is not a claim ID (Q0-10, SC-03, or "Q1-06 [class]")`)
    const w = typeof why === 'string' ? { why } : (why as { why?: unknown; failing?: unknown } | null)
    if (!w || typeof w.why !== 'string' || !w.why.trim()) throw new Error(`${source}: the waiver of ${key} needs a reason ("why")`)
    if (typeof w.failing !== 'string' || !w.failing.trim()) {
      throw new Error(`${source}: the waiver of ${key} must say which failure it accepts: "failing": "<text every accepted failure contains>"`)
    }
    out[key] = { why: w.why.trim(), failing: w.failing }
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

// Whether a waiver covers these failures: every one says what the waiver names.
export function covers(waiver: Waiver, failures: string[]): boolean {
  return failures.length > 0 && failures.every((f) => f.includes(waiver.failing))
}

// What a waiver makes of a finished test:
//   accepted  it failed as the waiver says: reported failed, the run goes on (vitest's "expected to fail");
//   unneeded  the claim holds after all: the run fails, so that the waiver goes;
//   other     it failed in another way: the run fails as without a waiver;
//   none      no waiver, or the test neither passed nor failed (skipped).
export type WaiverVerdict = 'accepted' | 'unneeded' | 'other' | 'none'

export function waiverVerdict(waiver: Waiver | undefined, state: string | undefined, failures: string[]): WaiverVerdict {
  if (!waiver) return 'none'
  if (state === 'pass') return 'unneeded'
  if (state !== 'fail') return 'none'
  return covers(waiver, failures) ? 'accepted' : 'other'
}
