import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CoreV1Event, V1CSIDriver, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { parseRawDeviceAccess } from '../apps/raw-device.ts'
import type { Kube } from '../k8s/kube.ts'
import { deleteNamespace } from '../k8s/namespaces.ts'
import { type Resource, resources, type WatchHandlers, watchObjects } from '../k8s/watch.ts'
import { eventsResource } from '../resources/events.ts'
import { setReclaimPolicy } from '../resources/storage.ts'
import { describeDetectedCapabilities, detectCapabilities, podFor } from './probe.ts'

// The cluster the probe talks to, played by the test (fakeCluster below); the stall guard
// (lib/wait/stalls.ts, tested there) never reports.
vi.mock('../k8s/watch.ts', async (original) => ({ ...(await original<typeof import('../k8s/watch.ts')>()), watchObjects: vi.fn() }))
vi.mock('../wait/stalls.ts', async (original) => ({ ...(await original<typeof import('../wait/stalls.ts')>()), guardAgainstStalls: vi.fn(() => () => undefined) }))
vi.mock('../k8s/namespaces.ts', async (original) => ({
  ...(await original<typeof import('../k8s/namespaces.ts')>()),
  createNamespace: vi.fn(async () => 'sc-probe'), deleteNamespace: vi.fn(async () => undefined), namespaceIds: vi.fn(async () => undefined),
}))
vi.mock('../resources/snapshots.ts', async (original) => ({
  ...(await original<typeof import('../resources/snapshots.ts')>()), snapshotApiServed: vi.fn(async () => false), listSnapshotClasses: vi.fn(async () => []),
}))
vi.mock('../resources/storage.ts', async (original) => ({ ...(await original<typeof import('../resources/storage.ts')>()), setReclaimPolicy: vi.fn(async () => ({})) }))

describe('the Block probe\'s pod', () => {
  const script = (p: ReturnType<typeof podFor>) => p.spec!.containers[0]!.command!.join(' ')

  test('opens its raw device and reads a block, reads the device\'s group with stat, and reports through its termination message', () => {
    const p = podFor({ name: 'c0-block', kind: 'block' }, 'busybox')
    expect(script(p)).toContain(`dd if='/dev/probe' of=/dev/null bs=4096 count=1`)
    expect(script(p)).toContain(`stat -c '%g %a' '/dev/probe'`)
    expect(script(p)).toContain('> /dev/termination-log')
    expect(p.spec!.containers[0]).toMatchObject({ terminationMessagePolicy: 'FallbackToLogsOnError', volumeDevices: [{ name: 'v', devicePath: '/dev/probe' }] })
  })

  test('its shell runs, and writes a report that parses (here on /dev/null, the message to a file of a temporary folder)', () => {
    const message = join(mkdtempSync(join(tmpdir(), 'probe-')), 'termination-log')
    const [sh, c, text] = podFor({ name: 'c0-block', kind: 'block' }, 'busybox').spec!.containers[0]!.command!
    execFileSync(sh!, [c!, text!.replaceAll('/dev/probe', '/dev/null').replace('/dev/termination-log', message)])
    expect(parseRawDeviceAccess(readFileSync(message, 'utf8'))).toMatchObject({ block: false, read: 'ok' })
  })

  test('joins no group by assumption (no gid 6); its second pod joins the group read, on the volume\'s node', () => {
    expect(podFor({ name: 'c0-block', kind: 'block' }, 'busybox').spec!.securityContext!.supplementalGroups).toBeUndefined()
    const second = podFor({ name: 'c0-block', kind: 'block' }, 'busybox', { group: 995, node: 'node-a' })
    expect(second.metadata!.name).toBe('c0-block-in-group')
    expect(second.spec!.securityContext).toMatchObject({ runAsNonRoot: true, supplementalGroups: [995] })
    expect(second.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }])
    expect(second.spec!.volumes).toEqual([{ name: 'v', persistentVolumeClaim: { claimName: 'c0-block' } }])
  })

  test('the other probes\' pods only mount their claim', () => {
    expect(podFor({ name: 'c0-rwo', kind: 'ReadWriteOnce' }, 'busybox').spec!.containers[0]).toMatchObject({ command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/v' }] })
  })
})

// What the class's provisioner does with a claim: binds it, refuses it (a ProvisioningFailed event), or says nothing;
// `apiRefusal`: the API server refuses to create it. A Block probe's pod reports `blockReport` at the device.
type Answer = { bind: true } | { refuse: string } | 'silent' | { apiRefusal: string }
interface Provisioner { answer: (pvc: V1PersistentVolumeClaim) => Answer; pv: (name: string) => V1PersistentVolume; blockReport?: string; csiDrivers?: V1CSIDriver[] | Error }

function fakeCluster(p: Provisioner) {
  const handlers = new Map<Resource, WatchHandlers<unknown>>()
  const stops = vi.fn()
  vi.mocked(watchObjects).mockImplementation(async (_kube, resource, _query, h) => {
    handlers.set(resource, h as WatchHandlers<unknown>)
    h.onSync([])
    return stops
  })
  const emit = (resource: Resource, o: unknown) => handlers.get(resource)!.onEvent('MODIFIED', o as never)
  const claims = new Map<string, V1PersistentVolumeClaim>()
  const made = { claims: [] as V1PersistentVolumeClaim[], pods: [] as V1Pod[], deleted: [] as string[] }
  const notFound = () => Object.assign(new Error('not found'), { code: 404 })
  const kube = {
    storage: { listCSIDriver: async () => { if (p.csiDrivers instanceof Error) throw p.csiDrivers; return { items: p.csiDrivers ?? [] } } },
    core: {
      createNamespacedPersistentVolumeClaim: async ({ body }: { body: V1PersistentVolumeClaim }) => {
        const name = body.metadata!.name!
        const answer = p.answer(body)
        if (typeof answer === 'object' && 'apiRefusal' in answer) throw Object.assign(new Error(answer.apiRefusal), { code: 422, body: JSON.stringify({ message: answer.apiRefusal }) })
        made.claims.push(body)
        claims.set(name, body)
        setTimeout(() => {
          if (answer === 'silent') return
          if ('bind' in answer) {
            const bound = { ...body, spec: { ...body.spec, volumeName: `pv-${name}` }, status: { phase: 'Bound' } }
            claims.set(name, bound)
            emit(resources.pvcs, bound)
          } else if ('refuse' in answer) {
            emit(eventsResource, { metadata: {}, involvedObject: { kind: 'PersistentVolumeClaim', name }, reason: 'ProvisioningFailed', message: answer.refuse } satisfies CoreV1Event)
          }
        }, 1_000)
        return body
      },
      readNamespacedPersistentVolumeClaim: async ({ name }: { name: string }) => claims.get(name) ?? Promise.reject(notFound()),
      listNamespacedPersistentVolumeClaim: async () => ({ items: [...claims.values()] }),
      readPersistentVolume: async ({ name }: { name: string }) => p.pv(name),
      createNamespacedPod: async ({ body }: { body: V1Pod }) => {
        made.pods.push(body)
        const claim = claims.get(body.spec!.volumes![0]!.persistentVolumeClaim!.claimName)
        if (claim?.spec?.volumeMode === 'Block' && p.blockReport) {
          setTimeout(() => emit(resources.pods, { ...body, status: { phase: 'Succeeded', containerStatuses: [{ name: 'probe', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, message: p.blockReport } } }] } }), 2_000)
        }
        return body
      },
      deleteNamespacedPod: async ({ name }: { name: string }) => { made.deleted.push(`pod/${name}`) },
      deleteNamespacedPersistentVolumeClaim: async ({ name }: { name: string }) => { made.deleted.push(`pvc/${name}`); claims.delete(name) },
    },
  } as unknown as Kube
  return { kube, made, stops }
}

const storageClass = (name: string, provisioner: string, o: Partial<V1StorageClass> = {}): V1StorageClass =>
  ({ metadata: { name }, provisioner, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', ...o })
const options = { run: { id: 'r1', recordNamespace: async () => undefined }, busybox: 'busybox', timeoutMs: 180_000, timeoutScale: 1 }
const sizeOf = (c: V1PersistentVolumeClaim) => c.spec?.resources?.requests?.storage

describe('detectCapabilities, against a fake provisioner', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.spyOn(console, 'log').mockImplementation(() => undefined)
    vi.mocked(deleteNamespace).mockClear()
    vi.mocked(setReclaimPolicy).mockClear()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  test('local-path: every probe answered by what the provisioner did; volumes of a Retain class are switched to Delete; the namespace goes', async () => {
    const hostPathPv = (name: string): V1PersistentVolume => ({ metadata: { name }, spec: { hostPath: { path: `/var/lib/${name}` }, persistentVolumeReclaimPolicy: 'Retain',
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] }] } } } })
    const { kube, made, stops } = fakeCluster({
      pv: hostPathPv,
      answer: (c) => c.spec!.volumeMode === 'Block' ? { refuse: 'rancher.io/local-path does not support block volume provisioning' }
        : c.spec!.accessModes![0] === 'ReadWriteMany' ? { refuse: 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' } : { bind: true },
    })
    const detecting = detectCapabilities(kube, [storageClass('local-path', 'rancher.io/local-path', { volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain' }), storageClass('other', 'x')], ['local-path'], options)
    await vi.advanceTimersByTimeAsync(10_000)
    const d = await detecting
    const c = d.byClass['local-path']!
    expect(Object.keys(d.byClass)).toEqual(['local-path'])
    // A WaitForFirstConsumer class provisions only for a consumer: each probe claim has its pod.
    expect(made.pods.map((pod) => pod.metadata!.name).sort()).toEqual(['c0-block', 'c0-clone', 'c0-rwo', 'c0-rwop', 'c0-rwx'])
    expect(made.claims.find((x) => x.metadata!.name === 'c0-clone')!.spec!.dataSource).toEqual({ kind: 'PersistentVolumeClaim', name: 'c0-rwo' })
    expect(c.accessModes.ReadWriteOnce).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-rwo' })
    expect(c.accessModes.ReadWriteOncePod).toMatchObject({ result: 'accepted' })
    expect(c.accessModes.ReadWriteMany).toEqual({ result: 'refused', detail: 'ProvisioningFailed: NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' })
    expect(c.block).toEqual({ result: 'refused', detail: 'ProvisioningFailed: rancher.io/local-path does not support block volume provisioning' })
    expect(c.clone).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-clone; not a CSI driver, so it may have ignored the dataSource (SC-08 checks what the clone holds)' })
    expect(c).toMatchObject({ csi: null, volume: { pv: 'pv-c0-rwo', source: 'hostPath', node: 'node-a' }, nodeLocal: { supported: true }, snapshots: { served: false } })
    expect(c.minimumSize).toBeUndefined()
    expect(vi.mocked(setReclaimPolicy).mock.calls.map(([, pv, policy]) => `${pv} ${policy}`).sort()).toEqual(['pv-c0-clone Delete', 'pv-c0-rwo Delete', 'pv-c0-rwop Delete'])
    expect(vi.mocked(deleteNamespace)).toHaveBeenCalledWith(kube, 'sc-probe')
    expect(stops).toHaveBeenCalledTimes(3) // claims, pods, events
    expect(describeDetectedCapabilities(d)).toMatch(/^stateful-conformance: their capabilities \(declared, and probed with small claims in namespace sc-probe in \d+\.\ds\):\n/)
  })

  test('the probe asks for the least a claim of the run asks (16Mi), so a class whose minimum is 1Gi is learned, not missed (probed at 1Gi it was)', async () => {
    const csiPv = (name: string): V1PersistentVolume => ({ metadata: { name }, spec: { csi: { driver: 'ext4.example', volumeHandle: name }, persistentVolumeReclaimPolicy: 'Delete' } })
    const { kube, made } = fakeCluster({
      pv: csiPv, csiDrivers: [{ metadata: { name: 'ext4.example' }, spec: {} }], blockReport: 'block: yes\nstat: 6 660\nread: ok\ngroups: 1000 6',
      answer: (c) => sizeOf(c) === '16Mi' ? { refuse: 'failed to provision volume with StorageClass "ext4": requested size 16Mi is less than the minimum 1Gi of class ext4' } : { bind: true },
    })
    const detecting = detectCapabilities(kube, [storageClass('ext4', 'ext4.example')], ['ext4'], options)
    await vi.advanceTimersByTimeAsync(20_000)
    const c = (await detecting).byClass.ext4!
    expect(made.claims.map((x) => `${x.metadata!.name} ${sizeOf(x)}`)).toEqual(expect.arrayContaining(['c0-rwo 16Mi', 'c0-rwo-min 1Gi']))
    expect(c.minimumSize).toMatchObject({ size: '1Gi', refusal: expect.stringContaining('less than the minimum 1Gi') })
    expect(c.accessModes.ReadWriteOnce).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-rwo-min' })
  })

  test('a class with a minimum size: the claims refused for their size are asked again once at the minimum it named, the clone after its source, and the class keeps that minimum', async () => {
    const csiPv = (name: string): V1PersistentVolume => ({ metadata: { name }, spec: { csi: { driver: 'pd.csi.storage.gke.io', volumeHandle: name }, persistentVolumeReclaimPolicy: 'Delete' } })
    const { kube, made } = fakeCluster({
      pv: csiPv, csiDrivers: [{ metadata: { name: 'pd.csi.storage.gke.io' }, spec: {} }], blockReport: 'block: yes\nstat: 6 660\nread: ok\ngroups: 1000 6',
      answer: (c) => sizeOf(c) !== '4Gi' ? { refuse: 'rpc error: code = InvalidArgument desc = size must be at least 4Gi' }
        : c.spec!.accessModes![0] === 'ReadWriteMany' ? { refuse: 'rpc error: code = InvalidArgument desc = Volume capabilities MULTI_NODE_MULTI_WRITER not supported' } : { bind: true },
    })
    const detecting = detectCapabilities(kube, [storageClass('hyperdisk', 'pd.csi.storage.gke.io')], ['hyperdisk'], options)
    await vi.advanceTimersByTimeAsync(20_000)
    const c = (await detecting).byClass.hyperdisk!
    expect(made.claims.map((x) => `${x.metadata!.name} ${sizeOf(x)}`)).toEqual([
      'c0-rwo 16Mi', 'c0-rwop 16Mi', 'c0-rwx 16Mi', 'c0-block 16Mi', 'c0-clone 16Mi',
      'c0-rwo-min 4Gi', 'c0-rwop-min 4Gi', 'c0-rwx-min 4Gi', 'c0-block-min 4Gi', 'c0-clone-min 4Gi',
    ])
    expect(made.claims.at(-1)!.spec!.dataSource).toEqual({ kind: 'PersistentVolumeClaim', name: 'c0-rwo-min' })
    expect(c.minimumSize).toEqual({ size: '4Gi', refusal: 'c0-rwo (16Mi): ProvisioningFailed: rpc error: code = InvalidArgument desc = size must be at least 4Gi' })
    expect(c.accessModes.ReadWriteOnce).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-rwo-min' })
    // Named again at the minimum, a refusal is a refusal: no third try.
    expect(c.accessModes.ReadWriteMany).toMatchObject({ result: 'refused', detail: expect.stringContaining('MULTI_NODE_MULTI_WRITER not supported') })
    expect(c.block).toMatchObject({ result: 'accepted', detail: expect.stringMatching(/^bound to pv-c0-block-min, used by a pod; /) })
    expect(c.clone).toMatchObject({ result: 'accepted', detail: 'bound to pv-c0-clone-min' }) // a CSI driver: no doubt about the dataSource
    expect(c).toMatchObject({ csi: { name: 'pd.csi.storage.gke.io' }, volume: { source: 'csi' }, nodeLocal: { supported: false } })
    // The refused claims go (their pods with them).
    expect(made.deleted).toEqual(expect.arrayContaining(['pvc/c0-rwo', 'pvc/c0-rwop', 'pvc/c0-rwx', 'pvc/c0-block', 'pvc/c0-clone', 'pod/c0-block']))
  })

  test('a provisioner that never answers leaves each probe unknown at the deadline, saying what it last showed; the API server\'s own refusal is a refusal', async () => {
    const { kube, stops } = fakeCluster({
      pv: () => { throw new Error('no volume was made') }, csiDrivers: Object.assign(new Error('csidrivers is forbidden'), { code: 403 }),
      answer: (c) => c.spec!.accessModes![0] === 'ReadWriteOncePod' ? { apiRefusal: 'spec.accessModes: Unsupported value: "ReadWriteOncePod"' } : 'silent',
    })
    const detecting = detectCapabilities(kube, [storageClass('slow', 'example.com/slow')], ['slow'], options)
    await vi.advanceTimersByTimeAsync(179_000)
    expect(vi.mocked(deleteNamespace)).not.toHaveBeenCalled() // still waiting, up to the deadline
    await vi.advanceTimersByTimeAsync(1_000)
    const c = (await detecting).byClass.slow!
    expect(c.accessModes.ReadWriteOnce).toEqual({ result: 'unknown', detail: 'no answer within 180s (claim still Pending; last event: none)' })
    expect(c.accessModes.ReadWriteOncePod).toEqual({ result: 'refused', detail: 'the API server refused the claim: create probe claim sc-probe/c0-rwop: HTTP 422: spec.accessModes: Unsupported value: "ReadWriteOncePod"' })
    expect(c.csi).toBe('could not list CSIDrivers: HTTP 403: csidrivers is forbidden')
    expect(c.nodeLocal).toMatchObject({ supported: undefined })
    expect(stops).toHaveBeenCalledTimes(3)
    expect(vi.mocked(deleteNamespace)).toHaveBeenCalledWith(kube, 'sc-probe')
  })
})
