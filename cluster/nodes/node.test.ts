import { beforeAll, expect, test, vi } from 'vitest'
import type { Shape } from '../base/shape.ts'

// Node names derive from the instance: these tests see the default one.
let shapes: typeof import('../base/shape.ts')
let node: typeof import('./node.ts')
let addOns: typeof import('./addon-commands.ts')
beforeAll(async () => {
  vi.stubEnv('SC_CLUSTER_NAME', '')
  vi.resetModules()
  shapes = await import('../base/shape.ts')
  node = await import('./node.ts')
  addOns = await import('./addon-commands.ts')
  vi.unstubAllEnvs()
})

const procsFor = (shape: Shape) => node.procsOf(shape, shapes.nodesOf(shape)).map((p) => `${p.name}@${p.node?.name ?? 'host'}`)

test('one node runs every component under the names a one-node cluster always had', () => {
  expect(procsFor(shapes.parseShape([], {}))).toEqual([
    'containerd@embedded-control-plane',
    'etcd@embedded-control-plane', 'kube-apiserver@embedded-control-plane', 'kube-controller-manager@embedded-control-plane', 'kube-scheduler@embedded-control-plane',
    'kubelet@embedded-control-plane', 'kube-proxy@embedded-control-plane',
  ])
})

test('three nodes: the control plane on the first only, a containerd, kubelet and kube-proxy on each, the ext4 provisioner on the host; every name (pid file, log) once', () => {
  const procs = procsFor(shapes.parseShape(['--shape=cloud'], {}))
  expect(procs).toEqual([
    'containerd@embedded-control-plane', 'containerd-worker@embedded-worker', 'containerd-worker2@embedded-worker2',
    'etcd@embedded-control-plane', 'kube-apiserver@embedded-control-plane', 'kube-controller-manager@embedded-control-plane', 'kube-scheduler@embedded-control-plane',
    'kubelet@embedded-control-plane', 'kube-proxy@embedded-control-plane',
    'kubelet-worker@embedded-worker', 'kube-proxy-worker@embedded-worker',
    'kubelet-worker2@embedded-worker2', 'kube-proxy-worker2@embedded-worker2',
    'ext4-provisioner@host',
  ])
  expect(new Set(procs.map((p) => p.split('@')[0])).size).toBe(procs.length)
})

test('the strict shape: kube-network-policies on every node, namespace-defaults and ext4-csi on the host; the other shapes run none of them', () => {
  const procs = procsFor(shapes.parseShape(['--shape=strict'], {}))
  const strictOnly = /network-policies|namespace-defaults|ext4-csi/
  expect(procs.filter((p) => strictOnly.test(p))).toEqual([
    'ext4-csi@host',
    'kube-network-policies@embedded-control-plane', 'kube-network-policies-worker@embedded-worker',
    'kube-network-policies-worker2@embedded-worker2', 'kube-network-policies-worker3@embedded-worker3',
    'kube-network-policies-worker4@embedded-worker4', 'namespace-defaults@host',
  ])
  expect(new Set(procs.map((p) => p.split('@')[0])).size).toBe(procs.length)
  expect(procsFor(shapes.parseShape(['--shape=cloud'], {})).filter((p) => strictOnly.test(p))).toEqual([])
})

test('ext4-csi serves every node, each at its own kubelet\'s folder, where that kubelet looks for plugins', () => {
  const shape = shapes.parseShape(['--shape=strict'], {})
  const { args } = addOns.addOnCommand({ component: 'ext4-csi' }, shape)
  expect(args.filter((a) => a.startsWith('--node='))).toEqual(shapes.nodesOf(shape).map((n) => `--node=${n.name}=${n.dir}/kubelet`))
  expect(args).toContain('--sockets=/run/stateful-conformance/ext4-csi')
})

test('a Kubernetes component runs the release the shape was started on until it is restarted on another; etcd, containerd and the ext4 provisioner run none', async () => {
  // An instance that never ran: the default one's pid folder may hold a running cluster's releases.
  vi.stubEnv('SC_CLUSTER_NAME', `unit${process.pid}`)
  vi.resetModules()
  const [config, ownShapes, ownNode] = [await import('../base/config.ts'), await import('../base/shape.ts'), await import('./node.ts')]
  vi.unstubAllEnvs()
  const shape = ownShapes.parseShape(['--shape=cloud', '--version=1.35'], {})
  const versions = Object.fromEntries(ownNode.procsOf(shape, ownShapes.nodesOf(shape)).map((p) => [p.name, ownNode.versionOf(p, shape)]))
  expect(versions).toMatchObject({ 'kube-apiserver': config.versions.previousKubernetes, 'kubelet-worker': config.versions.previousKubernetes, 'kube-proxy-worker2': config.versions.previousKubernetes })
  expect([versions.etcd, versions.containerd, versions['ext4-provisioner']]).toEqual([undefined, undefined, undefined])
})

test('the DNS race workaround of kube-network-policies goes by the kernel: before 6.12 it is on', () => {
  expect(addOns.kernelBefore(6, 12, '6.8.0-1017-azure')).toBe(true)
  expect(addOns.kernelBefore(6, 12, '6.11.0-1018-azure')).toBe(true)
  expect(addOns.kernelBefore(6, 12, '6.12.0')).toBe(false)
  expect(addOns.kernelBefore(6, 12, '6.18.44-fc-v1252')).toBe(false)
  expect(addOns.kernelBefore(6, 12, '7.0.1')).toBe(false)
  expect(addOns.kernelBefore(6, 12, '5.15.0-91-generic')).toBe(true)
})

test('a kubelet that lost the race for the machine\'s one device-plugin socket is told apart from any other exit', () => {
  expect(node.lostSocketRace('E1206 18:50:32.037640 31548 kubelet.go:1821] "Failed to start ContainerManager" err="listen unix /var/lib/kubelet/device-plugins/kubelet.sock: bind: address already in use"')).toBe(true)
  expect(node.lostSocketRace('E1206 kubelet.go:1821] "Failed to start ContainerManager" err="failed to get rootfs info"')).toBe(false)
  expect(node.lostSocketRace('listen tcp 10.250.0.3:10250: bind: address already in use')).toBe(false)
})
