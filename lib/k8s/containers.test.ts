import type * as k8s from '@kubernetes/client-node'
import { expect, test } from 'vitest'
import { containerStatusOf, defaultContainer, defaultContainerAnnotation, markDefaultContainer } from './containers.ts'

const pod = (names: string[], annotations?: Record<string, string>): k8s.V1Pod => ({
  metadata: { name: 'p', annotations },
  spec: { containers: names.map((name) => ({ name })) },
  status: { containerStatuses: names.map((name, i) => ({ name, image: 'i', imageID: '', ready: true, restartCount: i })) },
})

test('an exec without a container name runs in the pod\'s own container, not in an injected proxy', () => {
  expect(defaultContainer(pod(['linkerd-proxy', 'podinfo']))).toBe('podinfo')
  expect(defaultContainer(pod(['istio-proxy', 'client']))).toBe('client')
  expect(defaultContainer(pod(['linkerd-proxy', 'a', 'b'], { [defaultContainerAnnotation]: 'b' }))).toBe('b')
  expect(defaultContainer(pod(['only']))).toBe('only')
  // An annotation naming a container the pod lacks is not followed.
  expect(defaultContainer(pod(['istio-proxy', 'app'], { [defaultContainerAnnotation]: 'gone' }))).toBe('app')
})

test('a container\'s status is found by name: the proxy may come first', () => {
  const p = pod(['linkerd-proxy', 'podinfo'])
  expect(containerStatusOf(p, 'podinfo')?.restartCount).toBe(1)
  expect(containerStatusOf(p, 'missing')).toBeUndefined()
})

test('the pods the suite applies name their own first container as the default, before any mesh injects', () => {
  const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }, { name: 'side' }] } }
  markDefaultContainer(bare)
  expect(bare.metadata).toMatchObject({ annotations: { [defaultContainerAnnotation]: 'app' } })
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: { metadata: { labels: { a: 'b' }, annotations: { [defaultContainerAnnotation]: 'side' } }, spec: { containers: [{ name: 'app' }, { name: 'side' }] } } } }
  markDefaultContainer(sts)
  expect(sts.spec.template.metadata).toEqual({ labels: { a: 'b' }, annotations: { [defaultContainerAnnotation]: 'side' } })
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }
  markDefaultContainer(svc)
  expect(svc.metadata).toEqual({ name: 's' })
})
