import { describe, expect, test } from 'vitest'
import type { Kube } from './kube.ts'
import { createNamespace, deleteNamespace, isSuiteNamespaceName, namespaceIds, namespaceName } from './namespaces.ts'
import { runLabel } from './suite-labels.ts'

test('names the suite makes look like its own, other names do not (a look, no proof: clean only lists such volumes)', () => {
  expect(isSuiteNamespaceName(namespaceName('Q1-16 a static volume binds [standard]'))).toBe(true)
  expect(isSuiteNamespaceName(namespaceName('SC-05 the reclaim policy is honoured'))).toBe(true)
  expect(isSuiteNamespaceName('default')).toBe(false)
  expect(isSuiteNamespaceName('sc-prod-db')).toBe(false)
  expect(isSuiteNamespaceName('kube-system')).toBe(false)
})

test('a namespace is in its run\'s record before it exists, and carries the run\'s label', async () => {
  const recorded: string[] = []
  const created: { name: string; recordedBefore: boolean; run?: string }[] = []
  const kube = {
    core: {
      createNamespace: async ({ body }: { body: { metadata: { name: string; labels: Record<string, string> } } }) => {
        created.push({ name: body.metadata.name, recordedBefore: recorded.includes(body.metadata.name), run: body.metadata.labels[runLabel] })
        return body
      },
    },
  } as unknown as Kube
  const name = await createNamespace(kube, 'SC-05 the reclaim policy is honoured', { id: 'run-a', recordNamespace: async (n) => { recorded.push(n) } })
  expect(created).toEqual([{ name, recordedBefore: true, run: 'run-a' }])
})

test('SC_NAMESPACE: no namespace is made, recorded or deleted; the given one is used once the run\'s objects there are gone', async () => {
  const recorded: string[] = []
  const calls: string[] = []
  let pods = [{ metadata: { name: 'client', namespace: 'team-a' } }]
  const kube = {
    given: { namespace: 'team-a', runId: 'r1' },
    core: {
      createNamespace: async () => { calls.push('create namespace') },
      deleteNamespace: async () => { calls.push('delete namespace') },
    },
    objects: {
      list: async (_v: string, kind: string) => ({ items: kind === 'Pod' ? pods : [] }),
      delete: async (o: { kind: string; metadata: { name: string } }) => { calls.push(`delete ${o.kind}/${o.metadata.name}`); pods = [] },
    },
  } as unknown as Kube
  // A claim's pod left by the last claim goes first.
  expect(await createNamespace(kube, 'Q0-01 a claim', { id: 'r1', recordNamespace: async (n) => { recorded.push(n) } })).toBe('team-a')
  pods = [{ metadata: { name: 'web-0', namespace: 'team-a' } }]
  await deleteNamespace(kube, 'team-a')
  expect(calls).toEqual(['delete Pod/client', 'delete Pod/web-0'])
  expect(recorded).toEqual([])
})

describe('the ids a namespace\'s pods run with', () => {
  // A cluster whose namespace controller annotates a namespace after `readsBefore` reads; `openshift`: it serves security.openshift.io.
  function fakeCluster(o: { openshift: boolean; readsBefore?: number }) {
    let reads = 0
    const annotations = { 'openshift.io/sa.scc.uid-range': '1000680000/10000', 'openshift.io/sa.scc.supplemental-groups': '1000680000/10000' }
    const kube = {
      kc: { makeApiClient: () => ({ getAPIVersions: async () => ({ groups: o.openshift ? [{ name: 'security.openshift.io' }] : [{ name: 'apps' }] }) }) },
      core: {
        readNamespace: async ({ name }: { name: string }) => {
          reads++
          return { metadata: { name, annotations: o.readsBefore !== undefined && reads > o.readsBefore ? annotations : {} } }
        },
      },
    } as unknown as Kube
    return { kube, reads: () => reads }
  }

  test('on OpenShift, the range its namespace controller assigns a moment after the namespace is made (waited for)', async () => {
    const c = fakeCluster({ openshift: true, readsBefore: 2 })
    expect(await namespaceIds(c.kube, 'sc-q0-01-abcdef', 5_000)).toMatchObject({ uid: 1000680000, gid: 1000680000 })
    expect(c.reads()).toBe(3)
    // Read once per namespace.
    await namespaceIds(c.kube, 'sc-q0-01-abcdef', 5_000)
    expect(c.reads()).toBe(3)
  })

  test('elsewhere, none, at once, without waiting', async () => {
    const c = fakeCluster({ openshift: false })
    const t0 = Date.now()
    expect(await namespaceIds(c.kube, 'sc-q0-01-abcdef', 5_000)).toBeUndefined()
    expect(Date.now() - t0).toBeLessThan(1_000)
    expect(c.reads()).toBe(1)
  })

  test('a cluster that assigns ranges but leaves a namespace without one: an error naming the annotation, not pods refused one by one', async () => {
    const c = fakeCluster({ openshift: true })
    await expect(namespaceIds(c.kube, 'sc-q0-01-abcdef', 600)).rejects.toThrow(/no openshift.io\/sa.scc.uid-range annotation after 0.6s/)
  })
})

test('a deleted namespace\'s pods and claims are asked to go at once, not when the namespace controller reaches them; that is best effort', async () => {
  const calls: string[] = []
  const kube = (listFails: boolean) => ({
    core: {
      deleteNamespace: async ({ name }: { name: string }) => { calls.push(`delete namespace ${name}`) },
      listNamespacedPod: async ({ namespace }: { namespace: string }) => {
        if (listFails) throw new Error('HTTP 403')
        return { items: [{ metadata: { name: 'web-0', namespace } }, { metadata: { name: 'web-1', namespace } }] }
      },
      deleteNamespacedPod: async ({ name }: { name: string }) => {
        calls.push(`delete pod ${name}`)
        if (name === 'web-1') throw new Error('HTTP 404')
      },
      listNamespacedPersistentVolumeClaim: async () => ({ items: [{ metadata: { name: 'data-web-0' } }] }),
      deleteNamespacedPersistentVolumeClaim: async ({ name }: { name: string }) => { calls.push(`delete claim ${name}`) },
    },
  } as unknown as Kube)
  await deleteNamespace(kube(false), 'sc-q1-01-abc123')
  expect(calls).toEqual(['delete namespace sc-q1-01-abc123', 'delete pod web-0', 'delete pod web-1', 'delete claim data-web-0'])
  calls.length = 0
  await expect(deleteNamespace(kube(true), 'sc-q1-01-abc123')).resolves.toBeUndefined()
  expect(calls).toEqual(['delete namespace sc-q1-01-abc123', 'delete claim data-web-0'])
})
