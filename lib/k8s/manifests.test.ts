import { afterEach, describe, expect, test } from 'vitest'
import { loadManifest, raiseClaimSizes, setDefaultClaimClass, setStorageClass } from './manifests.ts'

describe('storage classes of fixture claims', () => {
  afterEach(() => setDefaultClaimClass(undefined))

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

  test('claims that name no class land on the run\'s first class; storageClass: null keeps the fixture as written', async () => {
    setDefaultClaimClass('gold')
    const [claim] = await loadManifest('001/sandwich-ingridients.yaml')
    expect((claim as { spec: { storageClassName?: string } }).spec.storageClassName).toBe('gold')
    const [asWritten] = await loadManifest('001/sandwich-ingridients.yaml', { storageClass: null })
    expect((asWritten as { spec: { storageClassName?: string } }).spec.storageClassName).toBeUndefined()
    const statics = await loadManifest('001/static-pv.yaml')
    expect(statics.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => (o as { spec: { storageClassName?: string } }).spec.storageClassName)).toEqual([''])
  })
})

describe('claim sizes on a class with a minimum size', () => {
  afterEach(() => setDefaultClaimClass(undefined))
  const requests = (objs: { kind?: string; spec?: unknown }[]) => objs.flatMap((o) => {
    const s = o.spec as { resources?: { requests?: { storage?: string } }; volumeClaimTemplates?: { spec: { resources: { requests: { storage: string } } } }[] }
    return o.kind === 'PersistentVolumeClaim' ? [s.resources?.requests?.storage] : (s?.volumeClaimTemplates ?? []).map((t) => t.spec.resources.requests.storage)
  })

  test('every claim and claim template of the class asks for at least its minimum; bigger requests stay', async () => {
    setDefaultClaimClass('hyperdisk', (sc) => (sc === 'hyperdisk' ? '4Gi' : undefined))
    expect(requests(await loadManifest('002/statefulset.yaml'))).toEqual(['4Gi'])
    expect(requests(await loadManifest('001/lunchbox-rwop.yaml'))).toEqual(['4Gi'])
    expect(requests(await loadManifest('003/visits.yaml', { storageClass: 'standard' }))).toEqual(['100Mi'])
    setDefaultClaimClass('hyperdisk', () => '512Mi')
    expect(requests(await loadManifest('sc/claim.yaml'))).toEqual(['1Gi'])
  })

  test('a size set by a spec\'s patch is raised too; a static claim ("") binds to its volume as written', async () => {
    setDefaultClaimClass('hyperdisk', (sc) => (sc === '' ? undefined : '4Gi'))
    const patch = (o: { kind?: string; spec?: unknown }) => { if (o.kind === 'PersistentVolumeClaim') (o.spec as { resources: { requests: { storage: string } } }).resources.requests.storage = '256Mi' }
    expect(requests(await loadManifest('sc/io-claim.yaml', { patch }))).toEqual(['4Gi'])
    expect(requests(await loadManifest('001/static-pv.yaml'))).toEqual(['20Mi'])
  })

  test('raiseClaimSizes leaves objects without claims alone', () => {
    const svc = { kind: 'Service', spec: { ports: [] } }
    raiseClaimSizes(svc, () => '4Gi')
    expect(svc).toEqual({ kind: 'Service', spec: { ports: [] } })
  })
})
