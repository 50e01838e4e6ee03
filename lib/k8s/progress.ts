// What the suite is doing right now, printed as it happens and kept on the
// running step of the running test (the step log), so a report shows what a
// wait saw. Lower layers call progress(); the harness opens the step log.
import { AsyncLocalStorage } from 'node:async_hooks'

export type Keyword = 'Given' | 'When' | 'Then' | 'And'

export interface StepRecord {
  keyword: Keyword
  title: string
  startedAt: string
  durationMs: number
  status: 'passed' | 'failed'
  notes: string[]
}

export interface StepLog {
  test: string
  steps: StepRecord[]
  // The harness's way to record a part of the claim that could not be checked (the claim turns partial).
  onUnchecked?: (part: string) => void
  // A gap in a check's recording makes the claim run again (not its last run): the step lets it through.
  runsAgainOnGap?: boolean
  // The first step that threw, which decides the verdict: Then or And saw the property violated
  // (failed), Given or When never came true (broken).
  failedStep?: { keyword: Keyword; title: string }
  // A gap stopped the claim's last run in a Then or And step: the part not checked (the claim is partial).
  stoppedByGap?: string
  // Each claim (PVC) the test saw go from unbound to Bound: ms from its creation (recordClaimBound).
  claimBindMs?: number[]
}

const current = new AsyncLocalStorage<StepLog>()

export function withStepLog<T>(log: StepLog, fn: () => Promise<T>): Promise<T> {
  return current.run(log, fn)
}

export const currentStepLog = (): StepLog | undefined => current.getStore()

// A wait saw a claim of the running test become Bound, `ms` after the claim was created: kept on
// the test's log, and by the harness in its claims.json entry (the class's datasheet reads them).
export function recordClaimBound(ms: number): void {
  current.getStore()?.claimBindMs?.push(Math.max(0, Math.round(ms)))
}

// Straight to stdout rather than console.log, which vitest would frame with
// a header per line; the test's tag keeps parallel tests apart.
export function printLine(line: string): void {
  const log = current.getStore()
  process.stdout.write(`${log ? `[${log.test}] ` : ''}${line}\n`)
}

// What a wait or probe currently does or sees, or something a reader should
// know that does not decide the test ("the IP changed"); kept on the running step.
export function progress(message: string): void {
  current.getStore()?.steps.at(-1)?.notes.push(message)
  printLine(`    · ${message}`)
}
