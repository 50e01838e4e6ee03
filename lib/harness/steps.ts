// Given/When/Then steps: each prints as it starts and ends, with its
// duration, and is recorded on the test (task.meta.steps) for the reports.
import { currentStepLog, printLine, type Keyword, type StepRecord } from '../k8s/progress.ts'

async function step<T>(keyword: Keyword, title: string, fn: () => T | Promise<T>): Promise<T> {
  const record: StepRecord = { keyword, title, startedAt: new Date().toISOString(), durationMs: 0, status: 'passed', notes: [] }
  currentStepLog()?.steps.push(record)
  const t0 = performance.now()
  printLine(`${keyword} ${title}`)
  try {
    return await fn()
  } catch (err) {
    record.status = 'failed'
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
