// A cluster's child, played by a small node script that behaves as a run does: on SIGINT it says
// so, starts a detached clean-up that inherits its output (as lib/harness/global-setup.ts starts
// scripts/clean.ts) and exits at once. The fleet's wait follows that clean-up's output.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { startChild } from './children.ts'

const dir = mkdtempSync(join(tmpdir(), 'fleet-children-'))
const pids: number[] = []
// The clean-ups a test leaves running on purpose, each ended by its id.
afterAll(() => {
  for (const pid of pids) {
    try { process.kill(pid) } catch { /* already gone */ }
  }
})

// cleanUp: the lines the clean-up prints, each after its delay (ms); ignoreSigint: a run that does not stop.
function fakeRun(name: string, o: { cleanUp?: [number, string][]; ignoreSigint?: boolean; exitCode?: number } = {}): string {
  const cleaner = join(dir, `${name}-clean.mjs`)
  writeFileSync(cleaner, `import { writeFileSync } from 'node:fs'
writeFileSync(${JSON.stringify(join(dir, `${name}.pid`))}, String(process.pid))
let t = 0
for (const [delay, line] of ${JSON.stringify(o.cleanUp ?? [])}) setTimeout(() => console.error(line), t += delay)
`)
  const run = join(dir, `${name}.mjs`)
  // The handler first: the test sends SIGINT once it sees the first line.
  writeFileSync(run, `import { spawn } from 'node:child_process'
process.on('SIGINT', () => {
  if (${!!o.ignoreSigint}) return
  console.error('stateful-conformance: SIGINT: removing what run ${name} made, in the background')
  spawn(process.execPath, [${JSON.stringify(cleaner)}], { detached: true, stdio: 'inherit' }).unref()
  setTimeout(() => process.exit(130), 1)
})
console.log('stateful-conformance: testing context "${name}"')
setTimeout(() => process.exit(${o.exitCode ?? 0}), ${o.cleanUp || o.ignoreSigint ? 60_000 : 100})
`)
  return run
}

function start(name: string, run: string, quiet = { finished: 400, interrupted: 1_500 }) {
  const lines: string[] = []
  const child = startChild({ target: { label: name, context: name }, env: process.env, args: [run], cwd: dir, labelWidth: 8, quiet, echo: (s, l) => lines.push(`${s} ${l}`) })
  const printed = (text: string) => new Promise<void>((resolve) => {
    const poll = setInterval(() => { if (lines.some((l) => l.includes(text))) resolve(clearInterval(poll)) }, 20)
  })
  return { child, lines, printed }
}

test('a run that ends by itself: its lines printed with its label, its exit code and last lines kept', async () => {
  const { child, lines } = start('plain', fakeRun('plain', { exitCode: 1 }))
  const end = await child.ended
  expect(end).toMatchObject({ exitCode: 1, signal: null, interrupted: false, tail: [{ stream: 'out', text: 'stateful-conformance: testing context "plain"' }] })
  expect(lines).toEqual(['out [plain]    stateful-conformance: testing context "plain"'])
})

test('after Ctrl-C the wait follows the clean-up\'s output until it is done, though the run itself exited at once', async () => {
  // 5 s between lines: the clean-up's own start (a node process) on a busy machine must not outlast it.
  const { child, lines, printed } = start('cleans', fakeRun('cleans', { cleanUp: [[600, 'still removing sc-q0-1'], [600, 'stateful-conformance: run cleans: its namespaces are gone']] }), { finished: 400, interrupted: 5_000 })
  await printed('testing context')
  child.interrupt('SIGINT')
  const end = await child.ended
  expect(end.interrupted).toBe(true)
  expect(end.exitCode).toBe(130)
  // The run exited at once; its clean-up's lines came after, and the wait took them all.
  expect(end.tail.map((l) => l.text).slice(-2)).toEqual(['still removing sc-q0-1', 'stateful-conformance: run cleans: its namespaces are gone'])
  expect(lines.join('\n')).not.toContain('not waiting')
})

test('a clean-up silent for longer than the deadline is left to finish in the background, saying so', async () => {
  const { child, lines, printed } = start('silent', fakeRun('silent', { cleanUp: [[30_000, 'done at last']] }))
  await printed('testing context')
  const interruptedAt = Date.now()
  child.interrupt('SIGINT')
  const end = await child.ended
  pids.push(Number(readFileSync(join(dir, 'silent.pid'), 'utf8')))
  expect(Date.now() - interruptedAt).toBeLessThan(10_000)
  expect(end).toMatchObject({ exitCode: 130, interrupted: true })
  expect(lines.at(-1)).toContain('err fleet: [silent]   nothing printed for 1.5 s since its run stopped: not waiting for the rest (its clean-up goes on in the background; ')
})

test('a run that does not stop on SIGINT and stays silent is killed when the deadline passes', async () => {
  const { child, lines, printed } = start('stuck', fakeRun('stuck', { ignoreSigint: true }))
  await printed('testing context')
  child.interrupt('SIGINT')
  const end = await child.ended
  expect(end).toMatchObject({ exitCode: null, signal: 'SIGKILL', interrupted: true })
  expect(lines.some((l) => l.includes('still running and silent 1.5 s after the signal: killing it (SIGKILL)'))).toBe(true)
})
