import { beforeAll, describe, expect, test, vi } from 'vitest'
import { defaultInstance, versions } from './config.ts'
import { describeShape, parseShape, presets, ShapeError } from './shape.ts'

// Node names derive from the instance (SC_CLUSTER_NAME): these tests see the default one.
let nodesOf: typeof import('./shape.ts').nodesOf
beforeAll(async () => {
  vi.stubEnv('SC_CLUSTER_NAME', '')
  vi.resetModules()
  nodesOf = (await import('./shape.ts')).nodesOf
  vi.unstubAllEnvs()
})

describe('parseShape', () => {
  test('defaults to the kind-like shape: one node, privileged, root images, no ext4 class', () => {
    expect(parseShape([], {})).toEqual(presets.kind)
  })

  test('the cloud preset is three nodes, restricted, upstream images and the ext4 class', () => {
    expect(parseShape(['--shape=cloud'], {})).toMatchObject({ nodes: 3, podSecurity: 'restricted', images: 'upstream', ext4Class: true })
  })

  test('flags win over SC_CLUSTER_* variables, which win over the preset', () => {
    const env = { SC_CLUSTER_SHAPE: 'cloud', SC_CLUSTER_NODES: '2', SC_CLUSTER_DOMAIN: 'example.internal' }
    expect(parseShape(['--nodes=1'], env)).toMatchObject({ nodes: 1, clusterDomain: 'example.internal', podSecurity: 'restricted' })
  })

  test('--version (or SC_CLUSTER_VERSION) picks the previous minor, as 1.35 or its full version; the pinned release otherwise, named only when it is not', () => {
    expect(parseShape([], {}).kubernetes).toBe(versions.kubernetes)
    expect(parseShape(['--shape=cloud', '--version=1.35'], {})).toMatchObject({ nodes: 3, kubernetes: versions.previousKubernetes })
    expect(parseShape([], { SC_CLUSTER_VERSION: versions.previousKubernetes }).kubernetes).toBe(versions.previousKubernetes)
    expect(parseShape(['--version=1.36'], { SC_CLUSTER_VERSION: '1.35' }).kubernetes).toBe(versions.kubernetes)
    expect(describeShape(parseShape(['--version=1.35'], {}))).toBe(`1 node, pod security privileged, domain cluster.local, root images, Kubernetes ${versions.previousKubernetes}`)
    expect(describeShape(parseShape([], {}))).not.toMatch(/Kubernetes/)
  })

  test.each([
    [['--version=1.34'], /--version=1\.34 \(or SC_CLUSTER_VERSION\): accepted values: 1\.36\|1\.35/],
    [['--version=1.35.1'], /accepted values: 1\.36\|1\.35/],
    [['--nodes=0'], /--nodes=0 .*accepted values: 1\.\.5/],
    [['--nodes=two'], /accepted values: 1\.\.5/],
    [['--pod-security=baseline'], /--pod-security=baseline .*accepted values: privileged\|restricted/],
    [['--cluster-domain=Not_A_Domain'], /accepted values: a DNS domain/],
    [['--images=distroless'], /accepted values: root\|upstream/],
    [['--ext4-class=yes'], /accepted values: on\|off/],
    [['--shape=eks'], /accepted values: kind\|cloud\|strict/],
    [['--strict=yes'], /--strict=yes .*accepted values: on\|off/],
    [['--shape=strict', '--nodes=1'], /--strict=on .*needs 2 nodes or more, not 1/],
    [['--colour=red'], /unknown option --colour=red: accepted: --shape=/],
  ])('refuses %j with one line naming the accepted values', (argv, message) => {
    expect(() => parseShape(argv, {})).toThrow(ShapeError)
    expect(() => parseShape(argv, {})).toThrow(message)
  })
})

test('the strict preset is the cloud shape with strict admission, dual-stack, zonal disks, two workers per zone and a fifth node, tainted NoExecute', () => {
  const strict = parseShape(['--shape=strict'], {})
  expect(strict).toEqual({ ...presets.cloud, nodes: 5, strict: true, dualStack: true })
  expect(describeShape(strict)).toBe('5 nodes, pod security restricted, domain cluster.local, upstream images, ext4 class (zonal disks), strict admission, NetworkPolicies enforced (a default-deny in every new namespace) and a NoExecute node, dual-stack (IPv4 and IPv6)')
  expect(parseShape(['--shape=cloud'], { SC_CLUSTER_STRICT: 'on' }).strict).toBe(true)
  expect(parseShape(['--shape=strict', '--dual-stack=off'], {}).dualStack).toBe(false)
  expect(parseShape([], { SC_CLUSTER_DUAL_STACK: 'on' }).dualStack).toBe(true)
  expect(() => parseShape(['--dual-stack=ipv6'], {})).toThrow('--dual-stack=ipv6 (or SC_CLUSTER_DUAL_STACK): accepted values: on|off')
})

test('dual-stack nodes: an IPv4 and an IPv6 address and pod range each, IPv4 first; single-stack nodes have IPv4 alone', () => {
  const [cp, worker] = nodesOf({ nodes: 2, dualStack: true })
  // IPv6 text in canonical form (RFC 5952), as the API server writes it back.
  expect([cp!.ips, cp!.podCidrs]).toEqual([['10.250.0.2', 'fd00:10:250::2'], ['10.244.0.0/24', 'fd00:10:244::/64']])
  expect([worker!.ips, worker!.podCidrs]).toEqual([['10.250.0.3', 'fd00:10:250::3'], ['10.244.1.0/24', 'fd00:10:244:1::/64']])
  expect(nodesOf({ nodes: 2 }).map((n) => [n.ips, n.podCidrs])).toEqual([[['10.250.0.2'], ['10.244.0.0/24']], [['10.250.0.3'], ['10.244.1.0/24']]])
})

describe('nodesOf', () => {
  test('strict: the last worker is quarantined (NoExecute), the others as in the cloud shape; no other shape quarantines a node', () => {
    const nodes = nodesOf({ nodes: 5, strict: true })
    expect(nodes.map((n) => [n.name, n.tainted, n.quarantined, n.zone])).toEqual([
      ['embedded-control-plane', true, false, undefined], ['embedded-worker', false, false, 'zone-a'],
      ['embedded-worker2', false, false, 'zone-b'], ['embedded-worker3', false, false, 'zone-a'],
      ['embedded-worker4', false, true, 'zone-b'],
    ])
    expect(nodesOf({ nodes: 4 }).some((n) => n.quarantined)).toBe(false)
    expect(nodesOf({ nodes: 1, strict: true })[0]!.quarantined).toBe(false)
  })

  test('one node keeps the names a one-node cluster always had, untainted and without a zone', () => {
    const [node] = nodesOf({ nodes: 1 })
    expect(node).toMatchObject({ name: 'embedded-control-plane', netns: defaultInstance, ip: '10.250.0.2', tainted: false, zone: undefined, procSuffix: '' })
  })

  test('three nodes: a tainted control plane and two workers in two zones, each with its own pod range', () => {
    const nodes = nodesOf({ nodes: 3 })
    expect(nodes.map((n) => [n.name, n.tainted, n.zone, n.ip, n.podCidr])).toEqual([
      ['embedded-control-plane', true, undefined, '10.250.0.2', '10.244.0.0/24'],
      ['embedded-worker', false, 'zone-a', '10.250.0.3', '10.244.1.0/24'],
      ['embedded-worker2', false, 'zone-b', '10.250.0.4', '10.244.2.0/24'],
    ])
    expect(new Set(nodes.map((n) => n.netns)).size).toBe(3)
  })
})

test('a caller that names the release itself gets a description without it', () => {
  expect(describeShape(parseShape(['--version=1.35'], {}), false)).toBe('1 node, pod security privileged, domain cluster.local, root images')
})
