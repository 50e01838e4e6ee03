// Given/When/Then steps: each prints as it starts and ends, with its
// duration, and is recorded on the test (task.meta.steps) for the reports.
// Given and When bring the cluster to a state, Then and And check a property:
// the step that threw decides the verdict (failed or broken: lib/report/claims.ts).
import { CouldNotLook, currentClaim, printLine, type Keyword, type StepRecord } from '../k8s/claim-context.ts'
import { IncompleteRecording } from '../observe/gaps.ts'

async function step<T>(keyword: Keyword, title: string, fn: () => T | Promise<T>): Promise<T> {
  const record: StepRecord = { keyword, title, startedAt: new Date().toISOString(), durationMs: 0, status: 'passed', notes: [] }
  currentClaim()?.steps.push(record)
  const t0 = performance.now()
  printLine(`${keyword} ${title}`)
  try {
    return await fn()
  } catch (err) {
    record.status = 'failed'
    const log = currentClaim()
    if (!log || log.stoppedByGap) throw err // a step inside this one already judged it
    if (err instanceof IncompleteRecording) {
      // A check stopped only by a gap in its own watch recording (the API server restarted and the
      // watch listed again: events in between may be missing) did not see the cluster break the
      // claim: it could not look. The claim runs again (claim-run.ts); on its last run a gap in a
      // Then or And step makes it partial, naming the gap and that the steps after it did not run.
      const gap = err.message.split('\n')[0]
      if (log.runsAgainOnGap) {
        record.notes.push(`not seen: ${gap}; the claim runs again in a fresh namespace`)
        throw err
      }
      if ((keyword === 'Then' || keyword === 'And') && log.onUnchecked) {
        record.notes.push(`not checked: ${gap}`)
        log.stoppedByGap = `${title}: ${gap} (and the claim's steps after it were not run)`
        log.onUnchecked(log.stoppedByGap)
        throw err
      }
    }
    // A step the cluster kept from looking (a policy denies the suite's own request) saw no violation.
    log.failedStep ??= { keyword, title, ...(err instanceof CouldNotLook ? { couldNotLook: true as const } : {}) }
    throw err
  } finally {
    record.durationMs = Math.round(performance.now() - t0)
    printLine(`  ${record.status === 'passed' ? '✓' : '✗'} ${keyword} ${title} (${(record.durationMs / 1000).toFixed(1)}s)`)
  }
}

export const Given = <T>(title: string, fn: () => T | Promise<T>) => step('Given', title, fn)
export const When = <T>(title: string, fn: () => T | Promise<T>) => step('When', title, fn)
export const Then = <T>(title: string, fn: () => T | Promise<T>) => step('Then', title, fn)
export const And = <T>(title: string, fn: () => T | Promise<T>) => step('And', title, fn)
