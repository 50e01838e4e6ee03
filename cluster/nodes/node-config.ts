// What each node's processes read: containerd's, the kubelet's and kube-proxy's
// configuration, the admission configuration, CNI, resolv.conf.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cgroupRoot, images, net, podCidrs, state } from '../base/config.ts'
import { kubeletIdentity, pkiPath } from './pki.ts'
import { type NodeSpec, quarantineTaint, type Shape } from '../base/shape.ts'

export const cfg = (file: string) => join(state.config, file)
export const nodeCfg = (node: NodeSpec, file: string) => join(node.dir, 'config', file)

export const nodeDirs = (node: NodeSpec) => ({
  kubelet: join(node.dir, 'kubelet'),
  containerdRoot: join(node.dir, 'containerd'),
  containerdState: join(node.runDir, 'containerd'),
  cniConf: join(node.dir, 'cni', 'net.d'),
  cniIpam: join(node.dir, 'cni', 'ipam'),
  localPath: join(node.dir, 'local-path'),
  podLogs: join(node.dir, 'pod-logs'),
})

export async function writeConfigs(shape: Shape, nodes: NodeSpec[]): Promise<void> {
  await mkdir(state.config, { recursive: true })
  await mkdir(state.sharedVolumes, { recursive: true, mode: 0o777 })
  // Pods get the cluster DNS only: the host's search domains stay out of them.
  await writeFile(cfg('resolv.conf'), `nameserver ${net.dnsIp}\n`)
  await writeFile(cfg('admission.yaml'), admissionConfig(shape))
  for (const node of nodes) await writeNodeConfigs(shape, node)
}

// PodSecurity admission: the level enforced on every namespace without a
// pod-security.kubernetes.io/enforce label of its own; the cluster's own namespaces are exempt.
// The control plane's NoSchedule taint (kubeadm's), and the strict shape's NoExecute one.
function registerWithTaints(node: NodeSpec): string {
  const taints = [
    ...(node.tainted ? ['{ key: node-role.kubernetes.io/control-plane, effect: NoSchedule }'] : []),
    ...(node.quarantined ? [`{ key: ${quarantineTaint.key}, value: '${quarantineTaint.value}', effect: ${quarantineTaint.effect} }`] : []),
  ]
  return taints.length ? `registerWithTaints: [${taints.join(', ')}]\n` : ''
}

export const podSecurityExemptNamespaces = ['kube-system', 'local-path-storage'] as const
function admissionConfig(shape: Shape): string {
  const level = shape.podSecurity
  return `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: ${level}
      enforce-version: latest
      audit: ${level}
      audit-version: latest
      warn: ${level}
      warn-version: latest
    exemptions:
      usernames: []
      runtimeClasses: []
      namespaces: [${podSecurityExemptNamespaces.join(', ')}]
`
}

async function writeNodeConfigs(shape: Shape, node: NodeSpec): Promise<void> {
  const dirs = nodeDirs(node)
  await mkdir(join(node.dir, 'config'), { recursive: true })
  await mkdir(dirs.cniConf, { recursive: true })
  await mkdir(dirs.localPath, { recursive: true })
  await writeFile(nodeCfg(node, 'containerd.toml'), `version = 2
root = "${dirs.containerdRoot}"
state = "${dirs.containerdState}"
[grpc]
  address = "${node.containerdSocket}"
[ttrpc]
  address = "${node.containerdSocket}.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${images.pause}"
  # Sandboxed machines (like this one) may deny CAP_SYS_RESOURCE: never ask for
  # an oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${join(node.runDir, 'runc')}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dirs.cniConf}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(node.dir, 'opt')}"
`)
  await writeFile(join(dirs.cniConf, '10-embedded.conflist'), JSON.stringify({
    cniVersion: '1.0.0',
    name: net.cniNetwork,
    plugins: [
      {
        type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: {
          type: 'host-local', ranges: node.podCidrs.map((subnet) => [{ subnet }]),
          routes: [{ dst: '0.0.0.0/0' }, ...(node.podCidrs.length > 1 ? [{ dst: '::/0' }] : [])], dataDir: dirs.cniIpam,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2))
  const id = kubeletIdentity(node)
  await writeFile(nodeCfg(node, 'kubelet.yaml'), `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${node.ip}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${pkiPath('ca.crt')} }
authorization: { mode: Webhook }
tlsCertFile: ${pkiPath(`${id.serving}.crt`)}
tlsPrivateKeyFile: ${pkiPath(`${id.serving}.key`)}
# This host is cgroup v1 (hybrid) and Debian's containerd 1.6 cannot report its cgroup driver.
cgroupDriver: cgroupfs
failCgroupV1: false
# Pods under a cgroup of this node's, under the instance's (another kubelet on
# the machine keeps its /kubepods, another node of ours its own).
cgroupRoot: /${cgroupRoot}/${node.cgroup}
failSwapOn: false
containerRuntimeEndpoint: unix://${node.containerdSocket}
clusterDNS: [${net.dnsIp}]
clusterDomain: ${shape.clusterDomain}
resolvConf: ${cfg('resolv.conf')}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
podCIDR: ${node.podCidr}
serializeImagePulls: false
# The images were imported, not pulled: they cannot come back, so never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1% }
rotateCertificates: false
fileCheckFrequency: 1h
# Not the machine's /var/log/pods: a kubelet removes the log folders of pods it does not know,
# so kubelets sharing one (another node, another cluster) delete each other's logs.
podLogsDir: ${dirs.podLogs}
${registerWithTaints(node)}`)
  await writeFile(nodeCfg(node, 'kube-proxy.yaml'), `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: ${pkiPath('kube-proxy.kubeconfig')} }
hostnameOverride: ${node.name}
clusterCIDR: ${podCidrs(shape.dualStack)}
bindAddress: ${node.ip}
oomScoreAdj: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# conntrack limits are global, not per namespace: leave the host's alone.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
`)
}
