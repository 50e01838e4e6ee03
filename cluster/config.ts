// One place for every fact about the embedded cluster: versions, paths,
// addresses and image names. The manifests in cluster/addons and fixtures/
// use the same image names, so they also run unchanged on kind.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export const repoRoot = resolve(import.meta.dirname, '..')

export const versions = {
  kubernetes: 'v1.36.3',
  kubernetesBuildDate: '2026-07-22T18:07:38Z', // the module's publication time, stamped into the binaries
  coredns: 'v1.15.0',
  localPathProvisioner: 'v0.0.30',
  // podinfo tags carry no "v", so the Go module proxy knows them only as pseudo-versions.
  podinfo: { '6.7.0': 'v1.8.1-0.20240623182813-0b1481aa8ed0', '6.9.2': 'v1.8.1-0.20250910200901-e86405a8674e' },
} as const

export const images = {
  pause: 'registry.k8s.io/pause:3.10.1',
  busybox: 'docker.io/library/busybox:1.35.0',
  coredns: `registry.k8s.io/coredns/coredns:${versions.coredns}`,
  localPathProvisioner: `docker.io/rancher/local-path-provisioner:${versions.localPathProvisioner}`,
  podinfo: 'ghcr.io/stefanprodan/podinfo:6.7.0',
  podinfoOther: 'ghcr.io/stefanprodan/podinfo:6.9.2',
} as const

const cacheRoot = process.env.SC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stateful-conformance')

export const paths = {
  cache: cacheRoot,
  bin: join(cacheRoot, 'bin'),
  imageCache: join(cacheRoot, 'images'),
  // What the repo keeps: the admin kubeconfig and the component logs.
  local: join(repoRoot, '.cluster'),
  kubeconfig: join(repoRoot, '.cluster', 'kubeconfig'),
  logs: join(repoRoot, '.cluster', 'logs'),
  // What the node keeps: removed whole by `cluster:down`.
  state: '/var/lib/stateful-conformance',
  run: '/run/stateful-conformance',
  // etcd fsyncs on every write; tmpfs keeps the API fast and the data is throwaway anyway.
  etcd: '/dev/shm/stateful-conformance-etcd',
  // kube-controller-manager's host-path provisioner only deletes under /tmp.
  hostpathVolumes: '/tmp/hostpath_pv',
} as const

export const state = {
  pki: join(paths.state, 'pki'),
  config: join(paths.state, 'config'),
  kubelet: join(paths.state, 'kubelet'),
  containerdRoot: join(paths.state, 'containerd'),
  containerdState: join(paths.run, 'containerd'),
  containerdSocket: join(paths.run, 'containerd.sock'),
  cniConf: join(paths.state, 'cni', 'net.d'),
  cniIpam: join(paths.state, 'cni', 'ipam'),
  localPath: join(paths.state, 'local-path'),
  pids: join(paths.run, 'pids'),
} as const

// The node lives in its own network namespace: its iptables rules, bridge and
// routes go away with it, and nothing it does touches the host's network.
export const net = {
  netns: 'stateful-conformance',
  hostIf: 'sc-host',
  nodeIf: 'sc-node',
  hostIp: '10.250.0.1',
  nodeIp: '10.250.0.2',
  linkPrefix: 30,
  podCidr: '10.244.0.0/16',
  nodePodCidr: '10.244.0.0/24',
  serviceCidr: '10.96.0.0/16',
  apiServiceIp: '10.96.0.1',
  dnsIp: '10.96.0.10',
  clusterDomain: 'cluster.local',
  bridge: 'cni0',
} as const

export const nodeName = 'embedded-control-plane'
export const apiServer = `https://${net.nodeIp}:6443`
export const binDir = {
  kubernetes: join(paths.bin, `kubernetes-${versions.kubernetes}`),
  coredns: join(paths.bin, `coredns-${versions.coredns}`),
  localPathProvisioner: join(paths.bin, `local-path-provisioner-${versions.localPathProvisioner}`),
  podinfo: (release: keyof typeof versions.podinfo) => join(paths.bin, `podinfo-${release}`),
} as const
