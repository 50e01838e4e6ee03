import type { V1NetworkPolicy } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { policyVerdict } from '../resources/network-policies.ts'
import { suitePodShapes } from './admission.ts'
import { checkNetworkPolicies, holdUntilSettled, planFor, suiteNeeds } from './network-preflight.ts'

const ns = 'sc-network-policy-check-abc123'
const policy = (name: string, spec: V1NetworkPolicy['spec'], namespace = ns): V1NetworkPolicy => ({ metadata: { name, namespace }, spec })
const defaultDeny = policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })
const denyEgress = policy('deny-egress', { podSelector: {}, policyTypes: ['Egress'] })
const shapes = await suitePodShapes('docker.io/library/busybox:1.35.0')
const needed = suiteNeeds(ns, shapes)

describe('what the suite\'s pods need of their namespace\'s NetworkPolicies', () => {
  test('the client pod\'s DNS lookups, and its requests to every container port of the fixtures, both ways', () => {
    expect(needed[0]!.what).toMatch(/DNS lookups/)
    const ports = needed.filter((n) => n.connection.direction === 'Ingress').map((n) => `${n.connection.port}/${n.connection.portName}`)
    expect(new Set(ports)).toEqual(new Set(['8080/http', '9898/http', '9000/http']))
    expect(needed.filter((n) => n.connection.direction === 'Egress')).toHaveLength(ports.length + 1)
  })
})

// Issue 24, path 4: a default-deny in every new namespace made every DNS and HTTP claim fail.
describe('planFor: the allow policy each claim\'s namespace gets', () => {
  test('no policy in a new namespace: none, and the line says what was not read', () => {
    expect(planFor([], needed, { settledMs: 5000 })).toEqual({ allow: [], line: 'a new namespace gets no NetworkPolicy (read 5s after it was made; cluster-wide policies such as AdminNetworkPolicy are not read)' })
  })

  test('a default-deny of both directions: the allow policy opens both, and the line names the policy', () => {
    const plan = planFor([defaultDeny], needed, { settledMs: 5000 })
    expect(plan.allow).toEqual(['Ingress', 'Egress'])
    expect(plan.line).toMatch(/^a new namespace gets NetworkPolicy default-deny \(read 5s .*\), which denies, or may deny, (\d+) of the \1 connections the suite's pods need \(its DNS lookups \(UDP 53 to the cluster DNS\) among them\)/)
    expect(plan.line).toMatch(/each claim's namespace gets the suite's own NetworkPolicy stateful-conformance-allow \(Ingress and Egress: DNS/)
  })

  test('SC_NAMESPACE: the given namespace\'s own policies, read at once; the allow policy is added and removed with each claim', () => {
    expect(planFor([], needed, { settledMs: 5000, given: 'team-a' }).line).toBe('namespace team-a has no NetworkPolicy (SC_NAMESPACE; cluster-wide policies such as AdminNetworkPolicy are not read)')
    expect(planFor([defaultDeny], needed, { settledMs: 5000, given: 'team-a' }).line).toMatch(/^namespace team-a has NetworkPolicy default-deny .*: each claim adds the suite's own NetworkPolicy stateful-conformance-allow \(Ingress and Egress: DNS, and traffic between the run's pods, by their labels\), removed after it$/)
  })

  test('a deny of egress only: the allow policy takes Egress only, leaving ingress unisolated', () => {
    expect(planFor([denyEgress], needed, { settledMs: 5000 }).allow).toEqual(['Egress'])
  })

  test('policies that allow all the suite needs: no allow policy', () => {
    const allowAll = policy('allow-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] })
    expect(planFor([defaultDeny, allowAll], needed, { settledMs: 5000 })).toMatchObject({ allow: [], line: expect.stringMatching(/^a new namespace gets NetworkPolicies default-deny, allow-all \(read .*\): they allow what the suite's pods need$/) })
  })

  test('where the suite may not add its allow policy: none, and the line says such claims will be broken, naming the policy', () => {
    const plan = planFor([defaultDeny], needed, { settledMs: 5000, refused: 'HTTP 403: forbidden' })
    expect(plan.allow).toEqual([])
    expect(plan.line).toMatch(/may not add its own allow policy \(HTTP 403: forbidden\), so claims that resolve names or send HTTP between pods will be broken \(they cannot look\), naming the policy/)
  })
})

describe('checkNetworkPolicies, against a cluster that puts a default-deny into every new namespace', () => {
  function fakeCluster(o: { refuse?: boolean } = {}) {
    const created: Array<{ body: V1NetworkPolicy; dryRun?: string }> = []
    const deleted: string[] = []
    const networking = {
      listNamespacedNetworkPolicy: async ({ namespace }: { namespace: string }) => ({ items: [policy('default-deny', defaultDeny.spec, namespace)] }),
      createNamespacedNetworkPolicy: async (r: { namespace: string; body: V1NetworkPolicy; dryRun?: string }) => {
        if (o.refuse) throw Object.assign(new Error('forbidden'), { code: 403, body: { message: 'networkpolicies.networking.k8s.io is forbidden: User "ci" cannot create resource' } })
        created.push(r)
        return r.body
      },
    }
    const kube = {
      core: {
        createNamespace: async ({ body }: { body: unknown }) => body,
        deleteNamespace: async ({ name }: { name: string }) => { deleted.push(name) },
      },
      kc: { makeApiClient: () => networking },
    } as unknown as Kube
    const run = { id: 'run1', recordNamespace: async () => undefined }
    return { kube, run, created, deleted }
  }

  test('it reads the policies in a namespace of the run, dry-runs the allow policy there, and removes the namespace', async () => {
    const c = fakeCluster()
    const plan = await checkNetworkPolicies(c.kube, c.run, shapes, () => 0)
    expect(plan.allow).toEqual(['Ingress', 'Egress'])
    expect(c.created).toHaveLength(1)
    expect(c.created[0]).toMatchObject({ dryRun: 'All', body: { metadata: { name: 'stateful-conformance-allow' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } } })
    // The policy it would add lets every need through, beside the default-deny.
    const ns2 = c.created[0]!.body.metadata!.namespace!
    const withAllow = [policy('default-deny', defaultDeny.spec, ns2), c.created[0]!.body]
    expect(suiteNeeds(ns2, shapes).map((n) => policyVerdict(withAllow, n.connection).status).filter((s) => s !== 'allowed')).toEqual([])
    expect(c.deleted).toEqual([ns2])
  })

  test('it holds for the moment under the scale as it is when the hold ends, not as it was when the namespace was made', async () => {
    const c = fakeCluster()
    let settle = 10_000 // under the provisional scale
    setTimeout(() => { settle = 50 }, 30) // the scale measured meanwhile
    const t0 = performance.now()
    const plan = await checkNetworkPolicies(c.kube, c.run, shapes, () => settle)
    expect(performance.now() - t0).toBeLessThan(5_000)
    expect(plan.line).toMatch(/^a new namespace gets NetworkPolicy default-deny \(read 0\.05s after it was made;/)
  })

  test('refused (RBAC, or a policy engine): no allow policy, the refusal in the line, the namespace removed all the same', async () => {
    const c = fakeCluster({ refuse: true })
    const plan = await checkNetworkPolicies(c.kube, c.run, shapes, () => 0)
    expect(plan.allow).toEqual([])
    expect(plan.line).toMatch(/may not add its own allow policy \(create NetworkPolicy sc-network-policy-check-[0-9a-f]{6}\/stateful-conformance-allow \(dry run\): HTTP 403: networkpolicies.networking.k8s.io is forbidden/)
    expect(c.deleted).toHaveLength(1)
  })
})

describe('holdUntilSettled: the moment after the namespace is made follows the scale as global setup chooses it', () => {
  test('a scale chosen lower while it waits ends the hold sooner than the provisional one would', async () => {
    const t0 = performance.now()
    let settle = 1_000 // policiesGenerated under the provisional scale
    setTimeout(() => { settle = 50 }, 30) // the pace measured: an ordinary cluster
    await expect(holdUntilSettled(t0, () => settle)).resolves.toBe(50)
    expect(performance.now() - t0).toBeLessThan(900)
  })
  test('a scale chosen higher while it waits holds it longer', async () => {
    const t0 = performance.now()
    let settle = 60
    setTimeout(() => { settle = 200 }, 20)
    await expect(holdUntilSettled(t0, () => settle)).resolves.toBe(200)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195)
  })
})
