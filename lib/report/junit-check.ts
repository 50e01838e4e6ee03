// Whether junit.xml shows the run that claims.json describes: every claim test
// a testcase, with the outcome vitest gave it. A run once ended without the
// file and nothing noticed (issue 17); scripts/check-junit.ts runs this last in CI.
import { join } from 'node:path'
import type { ClaimEntry } from './claims.ts'

// JUnit knows passed, failure, error and skipped: a failed claim is a <failure>
// (the property was seen violated), a broken one an <error> (it never got to
// look; junit-reporter.ts writes it). A partial claim is a passed testcase
// carrying the property partial="<the part not checked>" (a test annotation,
// lib/harness/claim-entry.ts): skipped would hide the half that was checked,
// failed would fail the run for what the cluster could not show.
export type Outcome = 'passed' | 'partial' | 'failed' | 'broken' | 'skipped'

export interface JunitTestcase {
  // As vitest's JUnit reporter writes it: "<describe> > … > <test name>".
  name: string
  outcome: Outcome
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'' }

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) =>
    ref.startsWith('#') ? String.fromCodePoint(Number(ref[1] === 'x' || ref[1] === 'X' ? `0${ref.slice(1)}` : ref.slice(1))) : entities[ref] ?? whole)
}

// '>' and '"' are escaped inside attribute values, so neither ends a tag early.
const testcasePattern = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g

export function parseJunitTestcases(xml: string): JunitTestcase[] {
  return [...xml.matchAll(testcasePattern)].map(([, attributes = '', body = '']) => ({
    name: unescapeXml(/(?:^|\s)name="([^"]*)"/.exec(attributes)?.[1] ?? ''),
    outcome: /<failure\b/.test(body) ? 'failed' : /<error\b/.test(body) ? 'broken' : /<skipped\b/.test(body) ? 'skipped' : /<property name="partial"/.test(body) ? 'partial' : 'passed',
  }))
}

// The inverse of claimEntry (claims.ts): "<id> <title>", and " [<class>]" for a storage-class claim.
export function claimTestName(entry: Pick<ClaimEntry, 'id' | 'title' | 'storageClass'>): string {
  return `${entry.id} ${entry.title}${entry.storageClass ? ` [${entry.storageClass}]` : ''}`
}

// claims.json has what was observed, junit.xml vitest's verdict; they differ
// only where a waiver flipped it (a waived failure passes, a held waiver fails).
export function expectedOutcome(entry: Pick<ClaimEntry, 'status' | 'waived' | 'notes'>): Outcome | undefined {
  switch (entry.status as string) {
    case 'skipped': return 'skipped'
    case 'partial': return 'partial'
    case 'failed': return entry.waived ? 'passed' : 'failed'
    case 'broken': return entry.waived ? 'passed' : 'broken'
    case 'passed': return entry.notes?.some((n) => n.startsWith('holds although waived')) ? 'failed' : 'passed'
    default: return undefined // a status this check has not been taught how JUnit shows
  }
}

export interface JunitCheck {
  ok: boolean
  // One line, naming the file and what is wrong with it.
  message: string
}

const shownProblems = 3

export function checkJunit(input: { dir: string; junitXml: string | undefined; claimsJson: string | undefined }): JunitCheck {
  const junitPath = join(input.dir, 'junit.xml')
  const claimsPath = join(input.dir, 'claims.json')
  const fail = (message: string): JunitCheck => ({ ok: false, message })
  if (input.junitXml === undefined) return fail(`${junitPath} is missing (vitest's JUnit reporter writes it at the end of every run)`)
  if (input.claimsJson === undefined) return fail(`${claimsPath} is missing: no claim tests to look for in ${junitPath} (did the run include specs?)`)
  let claims: ClaimEntry[] | undefined
  try {
    claims = (JSON.parse(input.claimsJson) as { claims?: ClaimEntry[] }).claims
  } catch (err) {
    return fail(`${claimsPath} is not JSON: ${(err as Error).message}`)
  }
  if (!Array.isArray(claims) || !claims.length) return fail(`${claimsPath} lists no claims: nothing to look for in ${junitPath}`)
  const testcases = parseJunitTestcases(input.junitXml)
  if (!testcases.length) return fail(`${junitPath} lists no testcase (the run ended before the JUnit reporter wrote it?)`)

  const problems: string[] = []
  const outcomes: Record<Outcome, number> = { passed: 0, partial: 0, failed: 0, broken: 0, skipped: 0 }
  for (const entry of claims) {
    const name = claimTestName(entry)
    const expected = expectedOutcome(entry)
    const listed = testcases.filter((t) => t.name === name || t.name.endsWith(` > ${name}`))
    const inClaims = `${entry.status}${entry.waived ? ' (waived)' : ''} in claims.json`
    if (!expected) problems.push(`"${name}" is ${inClaims}, a status this check does not know`)
    else if (!listed.length) problems.push(`"${name}" is not listed`)
    else if (listed.length > 1) problems.push(`"${name}" is listed ${listed.length} times`)
    else if (listed[0]!.outcome !== expected) problems.push(`"${name}" is ${listed[0]!.outcome}, but ${inClaims}`)
    else outcomes[expected]++
  }
  if (problems.length) {
    const more = problems.length > shownProblems ? `; and ${problems.length - shownProblems} more` : ''
    return fail(`${junitPath} does not match ${claimsPath} for ${problems.length} of ${claims.length} claim tests: ${problems.slice(0, shownProblems).join('; ')}${more}`)
  }
  return {
    ok: true,
    message: `${junitPath} lists all ${claims.length} claim tests of ${claimsPath} with their outcomes (${outcomes.passed} passed, ${outcomes.partial} partial, ${outcomes.failed} failed, ${outcomes.broken} broken, ${outcomes.skipped} skipped)`,
  }
}
