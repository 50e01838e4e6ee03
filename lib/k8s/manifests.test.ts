import { afterEach, describe, expect, test } from 'vitest'
import { loadManifest, setDefaultClaimClass, setStorageClass } from './manifests.ts'

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
