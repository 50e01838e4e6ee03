// What a user limited to one namespace needs for SC_NAMESPACE mode, derived
// from fixtures/rbac.yaml (the one table of what the suite does) rather than
// kept beside it: every namespaced rule, in the given namespace only; of the
// cluster-scoped ones, the reads (nodes, classes, CSI drivers, volumes,
// snapshot classes and contents: claims read the volumes provisioned for their
// own claims); `get` on the namespace itself; and what the sweep between claims
// needs (lib/k8s/given-namespace.ts). No write outside the namespace: a claim
// that needs one is skipped, naming it.
import type { V1ClusterRole, V1PolicyRule, V1Role } from '@kubernetes/client-node'
import { sweptKinds } from '../k8s/given-namespace.ts'
import { loadSuiteRole, type SuitePermission, suitePermissions } from './rbac.ts'

export interface ScopedPermission extends SuitePermission {
  // Asked in this namespace; none: a cluster-scoped resource.
  namespace?: string
  name?: string
}

const clusterScoped = new Set(['namespaces', 'nodes', 'persistentvolumes', 'storageclasses', 'csidrivers', 'volumesnapshotclasses', 'volumesnapshotcontents'])
const reads = new Set(['get', 'list', 'watch'])
// Watching nodes serves only the DR claims' drain, which cordons a node: beyond such a user anyway.
const drainOnly = (p: SuitePermission) => p.resource === 'nodes' && p.verb === 'watch'

const sweepWhy = 'SC_NAMESPACE: what the run made in the namespace is listed and deleted between claims.'

// The sweep's own needs, as fixtures/rbac.yaml would name them.
function sweepPermissions(): SuitePermission[] {
  return sweptKinds.flatMap((k) => {
    const group = k.apiVersion.includes('/') ? k.apiVersion.split('/')[0]! : ''
    return (k.deleted ? ['list', 'delete'] : ['list']).map((verb) => ({ verb, resource: k.plural, ...(group ? { group } : {}), why: sweepWhy }))
  })
}

const key = (p: SuitePermission) => `${p.verb} ${p.group ?? ''}/${p.resource}/${p.subresource ?? ''}`

export function namespacePermissions(namespace: string, all: SuitePermission[] = suitePermissions()): ScopedPermission[] {
  const out: ScopedPermission[] = []
  const seen = new Set<string>()
  const add = (p: ScopedPermission) => { if (!seen.has(key(p))) { seen.add(key(p)); out.push(p) } }
  for (const p of all) {
    if (p.resource === 'namespaces') continue
    if (!clusterScoped.has(p.resource)) add({ ...p, namespace })
    else if (reads.has(p.verb) && !drainOnly(p)) add(p)
  }
  add({ verb: 'get', resource: 'namespaces', namespace, name: namespace, why: 'SC_NAMESPACE: the given namespace is read (that it exists, and its uid range where the cluster assigns one).' })
  // Optional where the suite's only create of the kind is (its allow NetworkPolicy): without it, nothing of the kind is made.
  const creates = (resource: string) => all.filter((p) => p.resource === resource && p.verb === 'create')
  for (const p of sweepPermissions()) {
    const optional = creates(p.resource).length > 0 && creates(p.resource).every((c) => c.optional)
    add({ ...p, namespace, ...(optional ? { optional } : {}) })
  }
  return out
}

// A Role for the namespace and a ClusterRole of reads that grant exactly namespacePermissions():
// what `npm run least-privilege -- --namespace` binds, and what README's "On your cluster" tells a
// namespace's administrator to grant.
export function namespaceRoles(namespace: string, name: string, all: SuitePermission[] = suitePermissions(), labels = loadSuiteRole().metadata?.labels): { role: V1Role; clusterRole: V1ClusterRole } {
  const permissions = namespacePermissions(namespace, all)
  const rules = (ps: ScopedPermission[]): V1PolicyRule[] => {
    const byResource = new Map<string, V1PolicyRule>()
    for (const p of ps) {
      const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource
      const rule = byResource.get(`${p.group ?? ''} ${resource}`) ?? { apiGroups: [p.group ?? ''], resources: [resource], verbs: [] }
      if (!rule.verbs.includes(p.verb)) rule.verbs.push(p.verb)
      if (p.name && p.resource === 'namespaces') rule.resourceNames = [p.name]
      byResource.set(`${p.group ?? ''} ${resource}`, rule)
    }
    return [...byResource.values()]
  }
  return {
    role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace, labels }, rules: rules(permissions.filter((p) => p.namespace)) },
    clusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${name}-reads`, labels }, rules: rules(permissions.filter((p) => !p.namespace)) },
  }
}
