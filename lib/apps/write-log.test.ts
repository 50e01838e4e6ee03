import { describe, expect, test } from 'vitest'
import { checkWriteLog, describeWriteLogCheck, lastAck, recordSum } from './write-log.ts'

const log = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => `${from + i} ${recordSum(from + i)}\n`).join('')

describe('write log (DR-06)', () => {
  test('the record sum is sha256 of the number as 8 digits, as busybox printf %08d | sha256sum gives it', () => {
    // printf '%08d' 1 | sha256sum
    expect(recordSum(1)).toBe('ae5ce162888ee3ebe974976cac5ab94a3f55049f8515884883d579fb3fa378d2')
  })

  test('the last acknowledgement is the highest "ack <n>" line', () => {
    expect(lastAck('ack 1\nack 2\nreopened\nack 17\n')).toBe(17)
    expect(lastAck('starting\n')).toBe(0)
  })

  test('every acknowledged record there, and more after it: nothing lost or torn', () => {
    expect(checkWriteLog(log(50), 40)).toEqual({ lost: [], torn: [], records: 50, cutTail: false })
  })

  test('a file that ends right after the last acknowledged record is whole; without that newline (a read that trims) it would be torn', () => {
    expect(checkWriteLog(log(53), 53)).toEqual({ lost: [], torn: [], records: 53, cutTail: false })
    expect(checkWriteLog(log(53).trimEnd(), 53)).toMatchObject({ lost: [53], torn: [expect.stringContaining('line 53')] })
  })

  test('a kill that cut the last, unacknowledged record short is allowed and reported', () => {
    const c = checkWriteLog(`${log(50)}51 ${recordSum(51).slice(0, 20)}`, 40)
    expect(c).toEqual({ lost: [], torn: [], records: 50, cutTail: true })
    expect(describeWriteLogCheck(c, 40)).toMatch(/cut short by the kill/)
  })

  test('acknowledged records missing at the end are lost', () => {
    const c = checkWriteLog(log(30), 40)
    expect(c.lost).toEqual(Array.from({ length: 10 }, (_, i) => 31 + i))
    expect(describeWriteLogCheck(c, 40)).toMatch(/records 31…40 lost \(10 of 40 acknowledged\)/)
  })

  test('an acknowledged record zeroed or with a wrong sum is torn and lost; the whole records around it count', () => {
    const zeroed = log(10) + '\0'.repeat(40) + '\n' + log(20, 12)
    const c = checkWriteLog(zeroed, 15)
    expect(c.torn[0]).toMatch(/^line 11: /)
    expect(c.lost).toEqual([11])
    expect(c.records).toBe(19)
    const wrong = log(4) + `5 ${recordSum(6)}\n` + log(8, 6)
    expect(checkWriteLog(wrong, 8).torn[0]).toMatch(/line 5: .*expected record 5/)
  })

  test('a cut line among acknowledged records is torn, not a cut tail', () => {
    const c = checkWriteLog(`${log(9)}10 ${recordSum(10).slice(0, 10)}`, 10)
    expect(c.torn).toHaveLength(1)
    expect(c.cutTail).toBe(false)
    expect(c.lost).toEqual([10])
  })
})
