import type { V1Namespace, V1PersistentVolume } from '@kubernetes/client-node'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { Kube } from '../k8s/kube.ts'
import { createNamespace, deleteNamespace } from '../k8s/namespaces.ts'
import { clean, cleanConsent, describeCleanPlan, findLeftovers, isNothingToClean, parseCleanArgs, removeRun } from './leftovers.ts'
import { runRecord, runRecords } from './run-record.ts'

// A cluster as the sweeps see it: namespaces (with labels) and volumes (with
// their claim's namespace). Deleting a namespace deletes its claims: their
// Retain volumes go Released, as the PV controller makes them.
function fakeCluster() {
  const namespaces = new Map<string, Record<string, string>>()
  const volumes = new Map<string, V1PersistentVolume>()
  const matches = (labels: Record<string, string>, selector?: string) =>
    !selector || selector.split(',').every((term) => { const [k, v] = term.split('='); return labels[k!] === v })
  const nsObject = (name: string): V1Namespace => ({ metadata: { name, labels: namespaces.get(name) } })
  const notFound = () => Object.assign(new Error('not found'), { code: 404 })
  const kube = {
    core: {
      createNamespace: async ({ body }: { body: V1Namespace }) => { namespaces.set(body.metadata!.name!, body.metadata!.labels ?? {}); return body },
      listNamespace: async (q: { labelSelector?: string } = {}) => ({ items: [...namespaces.keys()].filter((n) => matches(namespaces.get(n)!, q.labelSelector)).map(nsObject) }),
      deleteNamespace: async ({ name }: { name: string }) => {
        if (!namespaces.delete(name)) throw notFound()
        for (const pv of volumes.values()) if (pv.spec?.claimRef?.namespace === name) pv.status = { phase: 'Released' }
        return {}
      },
      listPersistentVolume: async () => ({ items: [...volumes.values()] }),
      deletePersistentVolume: async ({ name }: { name: string }) => { if (!volumes.delete(name)) throw notFound(); return {} },
    },
    objects: {
      // Only namespaces are listed this way here (the watch behind removeSuiteNamespaces).
      list: async (_v: string, kind: string, _ns?: string, _p?: unknown, _e?: unknown, _f?: unknown, _fs?: string, labelSelector?: string) => {
        if (kind !== 'Namespace') throw new Error(`the fake lists namespaces only, not ${kind}`)
        return { items: [...namespaces.keys()].filter((n) => matches(namespaces.get(n)!, labelSelector)).map(nsObject), metadata: { resourceVersion: '1' } }
      },
    },
    // Namespaces go at once here: the list before the watch already shows them gone.
    watch: { watch: async () => new AbortController() },
  } as unknown as Kube
  return {
    kube,
    namespaces,
    volumes,
    // A Retain volume bound to a claim in `namespace`.
    bind(pv: string, namespace: string, labels?: Record<string, string>) {
      volumes.set(pv, { metadata: { name: pv, ...(labels ? { labels } : {}) }, spec: { claimRef: { namespace, name: 'data' }, persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Bound' } })
    },
    // A volume left Released by a claim whose namespace someone deleted.
    released(pv: string, namespace: string) {
      volumes.set(pv, { metadata: { name: pv }, spec: { claimRef: { namespace, name: 'data' }, persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Released' } })
    },
    volumeNames: () => [...volumes.keys()].sort(),
  }
}

let reports: string
beforeEach(async () => {
  reports = await mkdtemp(join(tmpdir(), 'sc-leftovers-'))
  vi.spyOn(console, 'log').mockImplementation(() => undefined)
})
afterEach(async () => {
  vi.restoreAllMocks()
  await rm(reports, { recursive: true, force: true })
})

// Two runs on one cluster, each part way: a test of each made a namespace and
// deleted it (its Retain volume left Released, SC-05 style), another test's
// namespace is still there with its volume bound. Beside them, a volume left
// Released in a namespace named as the suite names them that no run made,
// and one bound in `default`.
async function twoRuns() {
  const c = fakeCluster()
  const a = runRecord(reports, 'run-a')
  const b = runRecord(reports, 'run-b')
  const ns = {
    aGone: await createNamespace(c.kube, 'SC-05 the reclaim policy is honoured', a, 'SC-05'),
    aHere: await createNamespace(c.kube, 'Q1-16 a static volume binds', a, 'Q1-16'),
    bGone: await createNamespace(c.kube, 'SC-05 the reclaim policy is honoured', b, 'SC-05'),
    bHere: await createNamespace(c.kube, 'Q1-16 a static volume binds', b, 'Q1-16'),
  }
  c.bind('pv-a-gone', ns.aGone)
  c.bind('pv-a-here', ns.aHere)
  c.bind('pv-b-gone', ns.bGone)
  c.bind('pv-b-here', ns.bHere)
  await deleteNamespace(c.kube, ns.aGone)
  await deleteNamespace(c.kube, ns.bGone)
  c.released('pv-lookalike', 'sc-someone-elses-0a1b2c')
  c.bind('pv-default', 'default')
  return { c, a, b, ns }
}

describe('a run removes what it left, and nothing of another run', () => {
  test('each run sweeps the volumes of its own namespaces, those still there and those it already deleted, and no others (issue 21)', async () => {
    const { c, a, b, ns } = await twoRuns()

    const byA = await removeRun(c.kube, a, 10_000)
    expect(byA).toEqual({ namespacesLeft: [], volumes: ['pv-a-gone', 'pv-a-here'], volumesLeft: [] })
    expect(c.volumeNames()).toEqual(['pv-b-gone', 'pv-b-here', 'pv-default', 'pv-lookalike'])
    expect([...c.namespaces.keys()]).toEqual([ns.bHere])
    expect(c.volumes.get('pv-b-gone')?.status?.phase, 'run B\'s Released volume, still there for its claim').toBe('Released')

    const byB = await removeRun(c.kube, b, 10_000)
    expect(byB.volumes.sort()).toEqual(['pv-b-gone', 'pv-b-here'])
    expect(c.volumeNames()).toEqual(['pv-default', 'pv-lookalike'])
  })

  test('the record goes once the run left nothing; it stays while one of its volumes is still bound', async () => {
    const { c, a, ns } = await twoRuns()
    expect(await a.recorded()).toEqual([ns.aGone, ns.aHere])
    // The claim outlives its namespace's deletion for a moment (the PV controller has not caught up).
    c.kube.core.deleteNamespace = (async ({ name }: { name: string }) => { c.namespaces.delete(name); return {} }) as Kube['core']['deleteNamespace']
    const first = await removeRun(c.kube, a, 10_000)
    expect(first).toEqual({ namespacesLeft: [], volumes: ['pv-a-gone'], volumesLeft: [`pv-a-here (Bound, claim ${ns.aHere}/data)`] })
    expect(existsSync(a.file)).toBe(true)
    c.volumes.get('pv-a-here')!.status = { phase: 'Released' }
    expect((await removeRun(c.kube, a, 10_000)).volumes).toEqual(['pv-a-here'])
    expect(existsSync(a.file)).toBe(false)
  })
})

describe('npm run clean', () => {
  test('lists every run\'s namespaces and their volumes, and the recorded volumes of gone namespaces; a volume only named like the suite\'s is listed apart, not deleted', async () => {
    const { c, ns } = await twoRuns()
    c.bind('pv-static', ns.bHere, { 'app.kubernetes.io/managed-by': 'stateful-conformance' })
    const plan = await findLeftovers(c.kube, await runRecords(reports))
    expect(plan.namespaces).toEqual([ns.aHere, ns.bHere].sort())
    expect(plan.labelledVolumes).toEqual(['pv-static'])
    expect(plan.volumes.map((v) => [v.name, v.evidence])).toEqual([
      ['pv-a-gone', 'run run-a recorded its claim\'s namespace'],
      ['pv-a-here', 'its claim is in a namespace of the suite'],
      ['pv-b-gone', 'run run-b recorded its claim\'s namespace'],
      ['pv-b-here', 'its claim is in a namespace of the suite'],
    ])
    expect(plan.unrecorded.map((v) => v.name)).toEqual(['pv-lookalike'])
    expect(describeCleanPlan(plan, false, 'reports/.runs')).toMatch(/possibly the suite's, NOT deleted .*--include-unrecorded deletes them too\):\n {2}pv-lookalike \(claim sc-someone-elses-0a1b2c\/data, Released\)/)

    expect(await clean(c.kube, plan, { includeUnrecorded: false, timeoutMs: 10_000 })).toEqual({ deleted: ['pv-static', 'pv-a-gone', 'pv-a-here', 'pv-b-gone', 'pv-b-here'], left: [] })
    expect(c.volumeNames()).toEqual(['pv-default', 'pv-lookalike'])
    expect(c.namespaces.size).toBe(0)
    expect(await runRecords(reports), 'the records of runs whose leftovers are gone').toEqual([])
  })

  test('deletes nothing it did not list: a namespace made after the listing stays', async () => {
    const { c } = await twoRuns()
    const plan = await findLeftovers(c.kube, await runRecords(reports))
    const later = await createNamespace(c.kube, 'a run started meanwhile', runRecord(reports, 'run-c'))
    await clean(c.kube, plan, { includeUnrecorded: false, timeoutMs: 10_000 })
    expect([...c.namespaces.keys()]).toEqual([later])
  })

  test('--include-unrecorded deletes the volumes only named like the suite\'s too', async () => {
    const { c } = await twoRuns()
    const plan = await findLeftovers(c.kube, await runRecords(reports))
    expect(isNothingToClean({ ...plan, namespaces: [], labelledVolumes: [], volumes: [] }, false)).toBe(true)
    expect(isNothingToClean({ ...plan, namespaces: [], labelledVolumes: [], volumes: [] }, true)).toBe(false)
    await clean(c.kube, plan, { includeUnrecorded: true, timeoutMs: 10_000 })
    expect(c.volumeNames()).toEqual(['pv-default'])
  })

  test('asks at a terminal, deletes without asking only with --yes, and elsewhere not at all', async () => {
    const never = async (): Promise<string> => { throw new Error('asked') }
    expect(await cleanConsent(parseCleanArgs(['--yes']), false, never)).toBe('go')
    expect(await cleanConsent(parseCleanArgs([]), false, never)).toBe('needs --yes')
    expect(await cleanConsent(parseCleanArgs([]), true, async () => 'y\n')).toBe('go')
    expect(await cleanConsent(parseCleanArgs([]), true, async () => '')).toBe('declined')
    expect(parseCleanArgs(['--include-unrecorded'])).toEqual({ yes: false, includeUnrecorded: true })
    expect(() => parseCleanArgs(['--all'])).toThrow(/unknown argument --all/)
  })
})
