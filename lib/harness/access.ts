// Fail fast, before anything is created: is the server there, and may these
// credentials do what the suite does?
import * as k8s from '@kubernetes/client-node'
import { describeApiError, type Kube, statusCode } from '../k8s/kube.ts'

export async function probeServer(kube: Kube, timeoutMs = 10_000): Promise<string> {
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

// Every verb the suite uses, with why; fixtures/rbac.yaml grants exactly these.
export const requiredPermissions: { verb: string; resource: string; group?: string; subresource?: string; why: string }[] = [
  { verb: 'create', resource: 'namespaces', why: 'each test runs in its own namespace' },
  { verb: 'delete', resource: 'namespaces', why: 'and removes it afterwards' },
  { verb: 'list', resource: 'nodes', why: 'node count decides the multi-node claims' },
  { verb: 'list', resource: 'storageclasses', group: 'storage.k8s.io', why: 'storage classes under test' },
  { verb: 'create', resource: 'pods', why: 'workloads and probe pods' },
  { verb: 'watch', resource: 'pods', why: 'waits and timelines are watches' },
  { verb: 'create', resource: 'pods', subresource: 'exec', why: 'reading /data as the quests do' },
  { verb: 'create', resource: 'pods', subresource: 'portforward', why: 'HTTP to one pod, as in the quests' },
  // A WebSocket exec or port-forward starts with a GET: it needs get as well as create.
  { verb: 'get', resource: 'pods', subresource: 'exec', why: 'exec over WebSocket' },
  { verb: 'get', resource: 'pods', subresource: 'portforward', why: 'port-forward over WebSocket' },
  { verb: 'create', resource: 'persistentvolumeclaims', why: 'storage claims' },
  { verb: 'create', resource: 'statefulsets', group: 'apps', why: 'StatefulSet claims' },
  { verb: 'create', resource: 'deployments', group: 'apps', why: 'Deployment claims' },
  { verb: 'create', resource: 'services', why: 'headless and ClusterIP Services' },
  { verb: 'watch', resource: 'namespaces', why: 'teardown waits until the run\'s namespaces are gone' },
  { verb: 'list', resource: 'csidrivers', group: 'storage.k8s.io', why: 'what the storage classes\' drivers declare' },
  { verb: 'delete', resource: 'pods', why: 'deleting pods to see what comes back' },
  { verb: 'get', resource: 'pods', subresource: 'log', why: 'container logs for the diagnostics of a failed test' },
  { verb: 'delete', resource: 'persistentvolumeclaims', why: 'deleting claims to see what happens to the data' },
  { verb: 'watch', resource: 'persistentvolumes', why: 'waits on the volumes of the suite\'s claims' },
  { verb: 'create', resource: 'persistentvolumes', why: 'a statically provisioned volume (Q1-16)' },
  { verb: 'watch', resource: 'endpointslices', group: 'discovery.k8s.io', why: 'waits for a Service\'s endpoints' },
  { verb: 'list', resource: 'events', why: 'events explain stuck claims and go into diagnostics' },
  { verb: 'create', resource: 'configmaps', why: 'fixtures that carry a script' },
  { verb: 'patch', resource: 'statefulsets', group: 'apps', why: 'image and replica changes' },
  { verb: 'get', resource: 'replicasets', group: 'apps', why: 'which ReplicaSet a pod belongs to' },
  { verb: 'watch', resource: 'replicasets', group: 'apps', why: 'a Deployment\'s ReplicaSets during a rolling update (Q4-03)' },
  { verb: 'get', resource: 'controllerrevisions', group: 'apps', why: 'StatefulSet revisions during updates' },
]

export async function preflightPermissions(kube: Kube): Promise<string[]> {
  const authz = kube.kc.makeApiClient(k8s.AuthorizationV1Api)
  const denied: string[] = []
  await Promise.all(requiredPermissions.map(async (p) => {
    const review = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: p.verb, resource: p.resource, group: p.group ?? '', subresource: p.subresource } } },
    })
    if (!review.status?.allowed) {
      denied.push(`${p.verb} ${p.group ? `${p.group}/` : ''}${p.resource}${p.subresource ? `/${p.subresource}` : ''} (${p.why})`)
    }
  }))
  return denied.sort()
}
