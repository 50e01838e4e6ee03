// A report tool (diff, datasheet, history) as its user runs it, for their run.test.ts (not a test file itself):
// node <run.ts> ARGS from the caller's folder (INIT_CWD, as npm sets it), its exit code and its console.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// Each test starts node once or more: on a busy machine that is seconds.
export const slow = { timeout: 30_000 }

export function command(runTs: URL, callerDir: string): (...args: string[]) => { code: number | null; out: string; err: string } {
  return (...args) => commandWith(runTs, callerDir, {}, ...args)
}

// What a run that went well shows: exit 0, nothing on stderr, and on stdout these lines and no other.
export const printed = (...lines: string[]): { code: number; out: string; err: string } => ({ code: 0, out: lines.map((l) => `${l}\n`).join(''), err: '' })

// The same with these variables added to the environment.
export function commandWith(runTs: URL, callerDir: string, env: Record<string, string>, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [fileURLToPath(runTs), ...args], { encoding: 'utf8', env: { ...process.env, INIT_CWD: callerDir, ...env } })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
