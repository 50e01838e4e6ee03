// npm run least-privilege [-- all | specs/<file>.spec.ts …]
//
// Proves, on the embedded cluster, that the suite runs with no more than
// fixtures/rbac.yaml grants, and that a missing permission is named:
//   1. a ServiceAccount bound to a copy of the suite's ClusterRole, a token for
//      it (TokenRequest API) and a kubeconfig with that token under .cluster/;
//   2. the specs run with that kubeconfig (default: smoke and quest 000;
//      `all`: every spec file) — they must pass;
//   3. the same ServiceAccount bound instead to a copy without pods/exec: the
//      run must stop in global setup with the one line naming "create pods/exec";
//   4. everything made here is removed (bindings, roles, namespace with the
//      ServiceAccount, kubeconfig), whatever happened.
// SC_STORAGE_CLASSES (default all) and SC_REPORTS_DIR (default
// reports/least-privilege) pass through to the runs.
//
// npm run least-privilege -- --namespace [all | specs/<file>.spec.ts …]
//   does the same for a user of one namespace (SC_NAMESPACE): a namespace made
//   here as its administrator would, the ServiceAccount in it bound to the Role
//   and read-only ClusterRole that lib/harness/namespace-rbac.ts derives from
//   fixtures/rbac.yaml; the specs run in that namespace and must pass (claims
//   that need more are skipped, naming it); afterwards the namespace must still
//   be there and hold nothing of the suite's.
import * as k8s from '@kubernetes/client-node'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { paths, repoRoot } from '../cluster/base/config.ts'
import { connect, describeApiError, isNotFound, type Kube } from '../lib/k8s/kube.ts'
import { probeServer } from '../lib/harness/access.ts'
import { grants, loadSuiteRole, type Permission, permissionLabel, tokenKubeconfig, withoutResource } from '../lib/harness/rbac.ts'
import { namespaceRoles } from '../lib/harness/namespace-rbac.ts'
import { describeObjects, givenObjects, listLabelled } from '../lib/k8s/given-namespace.ts'
import { suiteSelector } from '../lib/k8s/suite-labels.ts'

const defaultSpecs = ['specs/smoke.spec.ts', 'specs/000-podinfo-deployment-vs-statefulset.spec.ts']
const withheld: Permission = { verb: 'create', resource: 'pods', subresource: 'exec' }

const say = (line: string) => console.log(`least-privilege: ${line}`)

function specArgs(argv: string[]): string[] {
  argv = argv.filter((a) => a !== '--namespace')
  if (argv.includes('all')) return [] // the whole specs project
  return argv.length ? argv : defaultSpecs
}

// Runs vitest on the specs with the token kubeconfig; echoes and returns its output.
// The context is named (SC_CONTEXT): a token kubeconfig's server is not one the suite knows as local,
// and naming the context is how a user confirms the cluster to test.
function runSuite(kubeconfig: string, context: string, specs: string[], givenNamespace?: string): Promise<{ code: number; output: string; ms: number }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, KUBECONFIG: kubeconfig, SC_CLUSTER: 'current', SC_CONTEXT: context, ...(givenNamespace ? { SC_NAMESPACE: givenNamespace } : {}),
    SC_STORAGE_CLASSES: process.env.SC_STORAGE_CLASSES ?? 'all',
    SC_REPORTS_DIR: process.env.SC_REPORTS_DIR ?? 'reports/least-privilege',
  }
  const args = ['vitest', 'run', '--project', 'specs', ...specs]
  say(`KUBECONFIG=${kubeconfig} SC_CONTEXT=${context} SC_CLUSTER=current${givenNamespace ? ` SC_NAMESPACE=${givenNamespace}` : ''} npx ${args.join(' ')}`)
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (b: Buffer) => { output += b; process.stdout.write(b) })
    child.stderr.on('data', (b: Buffer) => { output += b; process.stderr.write(b) })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, output, ms: Date.now() - started }))
  })
}

// RBAC changes reach the authorizer through its informers, a moment after the
// API call: ask as the ServiceAccount until the answer is the one expected
// (a deadline-bounded poll: there is nothing to watch for an authorizer's view).
async function untilAllowed(asSa: Kube, p: Permission & { namespace?: string }, allowed: boolean, timeoutMs = 30_000): Promise<void> {
  const authz = asSa.kc.makeApiClient(k8s.AuthorizationV1Api)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const review = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: p.verb, resource: p.resource, group: p.group ?? '', subresource: p.subresource, namespace: p.namespace } } },
    })
    if (!!review.status?.allowed === allowed) return
    if (Date.now() > deadline) throw new Error(`the ServiceAccount still ${allowed ? 'may not' : 'may'} ${permissionLabel(p)} after ${timeoutMs / 1000}s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

interface Session {
  admin: Kube
  rbac: k8s.RbacAuthorizationV1Api
  id: string
  labels: Record<string, string>
  made: (what: string, fn: () => Promise<unknown>) => void
  interrupted: () => boolean
}

// A token for the ServiceAccount and a kubeconfig that logs in with it; returns the kubeconfig, its context and a client.
async function loginAs(s: Session, namespace: string, sa: string): Promise<{ kubeconfig: string; context: string; asSa: Kube }> {
  const token = await s.admin.core.createNamespacedServiceAccountToken({
    name: sa, namespace, body: { spec: { audiences: [], expirationSeconds: 4 * 3600 } },
  })
  const cluster = s.admin.kc.getCurrentCluster()
  const context = `least-privilege-${s.id}`
  const kubeconfig = join(paths.local, `least-privilege-${s.id}.kubeconfig`)
  await writeFile(kubeconfig, tokenKubeconfig({
    name: context, server: s.admin.server, certificateAuthorityData: cluster?.caData ?? '', token: token.status?.token ?? '',
  }), { mode: 0o600 })
  s.made(`kubeconfig ${kubeconfig}`, () => rm(kubeconfig, { force: true }))
  return { kubeconfig, context, asSa: connect(kubeconfig, undefined) }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const specs = specArgs(argv)
  const admin = connect(paths.kubeconfig, undefined)
  await probeServer(admin).catch((err: Error) => {
    throw new Error(`the embedded cluster does not answer at ${admin.server} (${err.message}); start it with npm run cluster:up`)
  })
  const id = randomBytes(3).toString('hex')
  const undo: { what: string; fn: () => Promise<unknown> }[] = []
  let interrupted = false
  process.on('SIGINT', () => { interrupted = true }) // vitest gets it too; clean up after it stops
  const session: Session = {
    admin, rbac: admin.kc.makeApiClient(k8s.RbacAuthorizationV1Api), id,
    labels: { 'app.kubernetes.io/name': 'stateful-conformance', 'stateful-conformance/least-privilege': id },
    made: (what, fn) => undo.push({ what, fn }), interrupted: () => interrupted,
  }
  try {
    if (argv.includes('--namespace')) await asNamespaceUser(session, specs)
    else await asClusterUser(session, specs)
  } finally {
    for (const u of undo.reverse()) {
      await u.fn().then(() => say(`removed ${u.what}`), (err: unknown) => {
        if (!isNotFound(err)) { console.error(`least-privilege: could not remove ${u.what}: ${describeApiError(err)}`); process.exitCode = 1 }
      })
    }
  }
}

async function asClusterUser(s: Session, specs: string[]): Promise<void> {
  const { admin, rbac, id, labels, made } = s
  const namespace = `sc-least-privilege-${id}`
  const sa = 'suite'
  const role = loadSuiteRole()
  const roleName = `stateful-conformance-lp-${id}`
  const reducedName = `${roleName}-without-${withheld.resource}-${withheld.subresource}`
  const bind = async (name: string, clusterRole: string) => {
    await rbac.createClusterRoleBinding({ body: {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    } })
    made(`ClusterRoleBinding ${name}`, () => rbac.deleteClusterRoleBinding({ name }))
  }
  say(`ServiceAccount ${namespace}/${sa} bound to ClusterRole ${roleName} (a copy of fixtures/rbac.yaml)`)
  await admin.core.createNamespace({ body: { metadata: { name: namespace, labels } } })
  made(`namespace ${namespace} (with the ServiceAccount)`, () => admin.core.deleteNamespace({ name: namespace }))
  await admin.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: sa, labels } } })
  await rbac.createClusterRole({ body: { ...role, metadata: { name: roleName, labels } } })
  made(`ClusterRole ${roleName}`, () => rbac.deleteClusterRole({ name: roleName }))
  await bind(roleName, roleName)
  const { kubeconfig, context, asSa } = await loginAs(s, namespace, sa)
  await untilAllowed(asSa, withheld, true)

  say(`1/2: the specs under fixtures/rbac.yaml (${specs.length ? specs.join(', ') : 'every spec file'})`)
  const ok = await runSuite(kubeconfig, context, specs)
  if (s.interrupted()) throw new Error('interrupted')
  if (ok.code !== 0) throw new Error(`the specs failed under the suite's ClusterRole (exit ${ok.code}); see above`)
  say(`1/2 passed in ${(ok.ms / 1000).toFixed(0)}s: the suite runs with what fixtures/rbac.yaml grants`)

  const reduced = withoutResource(role, `${withheld.resource}/${withheld.subresource}`, reducedName)
  if (grants(reduced.rules ?? [], withheld)) throw new Error(`${reducedName} still grants ${permissionLabel(withheld)}`)
  say(`2/2: the same ServiceAccount bound to ${reducedName} instead: global setup must name "${permissionLabel(withheld)}"`)
  await rbac.createClusterRole({ body: { ...reduced, metadata: { name: reducedName, labels } } })
  made(`ClusterRole ${reducedName}`, () => rbac.deleteClusterRole({ name: reducedName }))
  await rbac.deleteClusterRoleBinding({ name: roleName })
  await bind(reducedName, reducedName)
  await untilAllowed(asSa, withheld, false)
  const denied = await runSuite(kubeconfig, context, [defaultSpecs[0]!])
  if (s.interrupted()) throw new Error('interrupted')
  const line = denied.output.split('\n').find((l) => l.includes('stateful-conformance: the credentials of context'))
  const problems = [
    denied.code === 0 ? 'the run passed' : '',
    !line ? 'no line "stateful-conformance: the credentials of context … may not …"' : '',
    line && !line.includes(`may not ${permissionLabel(withheld)} (`) ? `the line does not name "${permissionLabel(withheld)}": ${line.trim()}` : '',
    denied.ms > 60_000 ? `it took ${(denied.ms / 1000).toFixed(0)}s, not a fast failure` : '',
  ].filter(Boolean)
  if (problems.length) throw new Error(`without ${permissionLabel(withheld)}: ${problems.join('; ')}`)
  say(`2/2 passed: the run stopped in global setup after ${(denied.ms / 1000).toFixed(1)}s with:\n    ${line!.trim()}`)
  say('done: the suite needs no more than fixtures/rbac.yaml, and a missing permission is named')
}

// A user of one namespace: the Role and read-only ClusterRole namespace-rbac.ts derives, bound as a
// namespace's administrator would; the run in SC_NAMESPACE mode must pass and leave nothing of its own.
async function asNamespaceUser(s: Session, specs: string[]): Promise<void> {
  const { admin, rbac, id, labels, made } = s
  const namespace = `team-${id}`
  const sa = 'tester'
  const name = `stateful-conformance-ns-${id}`
  const { role, clusterRole } = namespaceRoles(namespace, name)
  const subjects = [{ kind: 'ServiceAccount', name: sa, namespace }]
  say(`ServiceAccount ${namespace}/${sa}, bound in its namespace to Role ${name} and cluster-wide to the read-only ClusterRole ${clusterRole.metadata?.name} (lib/harness/namespace-rbac.ts)`)
  await admin.core.createNamespace({ body: { metadata: { name: namespace, labels } } })
  made(`namespace ${namespace} (with the ServiceAccount and its Role)`, () => admin.core.deleteNamespace({ name: namespace }))
  await admin.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: sa, labels } } })
  await rbac.createNamespacedRole({ namespace, body: role })
  await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects } })
  await rbac.createClusterRole({ body: clusterRole })
  made(`ClusterRole ${clusterRole.metadata?.name}`, () => rbac.deleteClusterRole({ name: clusterRole.metadata!.name! }))
  await rbac.createClusterRoleBinding({ body: { metadata: { name, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata!.name! }, subjects } })
  made(`ClusterRoleBinding ${name}`, () => rbac.deleteClusterRoleBinding({ name }))
  const { kubeconfig, context, asSa } = await loginAs(s, namespace, sa)
  await untilAllowed(asSa, { verb: 'create', resource: 'pods', subresource: 'exec', namespace }, true)
  await untilAllowed(asSa, { verb: 'create', resource: 'namespaces' }, false)

  say(`the specs in namespace ${namespace} as its user (${specs.length ? specs.join(', ') : 'every spec file'})`)
  const ok = await runSuite(kubeconfig, context, specs, namespace)
  if (s.interrupted()) throw new Error('interrupted')
  if (ok.code !== 0) throw new Error(`the specs failed as a user of namespace ${namespace} (exit ${ok.code}); see above`)
  const api = givenObjects(admin)
  const left = (await listLabelled(api, namespace, suiteSelector()))
  const still = await admin.core.readNamespace({ name: namespace }).then((n) => !n.metadata?.deletionTimestamp, () => false)
  if (left.length || !still) throw new Error(`after the run: ${[left.length ? `namespace ${namespace} still holds ${describeObjects(left)}` : '', !still ? `namespace ${namespace} is gone or going: the suite must not delete a namespace it was given` : ''].filter(Boolean).join('; ')}`)
  say(`passed in ${(ok.ms / 1000).toFixed(0)}s: the suite runs as a user of one namespace, and leaves that namespace as it found it`)
}

main().catch((err: Error) => {
  console.error(`least-privilege: FAILED: ${err.message}`)
  process.exitCode = 1
})
