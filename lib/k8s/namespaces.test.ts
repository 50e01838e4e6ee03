import { expect, test } from 'vitest'
import type { Kube } from './kube.ts'
import { createNamespace, isSuiteNamespaceName, namespaceName, runLabel } from './namespaces.ts'

test('names the suite makes look like its own, other names do not (a look, no proof: clean only lists such volumes)', () => {
  expect(isSuiteNamespaceName(namespaceName('Q1-16 a static volume binds [standard]'))).toBe(true)
  expect(isSuiteNamespaceName(namespaceName('SC-05 the reclaim policy is honoured'))).toBe(true)
  expect(isSuiteNamespaceName('default')).toBe(false)
  expect(isSuiteNamespaceName('sc-prod-db')).toBe(false)
  expect(isSuiteNamespaceName('kube-system')).toBe(false)
})

test('a namespace is in its run\'s record before it exists, and carries the run\'s label', async () => {
  const recorded: string[] = []
  const created: { name: string; recordedBefore: boolean; run?: string }[] = []
  const kube = {
    core: {
      createNamespace: async ({ body }: { body: { metadata: { name: string; labels: Record<string, string> } } }) => {
        created.push({ name: body.metadata.name, recordedBefore: recorded.includes(body.metadata.name), run: body.metadata.labels[runLabel] })
        return body
      },
    },
  } as unknown as Kube
  const name = await createNamespace(kube, 'SC-05 the reclaim policy is honoured', { id: 'run-a', recordNamespace: async (n) => { recorded.push(n) } })
  expect(created).toEqual([{ name, recordedBefore: true, run: 'run-a' }])
})
