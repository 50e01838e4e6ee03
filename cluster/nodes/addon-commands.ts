// The command lines of the components `up` starts with the add-ons they serve (their RBAC
// comes with them): the ext4 class's provisioner and, for its zonal disks, ext4-csi; the
// strict shape's NetworkPolicy enforcer (one per node) and namespace-defaults.
import { release as osRelease } from 'node:os'
import { join } from 'node:path'
import { binDir, paths, state } from '../base/config.ts'
import { pkiPath } from './pki.ts'
import { nodesOf, type NodeSpec, type Shape } from '../base/shape.ts'
import { nodeDirs } from './node-config.ts'

export const addOnComponents = ['ext4-provisioner', 'ext4-csi', 'namespace-defaults', 'kube-network-policies'] as const
export type AddOnComponent = (typeof addOnComponents)[number]
export const isAddOn = (component: string): component is AddOnComponent => (addOnComponents as readonly string[]).includes(component)

// The netfilter queue kube-network-policies takes the packets it judges from.
export const networkPolicyQueue = 100

// This machine's kernel is older than major.minor.
export function kernelBefore(major: number, minor: number, release = osRelease()): boolean {
  const [m = 0, n = 0] = release.split(/[.-]/).map(Number)
  return m < major || (m === major && n < minor)
}

// The NetworkPolicy namespace-defaults gives every new namespace, and the namespaces it leaves
// without one: the cluster's own (cluster/addons/strict.yaml's policies exempt these too, and any kube-*).
export const defaultDenyPolicy = 'default-deny'
export const namespacesWithoutDefaultDeny = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', 'embedded-cluster-check'] as const

// The CSI driver of the strict shape's zonal ext4 disks (cluster/build/kubernetes/ext4-csi), and
// where it serves each node's CSI socket.
export const zonalDiskDriver = 'ext4.stateful-conformance.io'
export const ext4CsiSockets = join(paths.run, 'ext4-csi')

export function addOnCommand(p: { component: AddOnComponent; node?: NodeSpec }, shape: Shape): { bin: string; args: string[]; env?: Record<string, string> } {
  switch (p.component) {
    case 'kube-network-policies':
      return {
        bin: join(binDir.kubeNetworkPolicies, 'kube-network-policies'),
        // No NRI (Debian's containerd 1.6 has none, and the host's own must not see it): pod IPs come from the API.
        // The workaround for netfilter bug 1766 (parallel A and AAAA lookups dropped) is needed before kernel 6.12.
        args: [`--hostname-override=${p.node!.name}`, '--disable-nri', `--netfilter-bug-1766-fix=${kernelBefore(6, 12)}`,
          `--nfqueue-id=${networkPolicyQueue}`, '--metrics-bind-address=127.0.0.1:9080'],
        env: { KUBECONFIG: pkiPath('kube-network-policies.kubeconfig') },
      }
    case 'namespace-defaults':
      return {
        bin: join(binDir.namespaceDefaults, 'namespace-defaults'),
        args: [`--kubeconfig=${pkiPath('namespace-defaults.kubeconfig')}`, `--policy=${defaultDenyPolicy}`, `--exempt=${namespacesWithoutDefaultDeny.join(',')}`],
      }
    case 'ext4-provisioner':
      return {
        bin: join(binDir.ext4Provisioner, 'ext4-provisioner'),
        args: [`--kubeconfig=${pkiPath('ext4-provisioner.kubeconfig')}`, `--disks=${state.disks}`],
      }
    case 'ext4-csi':
      // Under the provisioner's identity, whose ClusterRole (cluster/addons/ext4.yaml) lets it attach.
      return {
        bin: join(binDir.ext4Csi, 'ext4-csi'),
        args: [`--kubeconfig=${pkiPath('ext4-provisioner.kubeconfig')}`, `--sockets=${ext4CsiSockets}`,
          ...nodesOf(shape).map((n) => `--node=${n.name}=${nodeDirs(n).kubelet}`)],
      }
  }
}
