// Certificates and kubeconfigs for the embedded cluster, made with openssl.
// EC keys: as good as RSA for a throwaway cluster and generated in milliseconds.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { apiServer, net, state } from '../base/config.ts'
import { $ } from '../base/sh.ts'
import type { NodeSpec, Shape } from '../base/shape.ts'


interface CertSpec {
  name: string
  cn: string
  org?: string
  sans?: string[]
  usage: 'client' | 'server' | 'both'
}

export const clientIdentities = {
  admin: { name: 'admin', cn: 'kubernetes-admin', org: 'system:masters', usage: 'client' },
  controllerManager: { name: 'kube-controller-manager', cn: 'system:kube-controller-manager', usage: 'client' },
  scheduler: { name: 'kube-scheduler', cn: 'system:kube-scheduler', usage: 'client' },
  kubeProxy: { name: 'kube-proxy', cn: 'system:kube-proxy', usage: 'client' },
  // Bound to its ClusterRole in cluster/addons/ext4.yaml.
  ext4Provisioner: { name: 'ext4-provisioner', cn: 'system:ext4-provisioner', usage: 'client' },
  // The strict shape's NetworkPolicy enforcer (one per node) and namespace-defaults, bound in cluster/addons/network-policies.yaml.
  kubeNetworkPolicies: { name: 'kube-network-policies', cn: 'system:kube-network-policies', usage: 'client' },
  namespaceDefaults: { name: 'namespace-defaults', cn: 'system:namespace-defaults', usage: 'client' },
} as const satisfies Record<string, CertSpec>

// Each node's kubelet: a client certificate in its own name (NodeRestriction) and a serving one.
// The first node's keep the names a one-node cluster always had.
export function kubeletIdentity(node: Pick<NodeSpec, 'index' | 'procSuffix'>): { client: string; serving: string } {
  return { client: `kubelet${node.procSuffix}`, serving: `kubelet-serving${node.procSuffix}` }
}

function certsFor(shape: Shape, nodes: NodeSpec[]): CertSpec[] {
  return [
    {
      name: 'apiserver', cn: 'kube-apiserver', usage: 'server',
      sans: [
        `IP:${net.controlPlaneIp}`, `IP:${net.apiServiceIp}`, 'IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc', `DNS:kubernetes.default.svc.${shape.clusterDomain}`,
      ],
    },
    { name: 'apiserver-kubelet-client', cn: 'kube-apiserver-kubelet-client', org: 'system:masters', usage: 'client' },
    ...Object.values(clientIdentities),
    ...nodes.flatMap((node): CertSpec[] => [
      { name: kubeletIdentity(node).client, cn: `system:node:${node.name}`, org: 'system:nodes', usage: 'client' },
      { name: kubeletIdentity(node).serving, cn: node.name, usage: 'server', sans: [`IP:${node.ip}`, `DNS:${node.name}`] },
    ]),
  ]
}

const pkiPath = (file: string) => join(state.pki, file)

async function newKey(path: string): Promise<void> {
  await $`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${path}`
}

async function issue(spec: CertSpec): Promise<void> {
  const key = pkiPath(`${spec.name}.key`)
  const csr = pkiPath(`${spec.name}.csr`)
  const ext = pkiPath(`${spec.name}.ext`)
  await newKey(key)
  const subject = `/CN=${spec.cn}${spec.org ? `/O=${spec.org}` : ''}`
  await $`openssl req -new -key ${key} -subj ${subject} -out ${csr}`
  const eku = { client: 'clientAuth', server: 'serverAuth', both: 'serverAuth,clientAuth' }[spec.usage]
  await writeFile(ext, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${eku}`,
    ...(spec.sans ? [`subjectAltName=${spec.sans.join(',')}`] : []),
  ].join('\n') + '\n')
  // Serials given here: -CAcreateserial races when certificates are issued in parallel.
  await $`openssl x509 -req -in ${csr} -CA ${pkiPath('ca.crt')} -CAkey ${pkiPath('ca.key')} -set_serial ${`0x${randomBytes(16).toString('hex')}`} -days 365 -extfile ${ext} -out ${pkiPath(`${spec.name}.crt`)}`
}

// Makes the CA, every certificate, the service-account key pair and the
// kubeconfigs, unless they are there already (so `up` is idempotent).
export async function ensurePki(shape: Shape, nodes: NodeSpec[]): Promise<void> {
  if (existsSync(pkiPath('done'))) return
  await mkdir(state.pki, { recursive: true })
  await newKey(pkiPath('ca.key'))
  await $`openssl req -x509 -new -key ${pkiPath('ca.key')} -subj /CN=stateful-conformance-ca -days 3650 -addext ${'basicConstraints=critical,CA:TRUE'} -addext ${'keyUsage=critical,keyCertSign,cRLSign'} -out ${pkiPath('ca.crt')}`
  const certs = certsFor(shape, nodes)
  await Promise.all(certs.map(issue))
  await newKey(pkiPath('sa.key'))
  await $`openssl pkey -in ${pkiPath('sa.key')} -pubout -out ${pkiPath('sa.pub')}`
  for (const c of certs.filter((c) => c.usage === 'client' && c.name !== 'apiserver-kubelet-client')) {
    await writeFile(pkiPath(`${c.name}.kubeconfig`), await kubeconfig(c.name))
  }
  await writeFile(pkiPath('done'), '')
}

const b64 = async (file: string) => (await readFile(pkiPath(file))).toString('base64')

// A kubeconfig with the certificates inlined, so that it can be copied anywhere.
export async function kubeconfig(identity: string, server = apiServer): Promise<string> {
  return `apiVersion: v1
kind: Config
clusters:
- name: embedded
  cluster:
    server: ${server}
    certificate-authority-data: ${await b64('ca.crt')}
users:
- name: ${identity}
  user:
    client-certificate-data: ${await b64(`${identity}.crt`)}
    client-key-data: ${await b64(`${identity}.key`)}
contexts:
- name: embedded
  context: { cluster: embedded, user: ${identity} }
current-context: embedded
`
}

export { pkiPath }
