import { describe, expect, test } from 'vitest'
import { describeGap, IncompleteRecording, RecordingGaps } from './gaps.ts'

const at = (clock: string) => Date.parse(`2026-01-01T${clock}Z`)
const podWatch = { source: 'pod watch', subject: 'sc-q0-10-ab12 (app=podinfo)' }

describe('RecordingGaps', () => {
  test('a relist is a gap from the last event before it to the relist, named with when and why', () => {
    const gaps = new RecordingGaps()
    gaps.open(at('12:00:01.234'), 'resourceVersion 812 expired (410 Gone): listed again', 7)
    gaps.close(at('12:00:03.456'), 0, 7, 9) // the relist brought events 7 and 8
    expect(gaps.list).toEqual([{ from: at('12:00:01.234'), to: at('12:00:03.456'), reason: 'resourceVersion 812 expired (410 Gone): listed again', seq: 7, resumed: 9, final: false }])
    expect(describeGap(podWatch, gaps.list[0]!, 'the order')).toBe(
      'pod watch of sc-q0-10-ab12 (app=podinfo) has a gap: 12:00:01.234–12:00:03.456, resourceVersion 812 expired (410 Gone): listed again; events in it may be missing, so the order cannot be shown')
  })

  test('a watch that ended is a gap that never closes; one that ends while relisting keeps both reasons', () => {
    const died = new RecordingGaps()
    died.end(at('12:00:01.000'), 'the watch ended: forbidden', 3)
    died.close(at('12:00:05.000'), 0, 0)
    expect(died.list).toMatchObject([{ final: true }])
    expect(died.list[0]!.to).toBeUndefined()
    expect(new IncompleteRecording(podWatch, died.list[0]!, 'the order').message).toContain('12:00:01.000–never resumed, the watch ended: forbidden;')

    const relistFailed = new RecordingGaps()
    relistFailed.open(at('12:00:01.000'), 'expired (410 Gone)', 3)
    relistFailed.end(at('12:00:02.000'), 'the watch ended: list failed', 3)
    expect(relistFailed.list).toEqual([{ from: at('12:00:01.000'), reason: 'expired (410 Gone); then the watch ended: list failed', seq: 3, final: true }])
  })

  test('a relist nobody announced is a gap of its own', () => {
    const gaps = new RecordingGaps()
    gaps.close(at('12:00:02.000'), at('12:00:01.000'), 4)
    expect(gaps.list).toEqual([{ from: at('12:00:01.000'), to: at('12:00:02.000'), reason: 'listed again', seq: 4, resumed: 4, final: false }])
  })

  test('around: the events a relist brought fell in its gap, as does every event after a gap that never closed', () => {
    const gaps = new RecordingGaps()
    gaps.open(0, 'relist', 5)
    expect(gaps.around(4)).toBeUndefined()
    expect(gaps.around(5)).toBe(gaps.list[0]) // still relisting
    gaps.close(1, 0, 5, 8)
    expect([4, 5, 7, 8].map((seq) => gaps.around(seq) !== undefined)).toEqual([false, true, true, false])
    gaps.end(2, 'the watch ended', 10)
    expect(gaps.around(9)).toBeUndefined()
    expect(gaps.around(10)).toBe(gaps.list[1])
  })

  test('blocking: a closed gap stops only checks that read events from it on; an open one stops every check', () => {
    const gaps = new RecordingGaps()
    expect(gaps.blocking()).toBeUndefined()
    gaps.open(0, 'relist', 5)
    expect(gaps.blocking(2)).toBe(gaps.list[0]) // still relisting
    gaps.close(1, 0, 0)
    expect(gaps.blocking(4)).toBeUndefined() // events 0–4 were all seen before it
    expect(gaps.blocking(5)).toBe(gaps.list[0])
    expect(gaps.blocking()).toBe(gaps.list[0]) // "nothing else happened" reads it all
  })
})
