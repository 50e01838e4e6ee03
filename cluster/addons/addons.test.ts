import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, test, vi } from 'vitest'
import { parseAllDocuments } from 'yaml'
import type { NodeSpec } from '../base/shape.ts'

// Node names and folders derive from the instance: these tests see the default one, as the YAML files do.
let addons: typeof import('./addons.ts')
let nodesOf: (shape: { nodes: number }) => NodeSpec[]
beforeAll(async () => {
  vi.stubEnv('SC_CLUSTER_NAME', '')
  vi.resetModules()
  addons = await import('./addons.ts')
  nodesOf = (await import('../base/shape.ts')).nodesOf
  vi.unstubAllEnvs()
})

type Obj = { kind?: string; metadata?: { name?: string }; data?: Record<string, string> }
const objectsIn = (file: string): Obj[] => parseAllDocuments(readFileSync(addons.addonFile(file), 'utf8')).map((d) => d.toJS() as Obj).filter(Boolean)
const configMap = (file: string, name: string) => objectsIn(file).find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name)!

describe('the YAML files are what a one-node cluster with the default domain gets', () => {
  test('coredns.yaml\'s Corefile is corefile(\'cluster.local\')', () => {
    expect(configMap('coredns.yaml', 'coredns').data!.Corefile).toBe(addons.corefile('cluster.local'))
  })

  test('storage.yaml\'s local-path configuration is the one-node cluster\'s', () => {
    expect(JSON.parse(configMap('storage.yaml', 'local-path-config').data!['config.json']!)).toEqual(JSON.parse(addons.localPathConfig(nodesOf({ nodes: 1 }))))
  })
})

describe('what the shape changes', () => {
  test('the Corefile serves and leaves uncached the cluster\'s own domain, and answers every other name NXDOMAIN instead of forwarding it', () => {
    const corefile = addons.corefile('example.internal')
    expect(corefile).toMatch(/^example\.internal:53 in-addr\.arpa:53 ip6\.arpa:53 \{/)
    expect(corefile).toContain('kubernetes example.internal in-addr.arpa ip6.arpa {')
    expect(corefile).toContain('disable success example.internal\n       disable denial example.internal')
    expect(corefile).not.toContain('cluster.local')
    expect(corefile).not.toContain('forward')
    expect(corefile).toMatch(/\.:53 \{[^}]*template ANY ANY \{\s*rcode NXDOMAIN/)
  })

  test('shapeCoreDns rewrites the coredns ConfigMap only', () => {
    const shape = addons.shapeCoreDns({ clusterDomain: 'example.internal' } as never)
    const objects = objectsIn('coredns.yaml')
    const shaped = objects.map(shape)
    expect(shaped.find((o) => o.kind === 'ConfigMap')!.data!.Corefile).toBe(addons.corefile('example.internal'))
    expect(shaped.filter((o) => o.kind !== 'ConfigMap')).toEqual(objects.filter((o) => o.kind !== 'ConfigMap'))
    expect(configMap('coredns.yaml', 'coredns').data!.Corefile).toContain('cluster.local') // the file's own object is left as it was
  })

  test('on three nodes, the standard class keeps each node\'s volumes in that node\'s folder; shared-immediate in one folder; the scripts stay', () => {
    const nodes = nodesOf({ nodes: 3 })
    const objects = objectsIn('storage.yaml')
    const shaped = objects.map(addons.shapeStorage({} as never, nodes)) as Obj[]
    const config = shaped.find((o) => o.metadata?.name === 'local-path-config')!
    expect(JSON.parse(config.data!['config.json']!)).toEqual({
      storageClassConfigs: {
        standard: { nodePathMap: nodes.map((n) => ({ node: n.name, paths: [`/var/lib/stateful-conformance/nodes/${n.name}/local-path`] })) },
        'shared-immediate': { sharedFileSystemPath: '/var/lib/stateful-conformance/shared-volumes' },
      },
    })
    const original = configMap('storage.yaml', 'local-path-config')
    expect(Object.keys(config.data!).sort()).toEqual(Object.keys(original.data!).sort())
    expect(config.data!.setup).toBe(original.data!.setup)
    expect(shaped.filter((o) => o !== config)).toEqual(objects.filter((o) => o.metadata?.name !== 'local-path-config'))
  })
})

test('strict.yaml: every admission policy has its binding, denies (not warns), and the requests-and-limits one exempts the cluster\'s own namespaces only', () => {
  const docs = parseAllDocuments(readFileSync(addons.addonFile('strict.yaml'), 'utf8')).map((d) => d.toJS())
  const policies = docs.filter((d) => /AdmissionPolicy$/.test(d.kind)).map((d) => `${d.kind}/${d.metadata.name}`)
  const bindings = docs.filter((d) => /AdmissionPolicyBinding$/.test(d.kind))
  expect(policies).toEqual(['MutatingAdmissionPolicy/strict-namespace-id-ranges', 'ValidatingAdmissionPolicy/strict-pod-ids-in-namespace-range', 'ValidatingAdmissionPolicy/strict-requests-and-limits'])
  expect(bindings.map((b) => `${b.kind.replace('Binding', '')}/${b.spec.policyName}`)).toEqual(policies)
  expect(bindings.filter((b) => b.kind === 'ValidatingAdmissionPolicyBinding').map((b) => b.spec.validationActions)).toEqual([['Deny'], ['Deny']])
  const limits = bindings.find((b) => b.spec.policyName === 'strict-requests-and-limits')
  expect(limits.spec.matchResources.namespaceSelector.matchExpressions[0].values).toEqual(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', 'embedded-cluster-check'])
})

test('the strict shape\'s ext4 class names a 1Gi minimum and zonal disks for its provisioner, with their CSIDriver; other shapes\' class is left as it is, without the CSIDriver', () => {
  const cls = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ext4' }, provisioner: 'stateful-conformance.io/ext4' }
  const strict = { nodes: 5, podSecurity: 'restricted', clusterDomain: 'cluster.local', images: 'upstream', ext4Class: true, strict: true, dualStack: true, kubernetes: 'v1.36.3' } as const
  expect(addons.shapeExt4Class(strict)(cls)).toMatchObject({ parameters: { minimumSize: '1Gi', zonal: 'true' } })
  expect(addons.shapeExt4Class({ ...strict, strict: false })(cls)).toEqual(cls)
  const driver = { kind: 'CSIDriver', metadata: { name: 'ext4.stateful-conformance.io' } }
  expect(addons.shapeExt4Class(strict)(driver)).toEqual(driver)
  expect(addons.shapeExt4Class({ ...strict, strict: false })(driver)).toBeUndefined()
  const role = { kind: 'ClusterRole', metadata: { name: 'r' } }
  expect(addons.shapeExt4Class(strict)(role)).toEqual(role)
})
