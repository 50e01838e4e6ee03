import { describe, expect, test } from 'vitest'
import { tearDownTest, type TestTeardown } from './teardown.ts'

function recordingTeardown(failed: boolean, overrides: Partial<TestTeardown> = {}) {
  const log: string[] = []
  let dumped = false
  const teardown: TestTeardown = {
    failed,
    dump: async () => { dumped = true; log.push('dump'); return 'reports/x' },
    cleanups: [
      // A fake clean-up step that records whether the dump already exists when it runs.
      { what: 'first registered', undo: async () => { log.push(`undo first (dump ${dumped ? 'already written' : 'missing'})`) } },
      { what: 'second registered', undo: async () => { log.push(`undo second (dump ${dumped ? 'already written' : 'missing'})`) } },
    ],
    stopRecorders: () => { log.push('stop recorders') },
    releaseVolumes: async () => { log.push('release volumes') },
    deleteNamespace: async () => { log.push('delete namespace') },
    ...overrides,
  }
  return { teardown, log }
}

describe('after a test', () => {
  test('a failed test\'s diagnostics are written before any clean-up step runs; steps run last registered first; Retain volumes are released; the namespace goes last', async () => {
    const { teardown, log } = recordingTeardown(true)
    expect(await tearDownTest(teardown)).toEqual({ diagnostics: 'reports/x', errors: [], leftovers: [] })
    expect(log).toEqual(['dump', 'undo second (dump already written)', 'undo first (dump already written)', 'stop recorders', 'release volumes', 'delete namespace'])
  })

  test('a passed test writes no diagnostics', async () => {
    const { teardown, log } = recordingTeardown(false)
    expect(await tearDownTest(teardown)).toEqual({ errors: [], leftovers: [] })
    expect(log).not.toContain('dump')
  })

  test('a clean-up step that fails is reported and the others still run; one that finds its object gone (404) is done', async () => {
    const { teardown, log } = recordingTeardown(false)
    teardown.cleanups.push({ what: 'volume pv-1', undo: async () => { throw Object.assign(new Error('forbidden'), { code: 403 }) } })
    teardown.cleanups.push({ what: 'volume pv-2', undo: async () => { throw Object.assign(new Error('not found'), { code: 404 }) } })
    const result = await tearDownTest(teardown)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(/^volume pv-1: /)
    expect(log).toContain('delete namespace')
  })

  test('diagnostics that cannot be written do not stop the clean-up', async () => {
    const { teardown, log } = recordingTeardown(true, { dump: async () => { throw new Error('disk full') } })
    const result = await tearDownTest(teardown)
    expect(result.errors).toEqual(['diagnostics: disk full'])
    expect(log.at(-1)).toBe('delete namespace')
  })

  test('volumes that cannot be listed are a warning of leftovers (`npm run clean` removes them), not a failure of the claim; the namespace still goes', async () => {
    const { teardown, log } = recordingTeardown(false, { releaseVolumes: async () => { throw Object.assign(new Error('list volumes: HTTP 500: etcdserver: request timed out'), { code: 500 }) } })
    const result = await tearDownTest(teardown)
    expect(result.errors).toEqual([])
    expect(result.leftovers).toHaveLength(1)
    expect(result.leftovers[0]).toMatch(/etcdserver: request timed out/)
    expect(result.leftovers[0]).toMatch(/npm run clean/)
    expect(log.at(-1)).toBe('delete namespace')
  })
})
