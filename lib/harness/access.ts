// Fail fast, before anything is created: is the server there, and may these
// credentials do what the suite does?
import * as k8s from '@kubernetes/client-node'
import { describeApiError, type Kube, statusCode } from '../k8s/kube.ts'
import { timeout } from '../k8s/timeouts.ts'
import { namespacePermissions, type ScopedPermission } from './namespace-rbac.ts'
import { permissionLabel, suitePermissions } from './rbac.ts'

const requiredPermissions = (kube: Kube): ScopedPermission[] =>
  (kube.given ? namespacePermissions(kube.given.namespace) : suitePermissions()).filter((p) => !p.optional)

export async function probeServer(kube: Kube, timeoutMs = timeout('versionCheck')): Promise<string> {
  const versionApi = kube.kc.makeApiClient(k8s.VersionApi)
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs)
  })
  try {
    const v = await Promise.race([versionApi.getCode(), deadline])
    return v.gitVersion
  } catch (err) {
    const code = statusCode(err)
    if (code === 401) throw new Error('the server rejected the credentials (HTTP 401 Unauthorized)')
    if (code === 403) throw new Error('the server forbids these credentials even GET /version (HTTP 403)')
    throw new Error(`unreachable: ${rootCause(err)}`)
  } finally {
    clearTimeout(timer)
  }
}

// "fetch failed" says nothing; the innermost cause (ECONNREFUSED, a TLS error…) does.
export function rootCause(err: unknown): string {
  let e = err as { cause?: unknown; code?: unknown; message?: string } | undefined
  const seen: string[] = []
  while (e) {
    if (e.message && !/^fetch failed$/.test(e.message)) seen.push(typeof e.code === 'string' && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message)
    e = e.cause as typeof e
  }
  return seen.at(-1) ?? describeApiError(err)
}

// Every permission fixtures/rbac.yaml requires (all but its "Optional:" rules),
// each asked of the API server (SelfSubjectAccessReview): the role file is the
// one table of what the suite does, so the check cannot drift from it. Denied
// ones come back with the reason their rule's comment gives. In SC_NAMESPACE
// mode, what a user of that namespace needs (namespace-rbac.ts).
export async function preflightPermissions(kube: Kube, permissions: ScopedPermission[] = requiredPermissions(kube)): Promise<string[]> {
  const authz = kube.kc.makeApiClient(k8s.AuthorizationV1Api)
  const denied: string[] = []
  await Promise.all(permissions.map(async (p) => {
    const review = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: p.verb, resource: p.resource, group: p.group ?? '', subresource: p.subresource, namespace: p.namespace, name: p.name } } },
    })
    if (!review.status?.allowed) denied.push(`${permissionLabel(p)}${p.namespace ? ` in namespace ${p.namespace}` : ''}${p.why ? ` (${p.why})` : ''}`)
  }))
  return denied.sort()
}
