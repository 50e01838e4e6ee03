// npm run bench — how long the suite takes: the wall time of one full spec run
// and each spec file's share, written to reports/bench.json. A measurement,
// never a pass/fail threshold. Extra arguments go to vitest (e.g. a file filter).
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const reports = resolve(root, process.env.SC_REPORTS_DIR ?? 'reports')

interface VitestJson {
  testResults: { name: string; startTime: number; endTime: number; assertionResults: { status: string }[] }[]
}

async function main(): Promise<void> {
  await mkdir(reports, { recursive: true })
  const out = join(reports, 'bench-vitest.json')
  const t0 = performance.now()
  const code = await new Promise<number>((done) => {
    const child = spawn('npx', ['vitest', 'run', '--project', 'specs', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
      { cwd: root, stdio: 'inherit' })
    child.on('close', (c) => done(c ?? 1))
  })
  const wallMs = Math.round(performance.now() - t0)
  const results = (JSON.parse(await readFile(out, 'utf8')) as VitestJson).testResults
  const files = results.map((r) => ({
    file: relative(root, r.name),
    ms: r.endTime - r.startTime,
    tests: r.assertionResults.length,
    failed: r.assertionResults.filter((a) => a.status === 'failed').length,
  })).sort((a, b) => b.ms - a.ms)
  const bench = { measuredAt: new Date().toISOString(), wallMs, exitCode: code, files }
  await writeFile(join(reports, 'bench.json'), JSON.stringify(bench, null, 2) + '\n')
  console.log(`\nwall time of the spec run: ${(wallMs / 1000).toFixed(1)}s (exit ${code})`)
  for (const f of files) console.log(`  ${(f.ms / 1000).toFixed(1).padStart(7)}s  ${f.file} (${f.tests} tests${f.failed ? `, ${f.failed} failed` : ''})`)
  console.log(`written: ${join(reports, 'bench.json')}`)
  process.exitCode = code
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`)
  process.exitCode = 1
})
