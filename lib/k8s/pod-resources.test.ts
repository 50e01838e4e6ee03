import { describe, expect, test } from 'vitest'
import { fixtureFiles, loadManifest } from './manifests.ts'
import { addContainerResources, defaultContainerResources, parsePodResources, podSpecOf } from './pod-resources.ts'

describe('SC_POD_RESOURCES', () => {
  test('unset: small requests equal to limits', () => {
    expect(parsePodResources(undefined)).toEqual(defaultContainerResources)
    expect(parsePodResources('')).toEqual(defaultContainerResources)
  })

  test('cpu and memory, either alone keeping the other default', () => {
    expect(parsePodResources('cpu=250m,memory=128Mi')).toEqual({ cpu: '250m', memory: '128Mi' })
    expect(parsePodResources(' memory = 1Gi ')).toEqual({ cpu: defaultContainerResources.cpu, memory: '1Gi' })
  })

  test('anything else is refused naming the term', () => {
    expect(() => parsePodResources('cpu=lots')).toThrow(/"cpu=lots"/)
    expect(() => parsePodResources('gpu=1')).toThrow(/"gpu=1"/)
  })
})

describe('every container the fixtures make has requests equal to limits', () => {
  test('a container without resources gets them; one with its own keeps them', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b', resources: { limits: { memory: '1Gi' } } }], initContainers: [{ name: 'init' }] }
    addContainerResources(spec, { cpu: '50m', memory: '32Mi' })
    const r = { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '50m', memory: '32Mi' } }
    expect(spec.containers[0]).toMatchObject({ resources: r })
    expect(spec.containers[1]!.resources).toEqual({ limits: { memory: '1Gi' } })
    expect(spec.initContainers[0]).toMatchObject({ resources: r })
  })

  test('as loaded, every Pod and workload template of fixtures/ sets cpu and memory, requests equal to limits', async () => {
    for (const file of await fixtureFiles()) {
      for (const obj of await loadManifest(file, { storageClass: null })) {
        for (const c of podSpecOf(obj)?.containers ?? []) {
          const where = `fixtures/${file} ${obj.kind} ${obj.metadata?.name} container ${c.name}`
          expect(c.resources?.requests?.cpu, where).toBeTruthy()
          expect(c.resources?.requests?.memory, where).toBeTruthy()
          expect(c.resources?.limits, where).toEqual(c.resources?.requests)
        }
      }
    }
  })
})
