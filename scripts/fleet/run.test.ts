// The command as a user runs it, against clusters whose setup refuses them before any request is
// made (contexts the kubeconfig does not have): a real vitest per cluster, its global setup's
// one-line refusal, the fleet's report of it, its exit code, and Ctrl-C passed on. No cluster is reached.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import type { FleetReport } from './merge.ts'

const runTs = fileURLToPath(new URL('./run.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'fleet-run-'))
// One context, on a port nothing listens on: the fleet's contexts are not in it, so no request is made.
const kubeconfig = join(dir, 'kubeconfig')
writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: only, context: { cluster: c, user: u } }]
current-context: only
`)
const env = { ...process.env, INIT_CWD: dir, KUBECONFIG: kubeconfig, SC_CONTEXTS: '', SC_REPORTS_DIR: join(dir, 'reports') }
// Each test starts node and, per cluster, vitest: on a busy machine that is seconds.
const slow = { timeout: 120_000 }
const readFleet = (out: string) => JSON.parse(readFileSync(join(dir, out, 'fleet.json'), 'utf8')) as FleetReport

test('two clusters whose setup refuses them: each a column saying why, the pages written, exit 1', slow, () => {
  // A claims.json left by an earlier run must not stand in for this one's.
  mkdirSync(join(dir, 'out', 'ghost-a'), { recursive: true })
  writeFileSync(join(dir, 'out', 'ghost-a', 'claims.json'), '{}')
  const r = spawnSync(process.execPath, [runTs, '--contexts=ghost-a,ghost/b', '--out', 'out', '-t', 'Q0-10'], { encoding: 'utf8', env })
  expect(r.status, r.stderr).toBe(1)
  expect(r.stdout).toContain('fleet: 2 clusters at once: ghost-a (context "ghost-a"), ghost_b (context "ghost/b"); vitest -t Q0-10; reports in out\n')
  expect(r.stderr).toContain('[ghost-a] stateful-conformance: bad kubeconfig')
  expect(r.stderr).toContain('[ghost_b] stateful-conformance: bad kubeconfig')
  const f = readFleet('out')
  expect(f.clusters.map((c) => [c.label, c.state, c.reason, c.exitCode])).toEqual([
    ['ghost-a', 'preflight failed', `bad kubeconfig ${kubeconfig}: no context "ghost-a" in the kubeconfig (it has: only)`, 2],
    ['ghost_b', 'preflight failed', `bad kubeconfig ${kubeconfig}: no context "ghost/b" in the kubeconfig (it has: only)`, 2],
  ])
  expect(existsSync(join(dir, 'out', 'ghost-a', 'claims.json'))).toBe(false)
  expect(r.stdout).toContain('fleet: 2 clusters: 2 preflight failed; 0 claims failed or broken\n  ✗ ghost-a preflight failed: bad kubeconfig')
  expect(r.stdout).toContain('fleet: out/index.html, fleet.md, fleet.json; each cluster\'s own reports in out/<cluster>/')
  expect(readFileSync(join(dir, 'out', 'index.html'), 'utf8')).toContain('ghost-a<div class="reason"><b class="failed">preflight failed:</b> bad kubeconfig')
  expect(readFileSync(join(dir, 'out', 'fleet.md'), 'utf8')).toContain('| ghost_b | context "ghost/b" | **preflight failed**: bad kubeconfig')
})

test('bad input exits 2 with one line, and starts nothing', slow, () => {
  const r = spawnSync(process.execPath, [runTs, '--out', 'never'], { encoding: 'utf8', env })
  expect(r.status).toBe(2)
  expect(r.stderr).toMatch(/^fleet: no clusters named; usage: npm run fleet -- --contexts=a,b/)
  expect(existsSync(join(dir, 'never'))).toBe(false)
})

test('Ctrl-C is passed to every run; the fleet waits for them, writes what it has and exits 130', slow, async () => {
  const child = spawn(process.execPath, [runTs, '--out', 'stopped'], { env: { ...env, SC_CONTEXTS: 'ghost-c,ghost-d' } })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      // As soon as both runs are started: before their setup has got anywhere.
      if (!stdout.includes('at once') && (stdout += d).includes('at once')) child.kill('SIGINT')
      else stdout += d
    })
    child.on('close', resolve)
  })
  expect(stderr).toContain('fleet: Ctrl-C: passing SIGINT to 2 runs (ghost-c, ghost-d); each removes what it made, in the background. Waiting while they report')
  expect(code, stderr).toBe(130)
  // Stopped before their setup was done, they started no clean-up: the fleet says how to make one.
  expect(stderr).toContain(`fleet: ghost-c was stopped before its setup was done, so it started no clean-up: \`SC_CONTEXT=ghost-c SC_REPORTS_DIR=${join(dir, 'stopped', 'ghost-c')} npm run clean\` removes what its setup made`)
  expect(readFleet('stopped').clusters.map((c) => [c.label, c.state, c.ok])).toEqual([['ghost-c', 'interrupted', false], ['ghost-d', 'interrupted', false]])
})
