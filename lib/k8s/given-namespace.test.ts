import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { labelForGiven, NamespaceModeLimit, refuseOutsideGiven, refuseUnlessOwn, sweepNamespace } from './given-namespace.ts'

const given = { given: { namespace: 'team-a', runId: 'r1' } }
const runLabels = { 'app.kubernetes.io/managed-by': 'stateful-conformance', 'stateful-conformance/run': 'r1' }

describe('labelForGiven: what the run makes in the given namespace carries its labels', () => {
  test('on the object, its pod template, its claim templates and ephemeral volume templates, without changing the original', () => {
    const sts = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        template: { metadata: { labels: { app: 'web' } }, spec: { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' } }],
      },
    }
    const labelled = labelForGiven(given, 'team-a', sts) as typeof sts & { spec: { template: { spec: { volumes: { ephemeral: { volumeClaimTemplate: { metadata?: unknown } } }[] } } } }
    expect(labelled.metadata.labels).toEqual({ app: 'web', ...runLabels })
    expect(labelled.spec.template.metadata.labels).toEqual({ app: 'web', ...runLabels })
    expect(labelled.spec.volumeClaimTemplates[0]!.metadata).toEqual({ name: 'www', labels: runLabels })
    expect(labelled.spec.template.spec.volumes[0]!.ephemeral.volumeClaimTemplate.metadata).toEqual({ labels: runLabels })
    expect(sts.metadata.labels).toEqual({ app: 'web' })
  })

  test('a pod\'s ephemeral volume templates too', () => {
    const pod = { kind: 'Pod', metadata: { name: 'p' }, spec: { volumes: [{ name: 'e', ephemeral: { volumeClaimTemplate: {} } }] } }
    expect(labelForGiven(given, 'team-a', pod).spec.volumes[0]!.ephemeral.volumeClaimTemplate).toEqual({ metadata: { labels: runLabels } })
  })

  test('without SC_NAMESPACE, or in another namespace, the object is left as it is', () => {
    const pod = { kind: 'Pod', metadata: { name: 'p' } }
    expect(labelForGiven({}, 'team-a', pod)).toBe(pod)
    expect(labelForGiven(given, 'elsewhere', pod)).toBe(pod)
  })

  test('a cluster-scoped object is refused, naming it', () => {
    expect(() => labelForGiven(given, 'team-a', { kind: 'PersistentVolume', metadata: { name: 'pv-1' } }))
      .toThrow(/^create PersistentVolume pv-1: beyond a user of one namespace \(SC_NAMESPACE=team-a/)
    expect(() => labelForGiven({}, undefined, { kind: 'PersistentVolume', metadata: { name: 'pv-1' } })).not.toThrow()
  })
})

describe('refuseUnlessOwn: in the given namespace the suite takes over and deletes only the run\'s own objects', () => {
  const read = (labels?: Record<string, string>) => async () => ({ kind: 'Deployment', metadata: { name: 'web', labels } })
  test('an object of that name without the run\'s label (the team\'s own, another run\'s) is refused, naming it', async () => {
    await expect(refuseUnlessOwn(given, 'team-a', 'apply Deployment team-a/web', read({ app: 'web' })))
      .rejects.toThrow(/^apply Deployment team-a\/web: namespace team-a holds a Deployment web that is not the suite's, which the suite leaves alone \(SC_NAMESPACE\)$/)
    await expect(refuseUnlessOwn(given, 'team-a', 'delete Deployment team-a/web', read(runLabels))).resolves.toBeUndefined()
    await expect(refuseUnlessOwn(given, 'team-a', 'delete Deployment team-a/web', read({ ...runLabels, 'stateful-conformance/run': 'r0' }))).rejects.toThrow(/that is run r0's/)
  })
  test('no such object, another namespace, or no SC_NAMESPACE: nothing to refuse', async () => {
    const gone = async () => { throw Object.assign(new Error('not found'), { code: 404 }) }
    await expect(refuseUnlessOwn(given, 'team-a', 'apply Deployment team-a/web', gone)).resolves.toBeUndefined()
    await expect(refuseUnlessOwn(given, 'elsewhere', 'apply', read())).resolves.toBeUndefined()
    await expect(refuseUnlessOwn({}, 'team-a', 'apply', read())).resolves.toBeUndefined()
  })
})

test('refuseOutsideGiven throws NamespaceModeLimit only in SC_NAMESPACE mode', () => {
  expect(() => refuseOutsideGiven(given, 'cordon node n1')).toThrow(NamespaceModeLimit)
  expect(() => refuseOutsideGiven({}, 'cordon node n1')).not.toThrow()
})

describe('sweepNamespace: between claims, what the run made goes, and the sweep waits until it is gone', () => {
  const obj = (kind: string, name: string): KubernetesObject => ({ kind, metadata: { name, namespace: 'team-a' } })
  // A namespace whose objects go a listing after their deletion (the garbage collector, finalizers).
  function namespace(objects: KubernetesObject[], stuck: string[] = []) {
    let live = [...objects]
    const deleting = new Set<string>()
    const deleted: string[] = []
    return {
      deleted,
      api: {
        list: async ({ kind }: { kind: string }, ns: string, selector: string) => {
          expect([ns, selector]).toEqual(['team-a', 'app.kubernetes.io/managed-by=stateful-conformance,stateful-conformance/run=r1'])
          live = live.filter((o) => !deleting.has(`${o.kind}/${o.metadata?.name}`) || stuck.includes(`${o.kind}/${o.metadata?.name}`))
          // ReplicaSets go with their Deployment.
          if (deleted.some((d) => d.startsWith('Deployment/'))) live = live.filter((o) => o.kind !== 'ReplicaSet')
          return live.filter((o) => o.kind === kind)
        },
        remove: async (o: KubernetesObject) => { deleted.push(`${o.kind}/${o.metadata?.name}`); deleting.add(`${o.kind}/${o.metadata?.name}`) },
      },
    }
  }
  const selector = 'app.kubernetes.io/managed-by=stateful-conformance,stateful-conformance/run=r1'

  test('workloads first, claims last; ReplicaSets are left to the garbage collector; nothing left', async () => {
    const ns = namespace([obj('PersistentVolumeClaim', 'www-web-0'), obj('Pod', 'client'), obj('StatefulSet', 'web'), obj('Deployment', 'podinfo'), obj('ReplicaSet', 'podinfo-1')])
    expect(await sweepNamespace('team-a', selector, 5_000, ns.api)).toEqual([])
    expect(ns.deleted).toEqual(['StatefulSet/web', 'Deployment/podinfo', 'Pod/client', 'PersistentVolumeClaim/www-web-0'])
  })

  test('an empty namespace costs one listing per kind and no deletion', async () => {
    const ns = namespace([])
    expect(await sweepNamespace('team-a', selector, 5_000, ns.api)).toEqual([])
    expect(ns.deleted).toEqual([])
  })

  test('what is still there at the deadline is returned, by kind and name', async () => {
    const ns = namespace([obj('PersistentVolumeClaim', 'data'), obj('Pod', 'client')], ['PersistentVolumeClaim/data'])
    expect(await sweepNamespace('team-a', selector, 1_500, ns.api)).toEqual(['PersistentVolumeClaim/data'])
  })
})
