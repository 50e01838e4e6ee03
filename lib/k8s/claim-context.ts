// The one context a claim runs in, declared here once and carried by one
// ambient store (AsyncLocalStorage) from the harness (lib/harness/claim-run.ts)
// down to every wait: the claim's step log (what each step and wait saw, for
// the report), the parts it could not check, the run's settings (timeout
// scale, fixture rewrite, default claim class) and the test's AbortSignal,
// which ends every wait and watch at once when the test times out or the run
// is interrupted. Outside a claim (global setup, scripts, unit tests) the
// settings are the defaults unless the caller opens a context with its own.
import { AsyncLocalStorage } from 'node:async_hooks'
import { setTimeout as delay } from 'node:timers/promises'

export type Keyword = 'Given' | 'When' | 'Then' | 'And'

export interface StepRecord {
  keyword: Keyword
  title: string
  startedAt: string
  durationMs: number
  status: 'passed' | 'failed'
  notes: string[]
}

// A class's minimum size (undefined: the cluster's default class; "": none, a static claim binds as written).
export type MinimumOf = (storageClass: string | undefined) => string | undefined

// What the run decided once (global setup), the same for every claim.
export interface RunSettings {
  // Every named timeout is multiplied by it (SC_TIMEOUT_SCALE, or measured: lib/harness/pace.ts).
  timeoutScale: number
  // Text edits applied to every fixture before it is parsed: the image overrides (SC_IMAGE_*).
  rewriteFixture: (text: string) => string
  // The class a claim gets when neither its fixture nor the spec names one: the run's first class,
  // so that the suite's volumes land on a class under test even on a cluster with no default class.
  defaultClaimClass: string | undefined
  // The least a claim of a class may ask for (a class's minimum size, SC_MIN_CLAIM_SIZE).
  claimMinimumOf: MinimumOf
}

export const defaultSettings: RunSettings = Object.freeze({
  timeoutScale: 1,
  rewriteFixture: (text: string) => text,
  defaultClaimClass: undefined,
  claimMinimumOf: () => undefined,
})

export interface ClaimContext {
  // The tag printed before each of the claim's lines ("Q1-04 standard"); none outside a claim.
  test?: string
  steps: StepRecord[]
  settings: RunSettings
  // The test's signal: aborted when it times out or the run is interrupted (Ctrl-C).
  signal?: AbortSignal
  // The harness's way to record a part of the claim that could not be checked (the claim turns partial).
  onUnchecked?: (part: string) => void
  // A gap in a check's recording makes the claim run again (not its last run): the step lets it through.
  runsAgainOnGap?: boolean
  // The first step that threw, which decides the verdict: Then or And saw the property violated
  // (failed), Given or When never came true (broken).
  failedStep?: { keyword: Keyword; title: string; couldNotLook?: true }
  // A gap stopped the claim's last run in a Then or And step: the part not checked (the claim is partial).
  stoppedByGap?: string
  // Each claim (PVC) the test saw go from unbound to Bound: ms from its creation (recordClaimBound).
  claimBindMs?: number[]
}

const current = new AsyncLocalStorage<ClaimContext>()

export function withClaimContext<T>(context: ClaimContext, fn: () => Promise<T>): Promise<T> {
  return current.run(context, fn)
}

// The run's settings alone (global setup, a script): no step log, no signal.
export const withRunSettings = <T>(settings: RunSettings, fn: () => Promise<T>): Promise<T> => withClaimContext({ steps: [], settings }, fn)

// Thrown where the cluster keeps the suite from looking at all (a NetworkPolicy certainly denies
// the suite's own client pod its lookup or request), not where the property was seen to fail: even
// in a Then step, the claim is broken, not failed (lib/harness/steps.ts, lib/report/claims.ts).
export class CouldNotLook extends Error {
  override name = 'CouldNotLook'
}

export const currentClaim = (): ClaimContext | undefined => current.getStore()

export const runSettings = (): RunSettings => current.getStore()?.settings ?? defaultSettings

// The running claim's signal, if any: every wait and watch ends when it aborts.
export const claimSignal = (): AbortSignal | undefined => current.getStore()?.signal

// The error a wait ends with when its claim's signal aborted: the signal's own reason when it is one.
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new Error(`interrupted: ${String(reason ?? 'the test was stopped')}`)
}

// Throws at once when the running claim was stopped: for a loop between its steps.
export function throwIfStopped(): void {
  const signal = claimSignal()
  if (signal?.aborted) throw abortError(signal)
}

// The pause between two polls of a deadline-bounded poll, ended at once by the claim's signal.
export async function pollPause(ms: number): Promise<void> {
  const signal = claimSignal()
  try {
    await delay(ms, undefined, { signal })
  } catch (err) {
    if (signal?.aborted) throw abortError(signal)
    throw err
  }
}

// Runs `fn` in the claim's context without its signal: a test's clean-up must run to its end
// even when the test timed out or the run was interrupted (nothing is left behind).
export function unstoppable<T>(fn: () => Promise<T>): Promise<T> {
  const context = current.getStore()
  return context ? current.run({ ...context, signal: undefined }, fn) : fn()
}

// Calls `onAbort` once when the running claim's signal aborts (at once if it already has);
// returns what removes the listener. Outside a claim: nothing to listen to.
export function onClaimStopped(onAbort: (err: Error) => void): () => void {
  const signal = claimSignal()
  if (!signal) return () => undefined
  if (signal.aborted) {
    onAbort(abortError(signal))
    return () => undefined
  }
  const listener = () => onAbort(abortError(signal))
  signal.addEventListener('abort', listener, { once: true })
  return () => signal.removeEventListener('abort', listener)
}

// A wait saw a claim of the running test become Bound, `ms` after the claim was created: kept on
// the test's log, and by the harness in its claims.json entry (the class's datasheet reads them).
export function recordClaimBound(ms: number): void {
  current.getStore()?.claimBindMs?.push(Math.max(0, Math.round(ms)))
}

// Straight to stdout rather than console.log, which vitest would frame with
// a header per line; the test's tag keeps parallel tests apart.
export function printLine(line: string): void {
  const tag = current.getStore()?.test
  process.stdout.write(`${tag ? `[${tag}] ` : ''}${line}\n`)
}

// What a wait or probe currently does or sees, or something a reader should
// know that does not decide the test ("the IP changed"); kept on the running step.
export function progress(message: string): void {
  current.getStore()?.steps.at(-1)?.notes.push(message)
  printLine(`    · ${message}`)
}
