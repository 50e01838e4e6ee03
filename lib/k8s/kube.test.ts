import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { apiCreate, apiDelete, createMark, isTransient, loadKubeConfig, retryTransient, statusCode, transientBudgetMs } from './kube.ts'

test('an HTTP status is read from code or statusCode; a DOMException code is not one', () => {
  expect(statusCode({ code: 404 })).toBe(404)
  expect(statusCode({ statusCode: 410 })).toBe(410)
  expect(statusCode(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBeUndefined()
})

test('transient: throttling, server errors, broken connections and timeouts; not 403 or 404', () => {
  expect(isTransient({ code: 429 })).toBe(true)
  expect(isTransient({ code: 503 })).toBe(true)
  expect(isTransient(new Error('read ECONNRESET'))).toBe(true)
  expect(isTransient(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }) }))).toBe(true)
  expect(isTransient(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true)
  expect(isTransient({ code: 403, message: 'forbidden' })).toBe(false)
  expect(isTransient({ code: 404, message: 'not found' })).toBe(false)
})

test('a request retries transient failures for transientBudgetMs (about 28 s), the budget watches reconnect within', async () => {
  vi.useFakeTimers()
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  try {
    const started = Date.now()
    let tries = 0
    const outcome = retryTransient('list pods', async () => {
      tries++
      throw new Error('read ECONNRESET')
    }).then(() => 'resolved', (err: Error) => err.message)
    await vi.runAllTimersAsync()
    expect(await outcome).toBe('read ECONNRESET')
    expect(tries).toBe(11)
    expect(Date.now() - started).toBe(transientBudgetMs)
    expect(transientBudgetMs).toBe(27_750)
  } finally {
    vi.useRealTimers()
    vi.restoreAllMocks()
  }
})

describe('creates and deletes retried after a failure whose request did commit', () => {
  type Obj = { metadata: { name: string; annotations?: Record<string, string> } }
  const conflict = () => Object.assign(new Error('AlreadyExists'), { code: 409 })
  const notFound = () => Object.assign(new Error('NotFound'), { code: 404 })
  // A server that stores what it is sent, and whose answer to the first request is lost.
  const server = (existing?: Obj) => {
    let stored = existing
    let calls = 0
    return {
      create: async (body: Obj) => {
        calls++
        if (stored) throw conflict()
        stored = body
        if (calls === 1) throw new Error('read ECONNRESET')
        return body
      },
      read: async () => stored ?? Promise.reject(notFound()),
      delete: async () => {
        calls++
        if (!stored) throw notFound()
        stored = undefined
        if (calls === 1) throw new Error('read ECONNRESET')
        return { status: 'Success' }
      },
    }
  }
  const quietly = () => vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  afterEach(() => { vi.restoreAllMocks() })

  test('a create meeting its own first try on the retry (409) reads it back and takes it', async () => {
    quietly()
    const s = server()
    const made = await apiCreate('create pod q/a', { metadata: { name: 'a' } }, s.create, s.read)
    expect(made.metadata).toMatchObject({ name: 'a', annotations: { [createMark]: expect.any(String) } })
  })

  test('a 409 on the first try, or for an object another made, is still an error', async () => {
    quietly()
    const theirs = { metadata: { name: 'a', annotations: { [createMark]: 'someone else' } } }
    await expect(apiCreate('create pod q/a', { metadata: { name: 'a' } }, server(theirs).create, server(theirs).read)).rejects.toMatchObject({ code: 409 })
    let calls = 0
    const lost = async (body: Obj) => { if (++calls === 1) throw new Error('read ECONNRESET'); throw Object.assign(new Error(`AlreadyExists ${body.metadata.name}`), { code: 409 }) }
    await expect(apiCreate('create pod q/a', { metadata: { name: 'a' } }, lost, async () => theirs)).rejects.toMatchObject({ code: 409, message: /create pod q\/a: HTTP 409/ })
  })

  test('a delete finding the object gone on the retry (404) is done; a 404 on the first try is an error', async () => {
    quietly()
    const s = server({ metadata: { name: 'a' } })
    await expect(apiDelete('delete claim q/a', s.delete)).resolves.toBeUndefined()
    await expect(apiDelete('delete claim q/a', server().delete)).rejects.toMatchObject({ code: 404 })
  })

  test('with a uid precondition, a Conflict on the retry (another object took the name) is done too', async () => {
    quietly()
    let calls = 0
    const del = async () => { if (++calls === 1) throw new Error('read ECONNRESET'); throw Object.assign(new Error('Precondition failed: UID'), { code: 409 }) }
    await expect(apiDelete('delete pod q/web-0', del, { uidPrecondition: true })).resolves.toBeUndefined()
    calls = 0
    await expect(apiDelete('delete pod q/web-0', del)).rejects.toMatchObject({ code: 409 })
  })
})

describe('kubeconfig as kubectl reads it', () => {
  const config = (name: string, server: string, current?: string) => `apiVersion: v1
kind: Config
clusters: [{ name: ${name}, cluster: { server: '${server}' } }]
users: [{ name: ${name}, user: { token: t } }]
contexts: [{ name: ${name}, context: { cluster: ${name}, user: ${name} } }]
${current ? `current-context: ${current}` : ''}
`

  test('KUBECONFIG lists several files: all their contexts, the first current-context and the first of a repeated name win; missing files are skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'))
    await writeFile(join(dir, 'a'), config('kind', 'https://127.0.0.1:6443', 'kind'))
    await writeFile(join(dir, 'b'), config('prod', 'https://prod:443', 'prod') + '\n')
    await writeFile(join(dir, 'c'), config('kind', 'https://elsewhere:6443'))
    const kc = loadKubeConfig([join(dir, 'a'), join(dir, 'missing'), join(dir, 'b'), join(dir, 'c')].join(delimiter), undefined, dir)
    expect(kc.getContexts().map((c) => c.name)).toEqual(['kind', 'prod'])
    expect(kc.getCurrentContext()).toBe('kind')
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443')
    expect(loadKubeConfig([join(dir, 'a'), join(dir, 'b')].join(delimiter), 'prod', dir).getCurrentCluster()?.server).toBe('https://prod:443')
  })

  test('no kubeconfig anywhere says just that', async () => {
    const home = await mkdtemp(join(tmpdir(), 'home-'))
    expect(() => loadKubeConfig(undefined, undefined, home)).toThrow(/^no kubeconfig: KUBECONFIG is not set, .*\.kube\/config does not exist/)
    expect(() => loadKubeConfig(join(home, 'x') + delimiter + join(home, 'y'), undefined, home)).toThrow(/^no kubeconfig: none of .*x, .*y exists$/)
  })
})
