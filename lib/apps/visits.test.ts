import { describe, expect, test } from 'vitest'
import { auditVisits, describeAudit, parseVisitLog, visitIds } from './visits.ts'

describe('visit records', () => {
  test('one record per line: "<id> <pod>"', () => {
    expect(parseVisitLog('a-1 web-0\na-2 web-0\n\n')).toEqual([{ id: 'a-1', pod: 'web-0' }, { id: 'a-2', pod: 'web-0' }])
    expect(parseVisitLog('')).toEqual([])
  })

  test('ids are unique within a batch and between batches', () => {
    const ids = [...visitIds(40), ...visitIds(40)]
    expect(new Set(ids).size).toBe(80)
  })

  test('disjoint records that hold every visit pass the audit', () => {
    const answered = new Map([['1', 'w-0'], ['2', 'w-1'], ['3', 'w-0']])
    const a = auditVisits(['1', '2', '3'], answered, { 'w-0': parseVisitLog('1 w-0\n3 w-0'), 'w-1': parseVisitLog('2 w-1'), 'w-2': [] })
    expect(a).toEqual({ counts: { 'w-0': 2, 'w-1': 1, 'w-2': 0 }, total: 3, missing: [], unexpected: [], duplicated: [], misplaced: [] })
  })

  test('a lost, doubled, foreign or misfiled record is named', () => {
    const answered = new Map([['1', 'w-0'], ['2', 'w-1'], ['3', 'w-1']])
    const a = auditVisits(['1', '2', '3'], answered, {
      'w-0': parseVisitLog('1 w-0\n2 w-0\nx w-0'),
      'w-1': parseVisitLog('2 w-1'),
    })
    expect(a.missing).toEqual(['3'])
    expect(a.unexpected).toEqual(['x'])
    expect(a.duplicated).toEqual(['2 (2 times)'])
    expect(a.misplaced).toEqual(["2 in w-0's file (recorded by w-0, answered by w-1)"])
    expect(describeAudit(a, 3)).toContain('records per pod: w-0 3, w-1 1 (total 4)')
  })
})
