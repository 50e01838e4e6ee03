// fixtures/rbac.yaml as data: what the suite's ClusterRole grants, a copy
// with one permission taken out (to prove the preflight names it), and a
// kubeconfig that logs in with a ServiceAccount token.
import type { V1ClusterRole, V1PolicyRule } from '@kubernetes/client-node'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, isSeq, parse, parseDocument, stringify } from 'yaml'
import { fixtureFiles, fixturesDir, loadManifest } from '../k8s/manifests.ts'

export interface Permission {
  verb: string
  resource: string
  group?: string
  subresource?: string
}

export const rbacFile = join(fixturesDir, 'rbac.yaml')

export function loadSuiteRole(file = rbacFile): V1ClusterRole {
  const role = parse(readFileSync(file, 'utf8')) as V1ClusterRole
  if (role?.kind !== 'ClusterRole') throw new Error(`${file}: expected one ClusterRole, found ${role?.kind ?? 'nothing'}`)
  return role
}

export interface SuitePermission extends Permission {
  // The first sentence of the comment above its rule in fixtures/rbac.yaml.
  why?: string
  // The comment begins "Optional:": the suite runs without it (its comment says what goes).
  optional?: boolean
}

// Every verb on every resource the role file grants, with its rule's reason
// (a rule without a comment shares the one above it). A subresource such as
// "pods/exec" becomes resource pods, subresource exec, as the authorizer sees it.
export function suitePermissions(file = rbacFile): SuitePermission[] {
  const doc = parseDocument(readFileSync(file, 'utf8'))
  const rules = doc.get('rules')
  if (!isSeq(rules)) throw new Error(`${file}: no rules`)
  const out: SuitePermission[] = []
  let why: string | undefined
  let optional = false
  for (const [i, item] of rules.items.entries()) {
    if (!isMap(item)) continue
    // The first rule's comment is kept on the sequence itself.
    let comment = (item.commentBefore ?? (i === 0 ? rules.commentBefore : undefined))?.replace(/\s+/g, ' ').trim()
    if (comment) {
      optional = /^Optional:\s*/.test(comment)
      comment = comment.replace(/^Optional:\s*/, '')
      why = /^(.*?\.)(\s|$)/.exec(comment)?.[1] ?? comment
    }
    const rule = item.toJSON() as V1PolicyRule
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const [name, subresource] = resource.split('/')
        // A SelfSubjectAccessReview cannot ask about itself (system:basic-user grants it anyway).
        if (group === 'authorization.k8s.io') continue
        for (const verb of rule.verbs) out.push({ verb, resource: name!, ...(group ? { group } : {}), ...(subresource ? { subresource } : {}), ...(why ? { why } : {}), ...(optional ? { optional } : {}) })
      }
    }
  }
  return out
}

export const permissionLabel = (p: Permission) =>
  `${p.verb} ${p.group ? `${p.group}/` : ''}${p.resource}${p.subresource ? `/${p.subresource}` : ''}`

// As the RBAC authorizer matches a request: group, resource (with its
// subresource, "pods/exec"), verb; "*" matches anything.
export function grants(rules: V1PolicyRule[], p: Permission): boolean {
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource
  return rules.some((r) =>
    (r.apiGroups ?? []).some((g) => g === '*' || g === (p.group ?? '')) &&
    (r.resources ?? []).some((x) => x === '*' || x === resource) &&
    r.verbs.some((v) => v === '*' || v === p.verb))
}

// "group/resource" of every resource a role names, e.g. "apps/statefulsets", "/pods/exec".
export function resourcesOf(rules: V1PolicyRule[]): string[] {
  return [...new Set(rules.flatMap((r) => (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).map((x) => `${g}/${x}`))))].sort()
}

// A copy of the role named `name` without `resource` (e.g. "pods/exec") in any rule; rules left empty go.
export function withoutResource(role: V1ClusterRole, resource: string, name: string): V1ClusterRole {
  const rules = (role.rules ?? [])
    .map((r) => ({ ...r, resources: (r.resources ?? []).filter((x) => x !== resource) }))
    .filter((r) => r.resources.length > 0)
  if (rules.length === role.rules?.length && rules.every((r, i) => r.resources.length === role.rules![i]!.resources?.length)) {
    throw new Error(`the role grants nothing on ${resource}`)
  }
  return { apiVersion: role.apiVersion, kind: role.kind, metadata: { name, labels: role.metadata?.labels }, rules }
}

// A kubeconfig with one context that authenticates with a bearer token.
export function tokenKubeconfig(o: { name: string; server: string; certificateAuthorityData: string; token: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: o.name, cluster: { server: o.server, 'certificate-authority-data': o.certificateAuthorityData } }],
    users: [{ name: o.name, user: { token: o.token } }],
    contexts: [{ name: o.name, context: { cluster: o.name, user: o.name } }],
    'current-context': o.name,
  })
}

// Every kind the suite applies with server-side apply: each object of every
// fixture (all go through applyFixture/applyObjects, lib/k8s/manifests.ts),
// as group and resource ("snapshot.storage.k8s.io", "volumesnapshots").
// Server-side apply is a PATCH that creates what is missing: it needs both verbs.
export async function appliedResources(): Promise<{ kind: string; group: string; resource: string; files: string[] }[]> {
  const byKind = new Map<string, { kind: string; group: string; resource: string; files: string[] }>()
  for (const file of await fixtureFiles()) {
    for (const o of await loadManifest(file, { storageClass: null })) {
      const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : ''
      const key = `${group}/${o.kind}`
      // Every kind the fixtures hold is a regular plural: lower case plus "s".
      const entry = byKind.get(key) ?? { kind: o.kind ?? '', group, resource: `${(o.kind ?? '').toLowerCase()}s`, files: [] }
      entry.files.push(file)
      byKind.set(key, entry)
    }
  }
  return [...byKind.values()].sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`))
}
