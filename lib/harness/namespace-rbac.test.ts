import { expect, test } from 'vitest'
import { sweptKinds } from '../k8s/given-namespace.ts'
import { namespacePermissions, namespaceRoles } from './namespace-rbac.ts'
import { appliedResources, grants, suitePermissions } from './rbac.ts'

const permissions = namespacePermissions('team-a')
const writes = ['create', 'patch', 'update', 'delete', 'deletecollection']

test('a user of one namespace needs no write outside it: the cluster-scoped permissions are reads, the others are asked in the namespace', () => {
  const clusterWide = permissions.filter((p) => !p.namespace)
  expect(clusterWide.length).toBeGreaterThan(0)
  expect(clusterWide.filter((p) => writes.includes(p.verb))).toEqual([])
  expect(clusterWide.map((p) => p.resource)).not.toContain('namespaces')
  // Every namespaced rule of fixtures/rbac.yaml, in the namespace.
  for (const p of suitePermissions().filter((q) => ['pods', 'persistentvolumeclaims', 'statefulsets', 'services'].includes(q.resource))) {
    expect(permissions).toContainEqual(expect.objectContaining({ verb: p.verb, resource: p.resource, namespace: 'team-a' }))
  }
  expect(permissions).toContainEqual(expect.objectContaining({ verb: 'get', resource: 'namespaces', namespace: 'team-a', name: 'team-a' }))
  // The sweep lists and deletes what fixtures/rbac.yaml only creates (a namespace of its own took them along).
  expect(permissions).toContainEqual(expect.objectContaining({ verb: 'delete', resource: 'configmaps', namespace: 'team-a' }))
  // Optional as the allow policy's create is: an administrator who withholds the one needs not grant the other.
  expect(permissions).toContainEqual(expect.objectContaining({ verb: 'delete', resource: 'networkpolicies', group: 'networking.k8s.io', namespace: 'team-a', optional: true }))
  expect(permissions).toContainEqual(expect.objectContaining({ verb: 'delete', resource: 'pods', namespace: 'team-a' }))
  expect(permissions.find((p) => p.verb === 'delete' && p.resource === 'pods')).not.toHaveProperty('optional')
})

test('every namespaced kind the fixtures apply is one the sweep between claims removes', async () => {
  const clusterScoped = ['PersistentVolume', 'ClusterRole']
  const swept = sweptKinds.filter((k) => k.deleted).map((k) => k.kind)
  for (const r of await appliedResources()) if (!clusterScoped.includes(r.kind)) expect(swept, `${r.kind} (${r.files.join(', ')})`).toContain(r.kind)
})

test('the Role and the read-only ClusterRole grant exactly what the preflight asks, each where it asks it', () => {
  const { role, clusterRole } = namespaceRoles('team-a', 'sc')
  expect(role.metadata).toMatchObject({ name: 'sc', namespace: 'team-a' })
  for (const p of permissions) expect(grants(p.namespace ? role.rules ?? [] : clusterRole.rules ?? [], p), `${p.verb} ${p.resource}`).toBe(true)
  expect(clusterRole.rules?.flatMap((r) => r.verbs).filter((v) => writes.includes(v))).toEqual([])
  expect(role.rules?.find((r) => r.resources?.includes('namespaces'))).toEqual({ apiGroups: [''], resources: ['namespaces'], verbs: ['get'], resourceNames: ['team-a'] })
})
