import { describe, expect, test } from 'vitest'
import { concurrencyLimits, configOptions, maxAutoConcurrency, OptionError, parseOptions, parseStorageClasses, selectStorageClasses } from './options.ts'

describe('parseOptions', () => {
  test('defaults: auto cluster, default class, scale 1, reports/', () => {
    expect(parseOptions({})).toMatchObject({ cluster: 'auto', storageClasses: 'default', timeoutScale: 'auto', reportsDir: 'reports', keepCluster: false })
  })

  test('reads context, kubeconfig, scale and keep flag', () => {
    const o = parseOptions({ KUBECONFIG: '/k', SC_CONTEXT: 'kind-kind', SC_TIMEOUT_SCALE: '2.5', SC_KEEP_CLUSTER: 'yes' })
    expect(o).toMatchObject({ kubeconfig: '/k', context: 'kind-kind', timeoutScale: 2.5, keepCluster: true })
  })

  test.each(['0', '-1', 'fast', 'NaN'])('rejects SC_TIMEOUT_SCALE=%s with a message naming it', (v) => {
    expect(() => parseOptions({ SC_TIMEOUT_SCALE: v })).toThrow(/SC_TIMEOUT_SCALE/)
  })

  test('rejects an unknown SC_CLUSTER', () => {
    expect(() => parseOptions({ SC_CLUSTER: 'kind' })).toThrow(OptionError)
  })

  test('SC_MIN_CLAIM_SIZE: the least every claim asks for, a storage quantity', () => {
    expect(parseOptions({}).minClaimSize).toBeUndefined()
    expect(parseOptions({ SC_MIN_CLAIM_SIZE: ' 4Gi ' }).minClaimSize).toBe('4Gi')
    expect(() => parseOptions({ SC_MIN_CLAIM_SIZE: '4 GiB' })).toThrow(/SC_MIN_CLAIM_SIZE=4 GiB: expected a storage quantity/)
    expect(() => parseOptions({ SC_MIN_CLAIM_SIZE: '0' })).toThrow(OptionError)
  })

  test('SC_NAMESPACE: one namespace, claims one at a time; a second claim in flight is refused, naming why', () => {
    expect(parseOptions({}).namespace).toBeUndefined()
    expect(parseOptions({ SC_NAMESPACE: ' team-a ' })).toMatchObject({ namespace: 'team-a', concurrency: 1 })
    expect(parseOptions({ SC_NAMESPACE: 'team-a', SC_CONCURRENCY: 'auto' }).concurrency).toBe(1)
    expect(() => parseOptions({ SC_NAMESPACE: 'team-a', SC_CONCURRENCY: '4' })).toThrow(/with SC_NAMESPACE: in one namespace the claims run one at a time/)
    expect(() => parseOptions({ SC_NAMESPACE: 'Team_A' })).toThrow(/SC_NAMESPACE=Team_A: expected a namespace's name/)
    expect(configOptions({ SC_NAMESPACE: 'team-a' }).concurrency).toBe(1)
  })

  test('collects image overrides by name and a registry mirror', () => {
    expect(parseOptions({ SC_IMAGE_REGISTRY: 'mirror.local:5000/', SC_IMAGE_BUSYBOX: 'mirror/busybox:1' }).images)
      .toEqual({ registry: 'mirror.local:5000', byName: { busybox: 'mirror/busybox:1' } })
  })
})

describe('storage class selection', () => {
  const classes = [{ name: 'standard', isDefault: true }, { name: 'fast', isDefault: false }]

  test('parses default, all and lists (deduplicated)', () => {
    expect(parseStorageClasses(undefined)).toBe('default')
    expect(parseStorageClasses('all')).toBe('all')
    expect(parseStorageClasses(' fast, standard,fast ')).toEqual(['fast', 'standard'])
  })

  test('rejects a name that cannot be a StorageClass', () => {
    expect(() => parseStorageClasses('Fast_SSD')).toThrow(/not a StorageClass name: Fast_SSD/)
  })

  test('default picks the default class; all picks every class', () => {
    expect(selectStorageClasses('default', classes)).toEqual(['standard'])
    expect(selectStorageClasses('all', classes)).toEqual(['fast', 'standard'])
  })

  test('a cluster with no default class is one clear error that lists the classes', () => {
    expect(() => selectStorageClasses('default', [{ name: 'fast', isDefault: false }])).toThrow('the cluster has no default StorageClass; name some with SC_STORAGE_CLASSES (it has: fast)')
  })

  test('unknown names are one clear error', () => {
    expect(() => selectStorageClasses(['gold', 'fast'], classes)).toThrow('no such StorageClass: gold (the cluster has: standard, fast)')
  })
})

test('SC_TIMEOUT_SCALE is measured unless given', () => {
  expect(parseOptions({}).timeoutScale).toBe('auto')
  expect(parseOptions({ SC_TIMEOUT_SCALE: 'auto' }).timeoutScale).toBe('auto')
  expect(parseOptions({ SC_TIMEOUT_SCALE: '2' }).timeoutScale).toBe(2)
})

test('SC_CONCURRENCY: auto follows the cluster, a number fixes it; vitest offers at least as many claims as the gate lets through', () => {
  expect(parseOptions({}).concurrency).toBe('auto')
  expect(parseOptions({ SC_CONCURRENCY: 'auto' }).concurrency).toBe('auto')
  expect(parseOptions({ SC_CONCURRENCY: '1' }).concurrency).toBe(1)
  expect(() => parseOptions({ SC_CONCURRENCY: '0' })).toThrow('SC_CONCURRENCY=0: expected auto')
  for (const n of [1, 2, 3, 5, 12, 40]) {
    const { workers, perFile } = concurrencyLimits(n)
    expect(workers * perFile, `SC_CONCURRENCY=${n}`).toBeGreaterThanOrEqual(n)
    expect(workers * perFile, `SC_CONCURRENCY=${n}`).toBeLessThan(n + workers)
  }
  const auto = concurrencyLimits('auto')
  expect(auto.workers * auto.perFile).toBeGreaterThanOrEqual(maxAutoConcurrency)
})

describe('SC_POD_RESOURCES', () => {
  test('unset, small requests equal to limits; set, what it says; wrong, an OptionError naming it', () => {
    expect(parseOptions({}).podResources).toEqual({ cpu: '100m', memory: '64Mi' })
    expect(parseOptions({ SC_POD_RESOURCES: 'cpu=250m,memory=128Mi' }).podResources).toEqual({ cpu: '250m', memory: '128Mi' })
    expect(() => parseOptions({ SC_POD_RESOURCES: 'cpu=1 core' })).toThrow(OptionError)
  })
})

test('a vitest config reads the timeout scale and concurrency, and falls back to auto on a bad value (global setup reports it)', () => {
  expect(configOptions({ SC_TIMEOUT_SCALE: '2', SC_CONCURRENCY: '4' })).toEqual({ timeoutScale: 2, concurrency: 4 })
  expect(configOptions({ SC_TIMEOUT_SCALE: 'fast' })).toEqual({ timeoutScale: 'auto', concurrency: 'auto' })
})
