// Progress lines for long cluster work: one line per step, with elapsed time.
const started = Date.now()

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)}s`
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
}

export function log(message: string): void {
  process.stderr.write(`[cluster +${formatDuration(Date.now() - started).padStart(6)}] ${message}\n`)
}

// Runs one phase of `up` or `down` and reports how long it took.
export async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now()
  log(`${name} …`)
  const result = await fn()
  log(`${name}: done in ${formatDuration(Date.now() - t0)}`)
  return result
}
