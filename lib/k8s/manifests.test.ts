import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { defaultSettings, type MinimumOf, withRunSettings } from './claim-context.ts'
import type { Kube } from './kube.ts'
import { applyObjects, loadManifest, raiseClaimSizes, setStorageClass } from './manifests.ts'
import { podSpecOf } from './pod-resources.ts'

// The run's settings with a default class (and its minimum), as a claim's context carries them.
const withDefaultClass = <T>(defaultClaimClass: string, fn: () => Promise<T>, claimMinimumOf: MinimumOf = () => undefined) =>
  withRunSettings({ ...defaultSettings, defaultClaimClass, claimMinimumOf }, fn)

describe('storage classes of fixture claims', () => {

  test('a [sc] run sets every claim and claim template; onlyUnnamed leaves a static claim\'s "" alone', () => {
    const claim = { kind: 'PersistentVolumeClaim', spec: { storageClassName: '' } }
    setStorageClass(claim, 'fast', true)
    expect(claim.spec.storageClassName).toBe('')
    setStorageClass(claim, 'fast')
    expect(claim.spec.storageClassName).toBe('fast')
    const sts = { kind: 'StatefulSet', spec: { volumeClaimTemplates: [{ spec: {} as { storageClassName?: string } }] } }
    setStorageClass(sts, 'fast', true)
    expect(sts.spec.volumeClaimTemplates[0]!.spec.storageClassName).toBe('fast')
  })

  test('claims that name no class land on the run\'s first class; storageClass: null keeps the fixture as written', () => withDefaultClass('gold', async () => {
    const [claim] = await loadManifest('001/sandwich-ingridients.yaml')
    expect((claim as { spec: { storageClassName?: string } }).spec.storageClassName).toBe('gold')
    const [asWritten] = await loadManifest('001/sandwich-ingridients.yaml', { storageClass: null })
    expect((asWritten as { spec: { storageClassName?: string } }).spec.storageClassName).toBeUndefined()
    const statics = await loadManifest('001/static-pv.yaml')
    expect(statics.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => (o as { spec: { storageClassName?: string } }).spec.storageClassName)).toEqual([''])
  }))

  test('outside a claim\'s context (no run settings), claims that name no class stay as written', async () => {
    const [claim] = await loadManifest('001/sandwich-ingridients.yaml')
    expect((claim as { spec: { storageClassName?: string } }).spec.storageClassName).toBeUndefined()
  })
})

describe('claim sizes on a class with a minimum size', () => {
  const requests = (objs: { kind?: string; spec?: unknown }[]) => objs.flatMap((o) => {
    const s = o.spec as { resources?: { requests?: { storage?: string } }; volumeClaimTemplates?: { spec: { resources: { requests: { storage: string } } } }[] }
    return o.kind === 'PersistentVolumeClaim' ? [s.resources?.requests?.storage] : (s?.volumeClaimTemplates ?? []).map((t) => t.spec.resources.requests.storage)
  })

  test('every claim and claim template of the class asks for at least its minimum; bigger requests stay', async () => {
    await withDefaultClass('hyperdisk', async () => {
      expect(requests(await loadManifest('002/statefulset.yaml'))).toEqual(['4Gi'])
      expect(requests(await loadManifest('001/lunchbox-rwop.yaml'))).toEqual(['4Gi'])
      expect(requests(await loadManifest('003/visits.yaml', { storageClass: 'standard' }))).toEqual(['100Mi'])
    }, (sc) => (sc === 'hyperdisk' ? '4Gi' : undefined))
    await withDefaultClass('hyperdisk', async () => {
      expect(requests(await loadManifest('sc/claim.yaml'))).toEqual(['1Gi'])
    }, () => '512Mi')
  })

  test('a size set by a spec\'s patch is raised too; a static claim ("") binds to its volume as written', () => withDefaultClass('hyperdisk', async () => {
    const patch = (o: { kind?: string; spec?: unknown }) => { if (o.kind === 'PersistentVolumeClaim') (o.spec as { resources: { requests: { storage: string } } }).resources.requests.storage = '256Mi' }
    expect(requests(await loadManifest('sc/io-claim.yaml', { patch }))).toEqual(['4Gi'])
    expect(requests(await loadManifest('001/static-pv.yaml'))).toEqual(['20Mi'])
  }, (sc) => (sc === '' ? undefined : '4Gi')))

  test('raiseClaimSizes leaves objects without claims alone', () => {
    const svc = { kind: 'Service', spec: { ports: [] } }
    raiseClaimSizes(svc, () => '4Gi')
    expect(svc).toEqual({ kind: 'Service', spec: { ports: [] } })
  })
})

describe('applying fixtures in a namespace with an assigned uid range (OpenShift restricted-v2)', () => {
  // The namespace as OpenShift's namespace controller annotates it; the applied objects as the server receives them.
  function fakeCluster(annotations: Record<string, string>) {
    const applied: KubernetesObject[] = []
    const kube = {
      kc: { makeApiClient: () => ({ getAPIVersions: async () => ({ groups: [{ name: 'security.openshift.io' }] }) }) },
      core: { readNamespace: async ({ name }: { name: string }) => ({ metadata: { name, annotations } }) },
      objects: { patch: async (o: KubernetesObject) => { applied.push(structuredClone(o)); return o } },
    } as unknown as Kube
    return { kube, applied }
  }

  test('podinfo (100/101) and the busybox pods (1000/1000) run with ids inside the range, fsGroup too', async () => {
    const c = fakeCluster({ 'openshift.io/sa.scc.uid-range': '1000680000/10000', 'openshift.io/sa.scc.supplemental-groups': '1000680000/10000' })
    await applyObjects(c.kube, 'sc-q0-07-abcdef', await loadManifest('000/statefulset.yaml', { storageClass: null }))
    await applyObjects(c.kube, 'sc-q1-04-abcdef', await loadManifest('001/lunchbox.yaml', { storageClass: null }))
    const contexts = c.applied.map((o) => podSpecOf(o)?.securityContext).filter(Boolean)
    expect(contexts.length).toBe(2)
    for (const sc of contexts) expect(sc).toMatchObject({ runAsUser: 1000680000, runAsGroup: 1000680000, fsGroup: 1000680000 })
  })

  test('without a range, the fixtures\' own ids', async () => {
    const c = fakeCluster({})
    // A cluster that serves security.openshift.io but never assigns a range fails loudly instead; here the namespace is simply not OpenShift's.
    ;(c.kube as unknown as { kc: unknown }).kc = { makeApiClient: () => ({ getAPIVersions: async () => ({ groups: [] }) }) }
    await applyObjects(c.kube, 'sc-q0-07-abcdef', await loadManifest('000/statefulset.yaml', { storageClass: null }))
    expect(podSpecOf(c.applied.find((o) => o.kind === 'StatefulSet')!)?.securityContext).toMatchObject({ runAsUser: 100, runAsGroup: 101, fsGroup: 101 })
  })
})
