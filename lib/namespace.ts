// Namespaces the suite makes: one per test, labelled with the suite and the
// run, so that a run (or `npm run clean`) finds and removes exactly its own.
import { randomBytes } from 'node:crypto'
import { describeApiError, isNotFound, retryTransient, type Kube } from './kube.ts'

export const managedBy = { 'app.kubernetes.io/managed-by': 'stateful-conformance' } as const
export const runLabel = 'stateful-conformance/run'
export const claimLabel = 'stateful-conformance/claim'

export function namespaceName(title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '')
  return `sc-${slug}-${randomBytes(3).toString('hex')}`
}

export async function createNamespace(kube: Kube, title: string, runId: string, claim?: string): Promise<string> {
  const name = namespaceName(title)
  await retryTransient(`create namespace ${name}`, () => kube.core.createNamespace({
    body: {
      metadata: {
        name,
        labels: { ...managedBy, [runLabel]: runId, ...(claim ? { [claimLabel]: claim } : {}) },
        annotations: { 'stateful-conformance/test': title.slice(0, 250) },
      },
    },
  })).catch((err: unknown) => { throw new Error(`create namespace ${name}: ${describeApiError(err)}`) })
  return name
}

// Starts the deletion; the run's teardown waits until all are gone.
export async function deleteNamespace(kube: Kube, name: string): Promise<void> {
  await retryTransient(`delete namespace ${name}`, () => kube.core.deleteNamespace({ name, propagationPolicy: 'Background' }))
    .catch((err: unknown) => { if (!isNotFound(err)) throw err })
}

export async function listSuiteNamespaces(kube: Kube, runId?: string): Promise<string[]> {
  const selector = `app.kubernetes.io/managed-by=stateful-conformance${runId ? `,${runLabel}=${runId}` : ''}`
  const list = await retryTransient('list namespaces', () => kube.core.listNamespace({ labelSelector: selector }))
  return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean)
}
