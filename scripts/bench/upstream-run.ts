// The peer, on the same cluster: upstream's e2e.test, built from the embedded
// cluster's own k8s.io/kubernetes module, running the tests that cover claims
// of ours (upstream-table.ts), timed as a whole and per test.
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { binDir, paths } from '../../cluster/base/config.ts'
import { buildUpstream, e2eTestBinary } from '../../cluster/binaries/upstream-e2e.ts'
import { buildUpstreamImages, importUpstreamImages } from '../../cluster/images/upstream-images.ts'
import type { Options } from '../../lib/options/options.ts'
import { type GinkgoJson, ginkgoFocus, selectRunnable, type UpstreamNeed, upstreamSpecs, upstreamTests, withoutTags } from './upstream-table.ts'
import { clusterCpu, sampleCluster } from './cluster-processes.ts'

export interface UpstreamRun {
  wallMs: number
  exitCode: number
  cpuSeconds: number | null
  specs: ReturnType<typeof upstreamSpecs>
  leftOut: { name: string; why: string }[]
}

// Built (cached) before the spec run, so the build does not share the machine with it.
export async function prepareUpstream(embedded: boolean): Promise<Partial<Record<UpstreamNeed, string>>> {
  await buildUpstream()
  if (!embedded) return {} // another cluster pulls upstream's images from their registries
  const images = await buildUpstreamImages()
  await importUpstreamImages(images.archives)
  console.log(`bench: upstream images imported into the embedded cluster: ${images.archives.length} archives`)
  return images.dnsToolsMissing ? { 'dns-tools': images.dnsToolsMissing } : {}
}

export async function runUpstream(opts: { embedded: boolean; options: Options; reports: string; missing: Partial<Record<UpstreamNeed, string>> }): Promise<UpstreamRun> {
  const { run, leftOut } = selectRunnable(upstreamTests, opts.missing)
  for (const l of leftOut) console.log(`bench: upstream test left out: ${l.name}: ${l.why}`)
  const dir = join(opts.reports, 'upstream')
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const kubeconfig = opts.embedded ? paths.kubeconfig : (opts.options.kubeconfig?.split(':')[0] ?? join(homedir(), '.kube', 'config'))
  const kubectl = join(binDir.kubernetes, 'kubectl')
  const args = [
    `--kubeconfig=${kubeconfig}`,
    ...(opts.options.context ? [`--context=${opts.options.context}`] : []),
    '--provider=skeleton',
    // Upstream's helpers exec into pods through kubectl.
    ...(existsSync(kubectl) ? [`--kubectl-path=${kubectl}`] : []),
    `--report-dir=${dir}`,
    `--ginkgo.focus=${ginkgoFocus(run)}`,
    `--ginkgo.json-report=${join(dir, 'ginkgo.json')}`,
    '--ginkgo.no-color',
    '--ginkgo.v',
    '--ginkgo.timeout=3h',
  ]
  console.log(`bench: running ${run.length} upstream tests with ${e2eTestBinary} (serially, as e2e.test runs without the ginkgo CLI); log: ${join(dir, 'e2e.log')}`)
  const before = opts.embedded ? sampleCluster() : null
  const t0 = performance.now()
  const exitCode = await runLogged(e2eTestBinary, args, join(dir, 'e2e.log'), new Set(run.map((t) => t.name)))
  const wallMs = Math.round(performance.now() - t0)
  const cpuSeconds = before ? clusterCpu(before, sampleCluster()).seconds : null
  const reportFile = join(dir, 'ginkgo.json')
  const specs = existsSync(reportFile) ? upstreamSpecs(JSON.parse(await readFile(reportFile, 'utf8')) as GinkgoJson) : []
  return { wallMs, exitCode, cpuSeconds, specs, leftOut }
}

// The whole output goes to the log; the console gets each test's name as it
// starts, its end, and ginkgo's closing lines.
function runLogged(cmd: string, args: string[], logFile: string, names: Set<string>): Promise<number> {
  return new Promise((done) => {
    const log = createWriteStream(logFile)
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const started = Date.now()
    let partial = ''
    const onData = (d: Buffer) => {
      log.write(d)
      const lines = (partial + d.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        if (names.has(withoutTags(line.trim()))) console.log(`[upstream +${Math.round((Date.now() - started) / 1000)}s] ${line.trim()}`)
        else if (/^• \[|^\[FAILED\]|^Ran \d+ of \d+ Specs|^(SUCCESS|FAIL)!/.test(line.trim())) console.log(`[upstream] ${line.trim()}`)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', (err) => {
      console.error(`bench: ${cmd}: ${err.message}`)
      log.end()
      done(1)
    })
    child.on('close', (code) => {
      log.end()
      done(code ?? 1)
    })
  })
}
