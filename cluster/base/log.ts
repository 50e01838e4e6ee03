// Progress lines for long cluster work: one line per step, with elapsed time.
const started = Date.now()

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  // Rounded before it is split, so that 119.7 s is 2m00s, not 1m60s (and 59.96 s is 1m00s, not 60.0s).
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
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
