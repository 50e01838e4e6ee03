// Given/When/Then steps: each prints as it starts and ends, with its
// duration, and is recorded on the test (task.meta.steps) for the reports.
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
}

const current = new AsyncLocalStorage<StepLog>()

export function withStepLog<T>(log: StepLog, fn: () => Promise<T>): Promise<T> {
  return current.run(log, fn)
}

// Straight to stdout rather than console.log, which vitest would frame with
// a header per line; the test's tag keeps parallel tests apart.
function print(line: string): void {
  const log = current.getStore()
  process.stdout.write(`${log ? `[${log.test}] ` : ''}${line}\n`)
}

async function step<T>(keyword: Keyword, title: string, fn: () => T | Promise<T>): Promise<T> {
  const record: StepRecord = { keyword, title, startedAt: new Date().toISOString(), durationMs: 0, status: 'passed', notes: [] }
  current.getStore()?.steps.push(record)
  const t0 = performance.now()
  print(`${keyword} ${title}`)
  try {
    return await fn()
  } catch (err) {
    record.status = 'failed'
    throw err
  } finally {
    record.durationMs = Math.round(performance.now() - t0)
    print(`  ${record.status === 'passed' ? '✓' : '✗'} ${keyword} ${title} (${(record.durationMs / 1000).toFixed(1)}s)`)
  }
}

export const Given = <T>(title: string, fn: () => T | Promise<T>) => step('Given', title, fn)
export const When = <T>(title: string, fn: () => T | Promise<T>) => step('When', title, fn)
export const Then = <T>(title: string, fn: () => T | Promise<T>) => step('Then', title, fn)
export const And = <T>(title: string, fn: () => T | Promise<T>) => step('And', title, fn)

// What a wait or probe currently does or sees; kept on the running step too.
export function progress(message: string): void {
  const log = current.getStore()
  log?.steps.at(-1)?.notes.push(message)
  print(`    · ${message}`)
}

// Something a reader should know that does not decide the test (e.g. "the IP changed").
export const note = progress
