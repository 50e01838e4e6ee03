import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { kubeconfigConfigured, usesEmbeddedCluster } from './cluster-choice.ts'

test('the embedded cluster only when nothing names another, or when forced', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'home-'))
  expect(usesEmbeddedCluster({ cluster: 'auto' }, empty)).toBe(true)
  expect(usesEmbeddedCluster({ cluster: 'auto', kubeconfig: '/k' }, empty)).toBe(false)
  expect(usesEmbeddedCluster({ cluster: 'auto', context: 'ci' }, empty)).toBe(false)
  expect(usesEmbeddedCluster({ cluster: 'embedded', kubeconfig: '/k' }, empty)).toBe(true)
  expect(usesEmbeddedCluster({ cluster: 'current' }, empty)).toBe(false)
})

test('~/.kube/config counts when it has a current context', async () => {
  const home = await mkdtemp(join(tmpdir(), 'home-'))
  await mkdir(join(home, '.kube'))
  await writeFile(join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n')
  expect(usesEmbeddedCluster({ cluster: 'auto' }, home)).toBe(true)
  await writeFile(join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://x"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: kind, context: {cluster: c, user: u}}]\ncurrent-context: kind\n')
  expect(usesEmbeddedCluster({ cluster: 'auto' }, home)).toBe(false)
})

test('inside a pod with a service account, the cluster it runs in is the one tested, not the embedded one', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'sc-home-'))
  const token = join(empty, 'token')
  await writeFile(token, 'x')
  expect(kubeconfigConfigured({}, empty, { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, token)).toBe(true)
  expect(kubeconfigConfigured({}, empty, {}, token)).toBe(false) // a token file alone is not a pod
  expect(kubeconfigConfigured({}, empty, { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, join(empty, 'none'))).toBe(false)
})
