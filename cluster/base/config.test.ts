import { afterEach, describe, expect, test, vi } from 'vitest'
import { defaultInstance, kubernetesRelease, linkOctet, minorOf, parseInstanceName, versions } from './config.ts'

// config.ts derives every name from SC_CLUSTER_NAME and SC_CACHE_DIR when it is loaded: each test loads it afresh.
async function configWith(env: Record<string, string>) {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
  vi.resetModules()
  return import('./config.ts')
}
afterEach(() => { vi.unstubAllEnvs() })

describe('instances', () => {
  test('the default instance is on 10.250.0.0/24; another gets a stable network of its own', () => {
    expect(linkOctet(defaultInstance)).toBe(0)
    expect(linkOctet('dev')).toBe(linkOctet('dev'))
    expect(linkOctet('dev')).toBeGreaterThan(0)
    expect(linkOctet('dev')).toBeLessThan(255)
    expect(linkOctet('dev')).not.toBe(linkOctet('dev2'))
  })

  test('names that cannot become interface names are refused', () => {
    expect(parseInstanceName(undefined)).toBe(defaultInstance)
    expect(parseInstanceName('')).toBe(defaultInstance)
    expect(parseInstanceName('dev2')).toBe('dev2')
    expect(() => parseInstanceName('Dev')).toThrow(/SC_CLUSTER_NAME=Dev/)
    expect(() => parseInstanceName('2dev')).toThrow(/starting with a letter/)
    expect(() => parseInstanceName('a-much-too-long-name')).toThrow(/1 to 12/)
  })

  test('the default instance keeps the names it always had', async () => {
    const c = await configWith({ SC_CLUSTER_NAME: '' })
    expect(c.instance).toBe(defaultInstance)
    expect(c.net).toMatchObject({ netnsBase: 'stateful-conformance', lanNetns: 'stateful-conformance-lan', hostIf: 'sc-host', cniNetwork: 'embedded', linkNet: '10.250.0.0/24', hostIp: '10.250.0.1' })
    expect(c.paths).toMatchObject({ state: '/var/lib/stateful-conformance', run: '/run/stateful-conformance', etcd: '/dev/shm/stateful-conformance-etcd' })
    expect(c.paths.local).toBe(`${c.repoRoot}/.cluster`)
    expect(c.apiServer).toBe('https://10.250.0.2:6443')
  })

  test('another instance owns names of its own, none sharing the default one\'s prefix, its host interface within 15 bytes', async () => {
    const c = await configWith({ SC_CLUSTER_NAME: 'abcdefghijkl' })
    const octet = linkOctet('abcdefghijkl')
    expect(c.net.hostIf).toBe('sc-abcdefghijkl')
    expect(Buffer.byteLength(c.net.hostIf)).toBeLessThanOrEqual(15)
    const owned = [c.net.netnsBase, c.net.lanNetns, c.net.cniNetwork, c.cgroupRoot, c.paths.state, c.paths.run, c.paths.etcd, c.paths.local]
    for (const name of owned) {
      expect(name).toContain('abcdefghijkl')
      expect(name).not.toMatch(/(^|\/)stateful-conformance/)
    }
    expect(c.paths.local).toBe(`${c.repoRoot}/.cluster-abcdefghijkl`)
    expect(c.net).toMatchObject({ linkNet: `10.250.${octet}.0/24`, hostIp: `10.250.${octet}.1`, controlPlaneIp: `10.250.${octet}.2` })
  })

  test('a bad SC_CLUSTER_NAME does not fail the import: a command refuses it, with one line, when it runs', async () => {
    const c = await configWith({ SC_CLUSTER_NAME: 'Bad_Name' })
    expect(c.instance).toBe('invalid')
    expect(() => c.assertInstance()).toThrow(c.ShapeError)
    expect(() => c.assertInstance()).toThrow(/^SC_CLUSTER_NAME=Bad_Name: expected 1 to 12 lower-case letters and digits/)
  })

  test('the binaries are cached under SC_CACHE_DIR, one folder per version', async () => {
    const c = await configWith({ SC_CACHE_DIR: '/tmp/sc-cache' })
    expect(c.paths.bin).toBe('/tmp/sc-cache/bin')
    expect(c.binDir.kubernetes).toBe(`/tmp/sc-cache/bin/kubernetes-${c.versions.kubernetes}`)
    expect(c.kubernetesBinDir(c.versions.previousKubernetes)).toBe(`/tmp/sc-cache/bin/kubernetes-${c.versions.previousKubernetes}`)
    expect(c.binDir.podinfo('6.9.2')).toBe('/tmp/sc-cache/bin/podinfo-6.9.2')
  })
})

describe('Kubernetes releases', () => {
  test('two: the pinned one and the previous minor, each its own Go module', () => {
    expect(minorOf(versions.previousKubernetes)).toBe('1.35')
    expect(Number(minorOf(versions.kubernetes).split('.')[1]) - Number(minorOf(versions.previousKubernetes).split('.')[1])).toBe(1)
    expect(kubernetesRelease('1.36')).toMatchObject({ version: versions.kubernetes, module: 'kubernetes' })
    expect(kubernetesRelease('1.35')).toMatchObject({ version: versions.previousKubernetes, module: 'kubernetes-1.35' })
  })

  test('asked for as 1.35, v1.35, or the full version; another patch or minor is none of them', () => {
    for (const asked of ['1.35', 'v1.35', versions.previousKubernetes, versions.previousKubernetes.slice(1)]) {
      expect(kubernetesRelease(asked)?.version).toBe(versions.previousKubernetes)
    }
    expect(kubernetesRelease('1.35.0')).toBeUndefined()
    expect(kubernetesRelease('1.34')).toBeUndefined()
    expect(kubernetesRelease('1.3')).toBeUndefined()
  })
})
