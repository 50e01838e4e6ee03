import { describe, expect, test } from 'vitest'
import type { Gap } from './gaps.ts'
import { type Recording, watchRecordingFor } from './recordings.ts'

// A recording whose events the test adds by hand.
function fakeRecording(): Recording & { add(e: string): void; events: string[] } {
  const subscribers = new Set<() => void>()
  const events: string[] = []
  return {
    source: 'pod watch', subject: 'ns (app=keeper)', gaps: [] as Gap[], events,
    subscribe: (fn) => { subscribers.add(fn); return () => subscribers.delete(fn) },
    describe: () => events.join('\n'),
    add(e) { events.push(e); for (const fn of subscribers) fn() },
  }
}

describe('watchRecordingFor (a hold: nothing may happen for a while)', () => {
  test('resolves undefined after the whole stretch when nothing forbidden was seen', async () => {
    const r = fakeRecording()
    const t0 = Date.now()
    setTimeout(() => r.add('keeper-0 ready'), 20)
    await expect(watchRecordingFor(r, 150, (x) => x.events.find((e) => e.startsWith('keeper-1')))).resolves.toBeUndefined()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
  })

  test('resolves at once with what it saw when the forbidden event comes, not at the end', async () => {
    const r = fakeRecording()
    const t0 = Date.now()
    setTimeout(() => r.add('keeper-1 created'), 20)
    await expect(watchRecordingFor(r, 5_000, (x) => x.events.find((e) => e.startsWith('keeper-1')))).resolves.toBe('keeper-1 created')
    expect(Date.now() - t0).toBeLessThan(1_000)
  })

  test('a forbidden event already in the recording is reported without waiting', async () => {
    const r = fakeRecording()
    r.add('keeper-1 created')
    await expect(watchRecordingFor(r, 5_000, (x) => x.events.find((e) => e.startsWith('keeper-1')))).resolves.toBe('keeper-1 created')
  })
})
