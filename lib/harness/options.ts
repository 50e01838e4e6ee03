// The suite's options. `npx vitest` keeps its own command line, so ours come
// from the environment: SC_* variables (and the usual KUBECONFIG).
export interface Options {
  kubeconfig?: string
  context?: string
  cluster: 'auto' | 'embedded' | 'current'
  keepCluster: boolean
  storageClasses: 'default' | 'all' | string[]
  timeoutScale: number
  // Claims in flight at once, across spec files (SC_CONCURRENCY).
  concurrency: number
  reportsDir: string
  images: ImageOverrides
  waiversFile?: string
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
  const scale = env.SC_TIMEOUT_SCALE === undefined ? 1 : Number(env.SC_TIMEOUT_SCALE)
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new OptionError(`SC_TIMEOUT_SCALE=${env.SC_TIMEOUT_SCALE}: expected a positive number (2 doubles every timeout)`)
  }
  const concurrency = env.SC_CONCURRENCY === undefined ? defaultConcurrency : Number(env.SC_CONCURRENCY)
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new OptionError(`SC_CONCURRENCY=${env.SC_CONCURRENCY}: expected a whole number of claims in flight, 1 or more (default ${defaultConcurrency})`)
  }
  return {
    kubeconfig: env.KUBECONFIG || undefined,
    context: env.SC_CONTEXT || undefined,
    cluster,
    keepCluster: truthy(env.SC_KEEP_CLUSTER),
    storageClasses: parseStorageClasses(env.SC_STORAGE_CLASSES),
    timeoutScale: scale,
    concurrency,
    reportsDir: env.SC_REPORTS_DIR || 'reports',
    images: parseImageOverrides(env),
    waiversFile: env.SC_WAIVERS || undefined,
  }
}

// Enough to keep a small cluster busy without starving its control plane on two cores.
export const defaultConcurrency = 12

// How vitest bounds the claims in flight: spec files run in up to `workers`
// workers, each with up to `perFile` claims at once (workers × perFile ≤ the knob).
export function concurrencyLimits(concurrency: number): { workers: number; perFile: number } {
  const workers = Math.min(4, concurrency)
  return { workers, perFile: Math.max(1, Math.floor(concurrency / workers)) }
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
// registry; SC_IMAGE_<NAME>=ref replaces one image (NAME as in lib/images.ts).
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
