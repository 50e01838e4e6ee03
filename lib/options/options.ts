// The suite's options. `npx vitest` keeps its own command line, so ours come
// from the environment: SC_* variables (and the usual KUBECONFIG).
import { type ContainerResources, parsePodResources } from './pod-resources.ts'

export interface Options {
  kubeconfig?: string
  context?: string
  cluster: 'auto' | 'embedded' | 'current'
  keepCluster: boolean
  // SC_YES=1: test the current context even when it is not a local cluster.
  yes: boolean
  storageClasses: 'default' | 'all' | string[]
  // SC_TIMEOUT_SCALE: a number, or 'auto' (the default): global setup measures
  // the cluster's pace and stretches every timeout to it (lib/harness/pace.ts).
  timeoutScale: number | 'auto'
  // Claims in flight at once, across spec files (SC_CONCURRENCY): a fixed
  // number, or 'auto' (the default): a limit that follows the cluster (lib/harness/concurrency.ts).
  concurrency: number | 'auto'
  reportsDir: string
  images: ImageOverrides
  waiversFile?: string
  // SC_MIN_CLAIM_SIZE: the least any claim asks for, on every class (a quantity,
  // e.g. 4Gi), for a class that refuses small claims without naming its minimum.
  minClaimSize?: string
  // SC_POD_RESOURCES: the requests (equal to limits) of every container the
  // suite makes that sets none itself (lib/k8s/pod-resources.ts).
  podResources: ContainerResources
  // SC_NAMESPACE: run every claim in this one namespace, which exists, one claim at a time, as a user
  // limited to it (lib/k8s/given-namespace.ts); claims that need more are skipped, naming it.
  namespace?: string
}

export interface ImageOverrides {
  registry?: string
  byName: Record<string, string>
}

export class OptionError extends Error {
  override name = 'OptionError'
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())

export function parseOptions(env: Record<string, string | undefined>): Options {
  const cluster = (env.SC_CLUSTER ?? 'auto').toLowerCase()
  if (cluster !== 'auto' && cluster !== 'embedded' && cluster !== 'current') {
    throw new OptionError(`SC_CLUSTER=${env.SC_CLUSTER}: expected auto, embedded or current`)
  }
  const scale = parseTimeoutScale(env.SC_TIMEOUT_SCALE)
  const namespace = parseNamespace(env.SC_NAMESPACE)
  const concurrency = namespace ? oneAtATime(env.SC_CONCURRENCY) : parseConcurrency(env.SC_CONCURRENCY)
  return {
    kubeconfig: env.KUBECONFIG || undefined,
    context: env.SC_CONTEXT || undefined,
    cluster,
    keepCluster: truthy(env.SC_KEEP_CLUSTER),
    yes: truthy(env.SC_YES),
    storageClasses: parseStorageClasses(env.SC_STORAGE_CLASSES),
    timeoutScale: scale,
    concurrency,
    reportsDir: env.SC_REPORTS_DIR || 'reports',
    images: parseImageOverrides(env),
    waiversFile: env.SC_WAIVERS || undefined,
    minClaimSize: parseMinClaimSize(env.SC_MIN_CLAIM_SIZE),
    podResources: parseOptionPodResources(env.SC_POD_RESOURCES),
    ...(namespace ? { namespace } : {}),
  }
}

function parseNamespace(value: string | undefined): string | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v)) throw new OptionError(`SC_NAMESPACE=${value}: expected a namespace's name (lowercase letters, digits and '-', at most 63)`)
  return v
}

// In one namespace the claims share object names (web-0, client): one claim at a time.
function oneAtATime(value: string | undefined): 1 {
  const v = value?.trim().toLowerCase()
  if (v && v !== 'auto' && v !== '1') throw new OptionError(`SC_CONCURRENCY=${value} with SC_NAMESPACE: in one namespace the claims run one at a time (their objects share names); leave SC_CONCURRENCY unset`)
  return 1
}

// "cpu=100m,memory=128Mi". Checked here, with the other options, so that a
// wrong value stops the run at once; the pods read it where they are made.
export function parseOptionPodResources(value: string | undefined): ContainerResources {
  try {
    return parsePodResources(value)
  } catch (err) {
    throw new OptionError((err as Error).message)
  }
}

function parseMinClaimSize(value: string | undefined): string | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (!/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(v) || !(Number.parseFloat(v) > 0)) {
    throw new OptionError(`SC_MIN_CLAIM_SIZE=${value}: expected a storage quantity, e.g. 4Gi (the least every claim asks for)`)
  }
  return v
}

// The most claims in flight the automatic limit grows to.
export const maxAutoConcurrency = 16

function parseTimeoutScale(value: string | undefined): number | 'auto' {
  if (value === undefined || value.trim() === '' || value.trim().toLowerCase() === 'auto') return 'auto'
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) {
    throw new OptionError(`SC_TIMEOUT_SCALE=${value}: expected auto (the default: measured at the start) or a positive number (2 doubles every timeout)`)
  }
  return n
}

// A number for what must be known before the cluster is measured (vitest's
// outer limits, the embedded cluster's start): 'auto' allows for a slow one.
export const provisionalScale = (scale: number | 'auto'): number => (scale === 'auto' ? 3 : scale)

// What a vitest config reads of the options before global setup runs: a bad value falls back to
// 'auto' here, and global setup reports it in one line.
export function configOptions(env: Record<string, string | undefined>): Pick<Options, 'timeoutScale' | 'concurrency'> {
  try {
    const { timeoutScale, concurrency } = parseOptions(env)
    return { timeoutScale, concurrency }
  } catch {
    return { timeoutScale: 'auto', concurrency: 'auto' }
  }
}

function parseConcurrency(value: string | undefined): number | 'auto' {
  if (value === undefined || value.trim() === '' || value.trim().toLowerCase() === 'auto') return 'auto'
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) {
    throw new OptionError(`SC_CONCURRENCY=${value}: expected auto (the default: as many claims in flight as the cluster takes) or a whole number, 1 or more`)
  }
  return n
}

// How vitest bounds the claims it starts: spec files run in up to `workers`
// workers, each with up to `perFile` claims at once. The run's gate
// (lib/harness/gate-server.ts) then lets through as many as the cluster takes, so vitest
// only needs to offer enough: workers × perFile ≥ the most the gate allows.
export function concurrencyLimits(concurrency: number | 'auto'): { workers: number; perFile: number } {
  const most = concurrency === 'auto' ? maxAutoConcurrency : concurrency
  const workers = Math.min(4, most)
  return { workers, perFile: Math.max(1, Math.ceil(most / workers)) }
}

export function parseStorageClasses(value: string | undefined): Options['storageClasses'] {
  const v = value?.trim()
  if (!v || v === 'default') return 'default'
  if (v === 'all') return 'all'
  const names = v.split(',').map((s) => s.trim()).filter(Boolean)
  const bad = names.filter((n) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n))
  if (bad.length) throw new OptionError(`SC_STORAGE_CLASSES: not a StorageClass name: ${bad.join(', ')}`)
  return [...new Set(names)]
}

// SC_IMAGE_REGISTRY=registry.example:5000/mirror rewrites every image's
// registry; SC_IMAGE_<NAME>=ref replaces one image (NAME as in lib/harness/images.ts).
export function parseImageOverrides(env: Record<string, string | undefined>): ImageOverrides {
  const byName: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('SC_IMAGE_') || k === 'SC_IMAGE_REGISTRY' || !v) continue
    byName[k.slice('SC_IMAGE_'.length).toLowerCase()] = v
  }
  return { registry: env.SC_IMAGE_REGISTRY?.replace(/\/+$/, '') || undefined, byName }
}

// Which of the cluster's classes to run [sc] claims on; throws one clear
// error for unknown names or a cluster with no default class.
export function selectStorageClasses(
  wanted: Options['storageClasses'],
  available: { name: string; isDefault: boolean }[],
): string[] {
  if (wanted === 'all') {
    if (!available.length) throw new OptionError('SC_STORAGE_CLASSES=all, but the cluster has no StorageClass')
    return available.map((c) => c.name).sort()
  }
  if (wanted === 'default') {
    const defaults = available.filter((c) => c.isDefault)
    if (defaults.length === 0) {
      throw new OptionError(`the cluster has no default StorageClass; name some with SC_STORAGE_CLASSES (it has: ${available.map((c) => c.name).join(', ') || 'none'})`)
    }
    return [defaults[0]!.name]
  }
  const unknown = wanted.filter((n) => !available.some((c) => c.name === n))
  if (unknown.length) {
    throw new OptionError(`SC_STORAGE_CLASSES: no such StorageClass: ${unknown.join(', ')} (the cluster has: ${available.map((c) => c.name).join(', ') || 'none'})`)
  }
  return wanted
}
