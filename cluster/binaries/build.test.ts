import { afterEach, expect, test, vi } from 'vitest'

// build.ts finds the cache through config.ts, which reads SC_CACHE_DIR when it is loaded: an empty one here.
afterEach(() => { vi.unstubAllEnvs() })
async function buildWithEmptyCache() {
  vi.stubEnv('SC_CACHE_DIR', '/nonexistent/sc-cache')
  vi.resetModules()
  return { build: await import('./build.ts'), config: await import('../base/config.ts') }
}

test('a cluster on the pinned release needs its Kubernetes build only; one on the previous minor needs that one too (the upgrade\'s target, kubectl and criclean come from the pinned one)', async () => {
  const { build, config } = await buildWithEmptyCache()
  const kubernetesBuilds = (release?: string) => build.missingBuilds(release).filter((b) => b.startsWith('kubernetes '))
  expect(kubernetesBuilds()).toEqual([`kubernetes ${config.versions.kubernetes}`])
  expect(kubernetesBuilds(config.versions.previousKubernetes)).toEqual([`kubernetes ${config.versions.kubernetes}`, `kubernetes ${config.versions.previousKubernetes}`])
  expect(build.missingBuilds(config.versions.previousKubernetes).filter((b) => !b.startsWith('kubernetes '))).toEqual(build.missingBuilds().filter((b) => !b.startsWith('kubernetes ')))
})
