// The add-ons as the shape wants them. The YAML files in cluster/addons are
// what a one-node cluster with the default domain gets (and can be read or
// applied by hand); what depends on the shape is set here.
import type * as k8s from '@kubernetes/client-node'
import { join } from 'node:path'
import { nodeDirs, podSecurityExemptNamespaces } from '../nodes/node-config.ts'
import { state } from '../base/config.ts'
import type { NodeSpec, Shape } from '../base/shape.ts'

type Obj = k8s.KubernetesObject & { data?: Record<string, string>; spec?: unknown }

// kubeadm's Corefile (cmd/kubeadm/app/phases/addons/dns/manifests.go, v1.36):
// answers of the cluster zone carry TTL 30 and are not cached (they change as
// pods come and go), everything else is cached for 30 s. The nodes have no way
// out, so instead of forwarding, names outside the cluster's zones get the answer
// the internet would give for the names the suite asks ("web.default.", "pod.svc."): NXDOMAIN.
export function corefile(domain: string): string {
  return `${domain}:53 in-addr.arpa:53 ip6.arpa:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${domain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    cache 30 {
       disable success ${domain}
       disable denial ${domain}
    }
    loop
    reload
    loadbalance
}
.:53 {
    errors
    prometheus :9153
    template ANY ANY {
       rcode NXDOMAIN
       # The root zone's SOA, as a real resolver's NXDOMAIN carries it: so the cache keeps the denial.
       authority ". 30 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 30"
    }
    cache 30
    reload
}
`
}

export function shapeCoreDns(shape: Shape) {
  return (obj: Obj): Obj => {
    if (obj.kind === 'ConfigMap' && obj.metadata?.name === 'coredns') return { ...obj, data: { Corefile: corefile(shape.clusterDomain) } }
    return obj
  }
}

// local-path-provisioner serves two classes: standard keeps each node's
// volumes in that node's folder (node affinity to it, WaitForFirstConsumer);
// shared-immediate keeps them in one folder every node sees, so its volumes
// need no node affinity and bind at once, on any number of nodes.
export function localPathConfig(nodes: NodeSpec[]): string {
  return JSON.stringify({
    storageClassConfigs: {
      standard: { nodePathMap: nodes.map((n) => ({ node: n.name, paths: [nodeDirs(n).localPath] })) },
      'shared-immediate': { sharedFileSystemPath: state.sharedVolumes },
    },
  })
}

export function shapeStorage(_shape: Shape, nodes: NodeSpec[]) {
  return (obj: Obj): Obj | undefined => {
    if (obj.kind === 'ConfigMap' && obj.metadata?.name === 'local-path-config') return { ...obj, data: { ...obj.data, 'config.json': localPathConfig(nodes) } }
    return obj
  }
}

// The strict shape's ext4 class has a minimum size, as some cloud disk types do (GKE hyperdisk 4 GiB):
// the provisioner refuses a smaller claim, naming the minimum, and does not round up. Its disks are
// zonal, as a multi-zone cloud's are: bound to the zone of the node first chosen, attached to one
// node at a time through the CSIDriver of ext4-csi, which only that shape gets.
export const strictMinimumSize = '1Gi'
export function shapeExt4Class(shape: Shape) {
  return (obj: Obj): Obj | undefined => {
    if (obj.kind === 'CSIDriver') return shape.strict ? obj : undefined
    if (!shape.strict || obj.kind !== 'StorageClass') return obj
    const o = obj as Obj & { parameters?: Record<string, string> }
    return { ...o, parameters: { ...o.parameters, minimumSize: strictMinimumSize, zonal: 'true' } } as Obj
  }
}

export const systemNamespaces = podSecurityExemptNamespaces

// An add-on's manifest, one of the YAML files beside this module.
export const addonFile = (name: string) => join(import.meta.dirname, name)
