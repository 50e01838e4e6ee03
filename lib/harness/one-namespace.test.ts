import { expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { besideIt, checkGivenNamespace } from './one-namespace.ts'

type Meta = { metadata: { name: string; labels?: Record<string, string> } }
const cluster = (namespace: { metadata: Record<string, unknown> } | undefined, pods: Meta[] = [], labelled: (Meta & { kind: string })[] = []) => ({
  given: { namespace: 'team-a', runId: 'r2' },
  objects: { list: async (_v: string, kind: string) => ({ items: labelled.filter((o) => o.kind === kind) }) },
  core: {
    readNamespace: async () => { if (!namespace) throw Object.assign(new Error('namespaces "team-a" not found'), { code: 404 }); return namespace },
    listNamespacedPod: async () => ({ items: pods }),
  },
}) as unknown as Kube

test('SC_NAMESPACE names a namespace that must exist and not be going; pods of others there are named in a warning', async () => {
  await expect(checkGivenNamespace(cluster(undefined), 'team-a')).rejects.toThrow(/^SC_NAMESPACE=team-a: no such namespace \(the suite runs in it and does not make it/)
  await expect(checkGivenNamespace(cluster({ metadata: { deletionTimestamp: new Date() } }), 'team-a')).rejects.toThrow('SC_NAMESPACE=team-a: the namespace is being deleted')
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  vi.spyOn(console, 'log').mockImplementation(() => undefined)
  await checkGivenNamespace(cluster({ metadata: {} }, [{ metadata: { name: 'db-0' } }, { metadata: { name: 'client', labels: { 'app.kubernetes.io/managed-by': 'stateful-conformance' } } }]), 'team-a')
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^stateful-conformance: SC_NAMESPACE=team-a holds 1 pod\(s\) not the suite's \(db-0\)/))
  vi.restoreAllMocks()
})

test('another run\'s objects in the namespace (running, or killed) stop the run before it makes anything, naming them and the clean-up', async () => {
  const run = (id: string) => ({ 'app.kubernetes.io/managed-by': 'stateful-conformance', 'stateful-conformance/run': id })
  await expect(checkGivenNamespace(cluster({ metadata: {} }, [], [{ kind: 'StatefulSet', metadata: { name: 'web', labels: run('r1') } }]), 'team-a'))
    .rejects.toThrow(/^SC_NAMESPACE=team-a: the namespace holds StatefulSet\/web of run r1 of the suite \(running, or killed\): one run at a time per namespace; once none is running, SC_NAMESPACE=team-a npm run clean removes them$/)
})

test('setup\'s work beside a check begun before it: at once, or in one namespace after it; a failure waits for the check to settle', async () => {
  const order: string[] = []
  const step = (name: string, fail = false) => async () => { order.push(`${name} starts`); await new Promise((r) => setTimeout(r, 10)); order.push(`${name} ends`); if (fail) throw new Error(name); return name }
  await expect(besideIt(step('aside')(), true, step('work'))).resolves.toBe('work')
  expect(order).toEqual(['aside starts', 'aside ends', 'work starts', 'work ends'])
  order.length = 0
  const slowAside = async () => { order.push('aside starts'); await new Promise((r) => setTimeout(r, 40)); order.push('aside ends'); throw new Error('aside') }
  await expect(besideIt(slowAside(), false, step('work', true))).rejects.toThrow('work')
  expect(order).toEqual(['aside starts', 'work starts', 'work ends', 'aside ends'])
  order.length = 0
  // A check that fails is the caller's to read where it needs it: work goes on.
  await expect(besideIt(slowAside(), false, step('work'))).resolves.toBe('work')
  expect(order).toEqual(['aside starts', 'work starts', 'work ends'])
})
