import type { V1Pod } from '@kubernetes/client-node'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createMark, type Kube } from '../k8s/kube.ts'
import { byName, createPod, createPodFromFixture, deletePod, describePod, describePods, findPod, getPod, isPodReady, listPods, mountedClaim, podIps, podNamed, restrictedContainer, restrictedPod, roomWaitSince } from './pods.ts'

afterEach(() => { vi.restoreAllMocks() })

// A pod whose delete commits but whose answer is lost; the retry finds no pod, or its replacement.
function kubeWith(afterDelete: 'gone' | 'replaced') {
  const pod: V1Pod = { metadata: { name: 'web-0', namespace: 'q', uid: 'first' } }
  const deletes: unknown[] = []
  const core = {
    readNamespacedPod: async () => pod,
    deleteNamespacedPod: async (req: { body?: { preconditions?: { uid?: string } } }) => {
      deletes.push(req.body?.preconditions)
      if (deletes.length === 1) throw new Error('read ECONNRESET')
      throw afterDelete === 'gone' ? Object.assign(new Error('not found'), { code: 404 })
        : Object.assign(new Error('Precondition failed: UID in precondition: first, UID in object meta: second'), { code: 409 })
    },
  }
  return { kube: { core } as unknown as Kube, deletes }
}

test('a pod delete retried after its first try committed returns the pod it deleted, whether the retry finds none or a replacement', async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  for (const after of ['gone', 'replaced'] as const) {
    const { kube, deletes } = kubeWith(after)
    expect((await deletePod(kube, 'q', 'web-0')).metadata?.uid).toBe('first')
    // Every try names the incarnation: a retry never deletes the StatefulSet's replacement.
    expect(deletes).toEqual([{ uid: 'first' }, { uid: 'first' }])
  }
})

const named = (name: string, status: V1Pod['status'] = {}, extra: Partial<V1Pod> = {}): V1Pod => ({ metadata: { name, namespace: 'q' }, status, ...extra })
const apiError = (code: number, message: string) => Object.assign(new Error(message), { code, body: JSON.stringify({ message }) })

describe('reading pods', () => {
  test('findPod says a pod that is not there is absent, but does not take a refusal for absence', async () => {
    const reading = (err: Error) => ({ core: { readNamespacedPod: async () => { throw err } } }) as unknown as Kube
    await expect(findPod(reading(apiError(404, 'pods "web-0" not found')), 'q', 'web-0')).resolves.toBeUndefined()
    await expect(findPod(reading(apiError(403, 'pods "web-0" is forbidden')), 'q', 'web-0')).rejects.toThrow('forbidden')
  })

  test('getPod\'s failure names the pod and keeps the API\'s message and status', async () => {
    const kube = { core: { readNamespacedPod: async () => { throw apiError(403, 'pods "web-0" is forbidden: User "sa" cannot get resource "pods"') } } } as unknown as Kube
    await expect(getPod(kube, 'q', 'web-0')).rejects.toMatchObject({ message: 'get pod q/web-0: HTTP 403: pods "web-0" is forbidden: User "sa" cannot get resource "pods"', code: 403 })
  })

  test('listPods asks with the selector and returns the pods in the order of their names', async () => {
    const asked: unknown[] = []
    const kube = { core: { listNamespacedPod: async (req: unknown) => { asked.push(req); return { items: [named('web-10'), named('web-1'), named('web-0')] } } } } as unknown as Kube
    expect((await listPods(kube, 'q', 'app=web')).map((p) => p.metadata?.name)).toEqual(['web-0', 'web-1', 'web-10'])
    expect(asked).toEqual([{ namespace: 'q', labelSelector: 'app=web' }])
  })

  test('byName sorts a copy, and podNamed names the pods there are when the one asked for is not', () => {
    const pods = [named('web-1'), named('web-0')]
    expect(byName(pods).map((p) => p.metadata?.name)).toEqual(['web-0', 'web-1'])
    expect(pods.map((p) => p.metadata?.name)).toEqual(['web-1', 'web-0'])
    expect(podNamed(pods, 'web-0')).toBe(pods[1])
    expect(() => podNamed(pods, 'web-2')).toThrow('no pod web-2 among web-0, web-1')
    expect(() => podNamed([], 'web-2')).toThrow('no pod web-2 among no pods')
  })
})

describe('creating pods', () => {
  // A namespace with OpenShift's annotations, or a cluster that assigns no ranges; `created` holds what reached the API.
  function kubeFor(annotations?: Record<string, string>) {
    const created: V1Pod[] = []
    const kube = {
      kc: { makeApiClient: () => ({ getAPIVersions: async () => ({ groups: [{ name: 'apps' }] }) }) },
      core: {
        readNamespace: async () => ({ metadata: { name: 'q', annotations } }),
        createNamespacedPod: async ({ body }: { body: V1Pod }) => { created.push(body); return body },
        readNamespacedPod: async () => { throw new Error('not read: the create succeeded') },
      },
    } as unknown as Kube
    return { kube, created }
  }
  const ids = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }
  const asGiven = (): V1Pod => ({ metadata: { name: 'user' }, spec: { ...restrictedPod(ids), containers: [{ name: 'c', image: 'busybox', securityContext: { ...restrictedContainer, runAsUser: 1000 } }] } })

  test('in a namespace OpenShift gave a uid range, the pod runs with ids of that range; the caller\'s pod is left as it was', async () => {
    const { kube, created } = kubeFor({ 'openshift.io/sa.scc.uid-range': '1000650000/10000', 'openshift.io/sa.scc.supplemental-groups': '1000650000/10000' })
    const pod = asGiven()
    await createPod(kube, 'q', pod)
    expect(created[0]!.spec).toMatchObject({ securityContext: { runAsUser: 1000650000, runAsGroup: 1000650000, fsGroup: 1000650000 }, containers: [{ securityContext: { runAsUser: 1000650000 } }] })
    expect(pod.spec!.securityContext).toMatchObject(ids)
  })

  test('elsewhere the pod is created with its own ids, marked so that a retried create knows its first try', async () => {
    const { kube, created } = kubeFor()
    await createPod(kube, 'q', asGiven())
    expect(created[0]!.spec!.securityContext).toMatchObject(ids)
    expect(created[0]!.metadata!.annotations).toHaveProperty([createMark])
  })

  test('from a fixture: the pod of that name, edited; a name the file lacks is an error naming file and pod', async () => {
    const { kube, created } = kubeFor()
    await createPodFromFixture(kube, 'q', 'sc/pod.yaml', 'user', (p) => { p.metadata!.labels = { ...p.metadata!.labels, edited: 'yes' } })
    expect(created[0]!.metadata).toMatchObject({ name: 'user', labels: { app: 'volume-user', edited: 'yes' } })
    await expect(createPodFromFixture(kube, 'q', 'sc/pod.yaml', 'nobody')).rejects.toThrow('fixtures/sc/pod.yaml has no Pod named nobody')
  })
})

describe('what a pod is, in a line', () => {
  const ready = { type: 'Ready', status: 'True' }
  test('a pod being deleted is not Ready, whatever its condition still says', () => {
    expect(isPodReady(named('web-0', { conditions: [ready] }))).toBe(true)
    expect(isPodReady(named('web-0', { conditions: [ready] }, { metadata: { name: 'web-0', deletionTimestamp: new Date() } }))).toBe(false)
    expect(isPodReady(named('web-0', { conditions: [{ type: 'Ready', status: 'False' }] }))).toBe(false)
  })

  test('describePod says phase, readiness, restarts, why containers wait or ended, why it is unschedulable, its address and node', () => {
    expect(describePod(named('web-0', {
      phase: 'Running', conditions: [ready], podIP: '10.0.0.5',
      containerStatuses: [{ name: 'a', image: '', imageID: '', ready: true, restartCount: 2 }, { name: 'b', image: '', imageID: '', ready: false, restartCount: 1, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
    }, { spec: { nodeName: 'node-a', containers: [] } }))).toBe('web-0: Running Ready 3 restarts (Error) ip 10.0.0.5 on node-a')
    // A container that restarted says how its last run ended (a liveness probe's kill: exit 137).
    expect(describePod(named('visits-1', {
      phase: 'Running', conditions: [ready],
      containerStatuses: [{ name: 'app', image: '', imageID: '', ready: true, restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'Error', finishedAt: new Date('2026-12-06T03:00:00Z') } } }],
    }))).toBe('visits-1: Running Ready 1 restarts (last ended: app Error, exit 137 at 2026-12-06T03:00:00.000Z)')
    expect(describePod(named('web-1', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] })))
      .toBe('web-1: Pending not Ready unschedulable: 0/3 nodes are available')
    expect(describePod(named('web-2', {}, { metadata: { name: 'web-2', deletionTimestamp: new Date() } }))).toBe('web-2: Terminating not Ready')
    expect(describePods([])).toBe('no pods')
    expect(describePods([named('b', { phase: 'Running' }), named('a', { phase: 'Failed' })])).toBe('a: Failed not Ready; b: Running not Ready')
  })

  test('a pod\'s addresses: one per family where there are two, else its one address, else none', () => {
    expect(podIps(named('p', { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] }))).toEqual(['10.0.0.5', 'fd00::5'])
    expect(podIps(named('p', { podIP: '10.0.0.5' }))).toEqual(['10.0.0.5'])
    expect(podIps(named('p'))).toEqual([])
  })

  test('mountedClaim is the claim behind the named volume, not another volume\'s', () => {
    const p = named('p', {}, { spec: { containers: [], volumes: [{ name: 'cache', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }] } })
    expect(mountedClaim(p, 'data')).toBe('data-web-0')
    expect(mountedClaim(p, 'cache')).toBeUndefined()
  })
})

test('a pod waits for room when the scheduler found no node with room for its requests, not for a taint or a volume', () => {
  const waitsForRoom = (p: V1Pod) => roomWaitSince(p) !== undefined
  const pending = (reason: string, message: string): V1Pod => ({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason, message }] } })
  expect(waitsForRoom(pending('Unschedulable', '0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.'))).toBe(true)
  expect(waitsForRoom(pending('Unschedulable', '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient memory.'))).toBe(true)
  expect(waitsForRoom(pending('Unschedulable', '0/1 nodes are available: 1 Too many pods.'))).toBe(true)
  expect(waitsForRoom(pending('Unschedulable', '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) had volume node affinity conflict.'))).toBe(false)
  expect(waitsForRoom(pending('SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates'))).toBe(false)
  expect(waitsForRoom({ status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] } })).toBe(false)
})

test('how long a pod has waited for room is read from its condition\'s last transition', () => {
  const at = '2026-12-06T08:00:00Z'
  const p: V1Pod = { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.', lastTransitionTime: new Date(at) }] } }
  expect(roomWaitSince(p)).toBe(Date.parse(at))
  expect(roomWaitSince({ status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '1 Insufficient memory.' }] } })).toBe(0)
  expect(roomWaitSince({ status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '1 node(s) had untolerated taint(s).', lastTransitionTime: new Date(at) }] } })).toBeUndefined()
})
