import * as k8s from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { appliedResources, grants, loadSuiteRole, permissionLabel, resourcesOf, suitePermissions, tokenKubeconfig, withoutResource } from './rbac.ts'

const role = loadSuiteRole()
const checked = suitePermissions()

describe('fixtures/rbac.yaml is the one table the preflight check reads', () => {
  test('global setup checks every verb of every resource the role grants, each with its rule\'s reason', () => {
    const expected = (role.rules ?? []).flatMap((r) => (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((x) => r.verbs.map((v) => `${v} ${g ? `${g}/` : ''}${x}`))))
      .filter((label) => !label.includes('selfsubjectaccessreviews'))
    expect(checked.map(permissionLabel).sort()).toEqual(expected.sort())
    expect(checked.filter((p) => !p.why).map(permissionLabel), 'permissions whose rule has no comment above it').toEqual([])
    expect(checked.filter((p) => !grants(role.rules ?? [], p)).map(permissionLabel)).toEqual([])
  })

  test('server-side apply needs create and patch on every kind the fixtures hold (SC-08\'s VolumeSnapshot too); pods/exec needs get and create', async () => {
    const applied = await appliedResources()
    expect(applied.map((r) => `${r.group ? `${r.group}/` : ''}${r.resource}`)).toEqual(expect.arrayContaining(['pods', 'apps/statefulsets', 'snapshot.storage.k8s.io/volumesnapshots']))
    const missing = applied.flatMap((r) => ['create', 'patch'].map((verb) => ({ verb, resource: r.resource, ...(r.group ? { group: r.group } : {}) })))
      .filter((p) => !grants(role.rules ?? [], p))
      .map((p) => `${permissionLabel(p)} (${applied.find((r) => r.resource === p.resource)?.files[0]})`)
    expect(missing, 'applied by server-side apply, not granted by fixtures/rbac.yaml').toEqual([])
    const labels = new Set(checked.map(permissionLabel))
    expect(labels).toContain('get pods/exec')
    expect(labels).toContain('create pods/exec')
    expect(checked.find((p) => p.resource === 'pods' && p.subresource === 'exec')?.why).toMatch(/^`kubectl exec` as the quests do/)
  })

  test('a rule whose comment begins "Optional:" is not required (create networkpolicies, the suite\'s own allow policy); reading them is', () => {
    const policies = checked.filter((p) => p.resource === 'networkpolicies')
    expect(policies.map((p) => `${permissionLabel(p)}${p.optional ? ' (optional)' : ''}`).sort())
      .toEqual(['create networking.k8s.io/networkpolicies (optional)', 'get networking.k8s.io/networkpolicies', 'list networking.k8s.io/networkpolicies'])
    expect(policies.find((p) => p.optional)?.why).toMatch(/^The suite's own allow policy \(stateful-conformance-allow: DNS, and traffic between the namespace's pods\), added/)
    expect(checked.filter((p) => p.optional).map(permissionLabel)).toEqual(['create networking.k8s.io/networkpolicies'])
  })

  test('no wildcards: every rule names its groups, resources and verbs', () => {
    for (const r of role.rules ?? []) {
      expect([...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs], JSON.stringify(r)).not.toContain('*')
    }
    expect(resourcesOf(role.rules ?? [])).toContain('/pods/exec')
  })
})

describe('rbac helpers', () => {
  test('a subresource is its own permission: pods does not grant pods/exec', () => {
    const rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]
    expect(grants(rules, { verb: 'create', resource: 'pods' })).toBe(true)
    expect(grants(rules, { verb: 'create', resource: 'pods', subresource: 'exec' })).toBe(false)
    expect(grants(rules, { verb: 'create', resource: 'pods', group: 'apps' })).toBe(false)
  })

  test('withoutResource takes out one resource and keeps every other grant', () => {
    const copy = withoutResource(role, 'pods/exec', 'copy')
    expect(copy.metadata?.name).toBe('copy')
    expect(grants(copy.rules ?? [], { verb: 'create', resource: 'pods', subresource: 'exec' })).toBe(false)
    expect(grants(copy.rules ?? [], { verb: 'create', resource: 'pods', subresource: 'portforward' })).toBe(true)
    expect(resourcesOf(copy.rules ?? [])).toEqual(resourcesOf(role.rules ?? []).filter((r) => r !== '/pods/exec'))
    expect(() => withoutResource(role, 'secrets', 'x')).toThrow(/grants nothing on secrets/)
  })

  test('the token kubeconfig loads with one context that sends the token', () => {
    const kc = new k8s.KubeConfig()
    kc.loadFromString(tokenKubeconfig({ name: 'lp', server: 'https://10.0.0.1:6443', certificateAuthorityData: 'Q0E=', token: 'abc' }))
    expect(kc.getCurrentContext()).toBe('lp')
    expect(kc.getCurrentUser()?.token).toBe('abc')
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://10.0.0.1:6443', caData: 'Q0E=' })
  })
})
