import { expect, test } from 'vitest'
import { claimSignal, currentClaim, defaultSettings, onClaimStopped, pollPause, runSettings, throwIfStopped, unstoppable, withClaimContext, withRunSettings } from './claim-context.ts'
import { timeout } from './timeouts.ts'

const claim = (signal?: AbortSignal) => ({ test: 'Q1-04 standard', steps: [], settings: { ...defaultSettings, timeoutScale: 2 }, signal })

test('the run\'s settings come from the context: a claim\'s, or the defaults outside one', async () => {
  expect(runSettings()).toBe(defaultSettings)
  expect(timeout('exec')).toBe(30_000)
  await withClaimContext(claim(), async () => {
    expect(timeout('exec')).toBe(60_000)
    // Across awaits, as AsyncLocalStorage carries it.
    await pollPause(1)
    expect(currentClaim()?.test).toBe('Q1-04 standard')
  })
  await withRunSettings({ ...defaultSettings, timeoutScale: 0.5 }, async () => expect(timeout('exec')).toBe(15_000))
  expect(timeout('exec')).toBe(30_000)
})

test('an interrupted poll pause ends at once with the signal\'s reason', async () => {
  const stop = new AbortController()
  const started = performance.now()
  const paused = withClaimContext(claim(stop.signal), () => pollPause(60_000))
  setTimeout(() => stop.abort(new Error('the test timed out')), 20)
  await expect(paused).rejects.toThrow('the test timed out')
  expect(performance.now() - started).toBeLessThan(5_000)
})

test('a stopped claim: throwIfStopped throws, onClaimStopped fires at once or on the abort, and clean-up runs without the signal', async () => {
  const stop = new AbortController()
  await withClaimContext(claim(stop.signal), async () => {
    const seen: string[] = []
    const unlisten = onClaimStopped((e) => seen.push(e.message))
    expect(() => throwIfStopped()).not.toThrow()
    stop.abort('Ctrl-C')
    expect(seen).toEqual(['interrupted: Ctrl-C'])
    unlisten()
    expect(() => throwIfStopped()).toThrow('interrupted: Ctrl-C')
    onClaimStopped((e) => seen.push(`late: ${e.message}`))
    expect(seen).toEqual(['interrupted: Ctrl-C', 'late: interrupted: Ctrl-C'])
    // Teardown: the same claim (its step log, its settings), no signal, so its waits run to their end.
    await unstoppable(async () => {
      expect(claimSignal()).toBeUndefined()
      expect(currentClaim()?.test).toBe('Q1-04 standard')
      expect(timeout('exec')).toBe(60_000)
      await pollPause(1)
    })
  })
  // Outside a claim: nothing to listen to.
  expect(onClaimStopped(() => { throw new Error('never') })).toBeTypeOf('function')
})
