// Given/When/Then steps: each prints as it starts and ends, with its
// duration, and is recorded on the test (task.meta.steps) for the reports.
import { currentStepLog, printLine, type Keyword, type StepRecord } from '../k8s/progress.ts'
import { IncompleteRecording } from '../observe/gaps.ts'

async function step<T>(keyword: Keyword, title: string, fn: () => T | Promise<T>): Promise<T> {
  const record: StepRecord = { keyword, title, startedAt: new Date().toISOString(), durationMs: 0, status: 'passed', notes: [] }
  currentStepLog()?.steps.push(record)
  const t0 = performance.now()
  printLine(`${keyword} ${title}`)
  try {
    return await fn()
  } catch (err) {
    record.status = 'failed'
    // A check stopped only by a gap in its own watch recording (the API server restarted and the watch
    // listed again: events in between may be missing) did not see the cluster break the claim; it could
    // not look. The part is recorded as not checked (the claim is partial) and the claim goes on.
    const log = currentStepLog()
    if (err instanceof IncompleteRecording && (keyword === 'Then' || keyword === 'And') && log?.onUnchecked) {
      record.notes.push(`not checked: ${err.message.split('\n')[0]}`)
      log.onUnchecked(`${title}: ${err.message.split('\n')[0]}`)
      return undefined as T
    }
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
