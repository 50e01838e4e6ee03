import * as k8s from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { requiredPermissions } from './access.ts'
import { grants, loadSuiteRole, permissionLabel, resourcesOf, tokenKubeconfig, withoutResource } from './rbac.ts'

const role = loadSuiteRole()

describe('fixtures/rbac.yaml and the preflight check', () => {
  test('the role grants every permission global setup checks', () => {
    const missing = requiredPermissions.filter((p) => !grants(role.rules ?? [], p)).map(permissionLabel)
    expect(missing, 'checked by lib/preflight.ts but not granted by fixtures/rbac.yaml').toEqual([])
  })

  test('global setup checks at least one verb of every resource the role names, so a missing rule is named', () => {
    const checked = new Set(requiredPermissions.map((p) => `${p.group ?? ''}/${p.resource}${p.subresource ? `/${p.subresource}` : ''}`))
    // A SelfSubjectAccessReview cannot ask about itself; system:basic-user grants it anyway.
    const unchecked = resourcesOf(role.rules ?? []).filter((r) => !checked.has(r) && r !== 'authorization.k8s.io/selfsubjectaccessreviews')
    expect(unchecked, 'in fixtures/rbac.yaml but never checked by lib/preflight.ts requiredPermissions').toEqual([])
  })

  test('no wildcards: every rule names its groups, resources and verbs', () => {
    for (const r of role.rules ?? []) {
      expect([...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs], JSON.stringify(r)).not.toContain('*')
    }
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
