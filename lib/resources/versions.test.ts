import { describe, expect, test } from 'vitest'
import { compareMinor, describeVersions, minorVersion, notOlderThan, notUpgradedByOneMinor } from './versions.ts'

const v = (api: string, ...kubelets: string[]) => ({ api, kubelets: Object.fromEntries(kubelets.map((k, i) => [`node-${i}`, k])) })

describe('cluster versions', () => {
  test('a minor release is read from upstream\'s and a vendor\'s versions alike; patches do not count', () => {
    expect(minorVersion('v1.35.4')).toEqual([1, 35])
    expect(minorVersion('v1.36.3-gke.1200')).toEqual([1, 36])
    expect(minorVersion('unknown')).toBeUndefined()
    expect(compareMinor('v1.35.4', 'v1.36.3')).toBeLessThan(0)
    expect(compareMinor('v1.36.1', 'v1.36.3')).toBe(0)
    expect(compareMinor('unknown', 'v1.36.3')).toBeNaN()
  })

  test('an upgrade to v1.36 can be shown only where the API server and every kubelet run an older minor', () => {
    expect(notOlderThan(v('v1.35.4', 'v1.35.4', 'v1.35.4'), 'v1.36.3')).toBeUndefined()
    expect(notOlderThan(v('v1.36.3', 'v1.36.3'), 'v1.36.3')).toBe('the cluster runs API server v1.36.3, kubelet v1.36.3 (node-0): not all older than v1.36.3, the release the upgrade moves to')
    // Half upgraded: the control plane moved, the nodes not yet.
    expect(notOlderThan(v('v1.36.3', 'v1.35.4', 'v1.35.4'), 'v1.36.3')).toMatch(/^the cluster runs API server v1\.36\.3, kubelets v1\.35\.4 \(node-0, node-1\): not all older/)
    expect(notOlderThan(v('v1.35.4', 'unknown'), 'v1.36.3')).toMatch(/not all older/)
  })

  test('an upgrade by one minor release: the API server one minor on, and every kubelet with it', () => {
    expect(notUpgradedByOneMinor(v('v1.35.4', 'v1.35.4'), v('v1.36.3', 'v1.36.3'))).toBeUndefined()
    expect(notUpgradedByOneMinor(v('v1.35.4', 'v1.35.4'), v('v1.35.4', 'v1.35.4'))).toBe('the API server went from v1.35.4 to v1.35.4, not to the next minor release')
    expect(notUpgradedByOneMinor(v('v1.35.4', 'v1.35.4', 'v1.35.4'), v('v1.36.3', 'v1.36.3', 'v1.35.4'))).toBe('the API server went from v1.35.4 to v1.36.3, but the kubelets of node-1 (v1.35.4) did not follow')
    expect(describeVersions(v('v1.36.3', 'v1.36.3', 'v1.35.4', 'v1.36.3'))).toBe('API server v1.36.3, kubelets v1.36.3 (node-0, node-2), v1.35.4 (node-1)')
  })
})
