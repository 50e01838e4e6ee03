import { beforeAll, describe, expect, test, vi } from 'vitest'
import { parse } from 'yaml'
import type { NodeSpec } from '../base/shape.ts'

// The files writeConfigs writes, kept here instead of on disk (it writes under /var/lib).
const written = new Map<string, string>()
const made: { path: string; mode?: number }[] = []
vi.mock('node:fs/promises', async (original) => ({
  ...(await original<typeof import('node:fs/promises')>()),
  writeFile: vi.fn(async (path: string, text: string) => { written.set(path, text) }),
  mkdir: vi.fn(async (path: string, o?: { mode?: number }) => { made.push({ path, mode: o?.mode }) }),
}))

// The default instance and the cloud shape: three nodes, restricted, a domain of its own.
let nodes: NodeSpec[]
let config: typeof import('../base/config.ts')
let nodeConfig: typeof import('./node-config.ts')
beforeAll(async () => {
  vi.stubEnv('SC_CLUSTER_NAME', '')
  vi.resetModules()
  const shapes = await import('../base/shape.ts')
  config = await import('../base/config.ts')
  nodeConfig = await import('./node-config.ts')
  const shape = shapes.parseShape(['--shape=cloud', '--cluster-domain=example.internal'], {})
  nodes = shapes.nodesOf(shape)
  await nodeConfig.writeConfigs(shape, nodes)
  vi.unstubAllEnvs()
})

const file = (path: string) => {
  const text = written.get(path)
  if (text === undefined) throw new Error(`not written: ${path} (written: ${[...written.keys()].join(', ')})`)
  return text
}
const nodeFile = (node: NodeSpec, name: string) => file(nodeConfig.nodeCfg(node, name))

describe('writeConfigs', () => {
  test('PodSecurity enforces, audits and warns at the shape\'s level everywhere but the cluster\'s own namespaces', () => {
    const admission = parse(file(nodeConfig.cfg('admission.yaml')))
    expect(admission.plugins[0].configuration.defaults).toMatchObject({ enforce: 'restricted', audit: 'restricted', warn: 'restricted' })
    expect(admission.plugins[0].configuration.exemptions.namespaces).toEqual(['kube-system', 'local-path-storage'])
  })

  test('pods resolve through the cluster DNS only; shared-immediate\'s folder is writable by every pod', () => {
    expect(file(nodeConfig.cfg('resolv.conf'))).toBe(`nameserver ${config.net.dnsIp}\n`)
    expect(made).toContainEqual({ path: config.state.sharedVolumes, mode: 0o777 })
  })

  test('each kubelet serves on its node\'s address and pod range, with its own identity, cgroup and pod logs; only the control plane registers tainted', () => {
    const kubelets = nodes.map((n) => parse(nodeFile(n, 'kubelet.yaml')))
    expect(kubelets.map((k) => [k.address, k.podCIDR, k.clusterDomain, k.cgroupRoot])).toEqual([
      ['10.250.0.2', '10.244.0.0/24', 'example.internal', '/stateful-conformance/control-plane'],
      ['10.250.0.3', '10.244.1.0/24', 'example.internal', '/stateful-conformance/worker'],
      ['10.250.0.4', '10.244.2.0/24', 'example.internal', '/stateful-conformance/worker2'],
    ])
    expect(kubelets.map((k) => k.registerWithTaints)).toEqual([[{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], undefined, undefined])
    expect(kubelets.map((k) => k.tlsCertFile)).toEqual(['kubelet-serving.crt', 'kubelet-serving-worker.crt', 'kubelet-serving-worker2.crt'].map((f) => expect.stringMatching(new RegExp(`/${f}$`))))
    // A kubelet removes the log folders of pods it does not know: no two share one, and none uses the machine's.
    const logs = kubelets.map((k) => k.podLogsDir)
    expect(new Set(logs).size).toBe(3)
    expect(logs).not.toContain('/var/log/pods')
    expect(kubelets.map((k) => k.containerRuntimeEndpoint)).toEqual(nodes.map((n) => `unix://${n.containerdSocket}`))
  })

  test('each node\'s pod network hands out its own range, keeping its leases in a folder of its own', () => {
    const cni = nodes.map((n) => JSON.parse(file(`${nodeConfig.nodeDirs(n).cniConf}/10-embedded.conflist`)))
    expect(cni.map((c) => c.plugins[0].ipam.ranges[0][0].subnet)).toEqual(nodes.map((n) => n.podCidr))
    expect(new Set(cni.map((c) => c.plugins[0].ipam.dataDir)).size).toBe(3)
    expect(cni.every((c) => c.name === config.net.cniNetwork)).toBe(true)
  })

  test('containerd and kube-proxy of each node stay on that node: its socket and folders, its name and address', () => {
    for (const n of nodes) {
      const containerd = nodeFile(n, 'containerd.toml')
      expect(containerd).toContain(`address = "${n.containerdSocket}"`)
      expect(containerd).toContain(`root = "${nodeConfig.nodeDirs(n).containerdRoot}"`)
      expect(containerd).toContain(`sandbox_image = "${config.images.pause}"`)
      expect(parse(nodeFile(n, 'kube-proxy.yaml'))).toMatchObject({ hostnameOverride: n.name, bindAddress: n.ip, clusterCIDR: config.net.podCidr })
    }
  })
})

test('the strict shape\'s last worker registers tainted NoExecute, beside the control plane\'s NoSchedule', async () => {
  const shapes = await import('../base/shape.ts')
  const shape = shapes.parseShape(['--shape=strict'], {})
  const strictNodes = shapes.nodesOf(shape)
  await nodeConfig.writeConfigs(shape, strictNodes)
  expect(strictNodes.map((n) => parse(nodeFile(n, 'kubelet.yaml')).registerWithTaints)).toEqual([
    [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], undefined, undefined, undefined,
    [{ key: 'stateful-conformance.dev/quarantine', value: 'true', effect: 'NoExecute' }],
  ])
})
