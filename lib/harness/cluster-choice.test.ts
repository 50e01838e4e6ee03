import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { consentMissing, kubeconfigConfigured, usesEmbeddedCluster } from './cluster-choice.ts'

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

test('a context that is not a local cluster is tested only when named or confirmed', () => {
  expect(consentMissing({}, 'kind-kind', 'https://127.0.0.1:43211')).toBeUndefined()
  expect(consentMissing({}, 'minikube', 'https://192.168.49.2:8443')).toBeUndefined()
  expect(consentMissing({}, 'prod-eu', 'https://prod.example:443')).toContain('SC_CONTEXT=prod-eu')
  expect(consentMissing({ context: 'prod-eu' }, 'prod-eu', 'https://prod.example:443')).toBeUndefined()
  expect(consentMissing({ yes: true }, 'prod-eu', 'https://prod.example:443')).toBeUndefined()
  expect(consentMissing({}, 'embedded', 'https://10.0.0.2:6443')).toBeUndefined()
  expect(consentMissing({}, 'inClusterContext', 'https://10.96.0.1:443')).toBeUndefined()
})
