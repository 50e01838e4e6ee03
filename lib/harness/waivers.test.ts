import { describe, expect, test } from 'vitest'
import { covers, parseWaivers, waiverFor, waiverVerdict } from './waivers.ts'

const w = (failing = 'has cluster IP') => ({ why: 'CoreDNS answers', failing })

describe('waivers', () => {
  test('a claim, or a claim on one storage class, each with its reason and the failure it accepts; // keys are comments', () => {
    const parsed = parseWaivers('{"// note": "x", "Q3-05": {"why": "CoreDNS answers", "failing": "NXDOMAIN"}, "Q1-06 [standard]": {"why": "no RWOP", "failing": "ReadWriteOncePod"}}', 'w.json')
    expect(parsed).toEqual({ 'Q3-05': { why: 'CoreDNS answers', failing: 'NXDOMAIN' }, 'Q1-06 [standard]': { why: 'no RWOP', failing: 'ReadWriteOncePod' } })
    expect(waiverFor(parsed, 'Q3-05', null)).toEqual({ why: 'CoreDNS answers', failing: 'NXDOMAIN' })
    expect(waiverFor(parsed, 'Q1-06', 'standard')?.why).toBe('no RWOP')
    expect(waiverFor(parsed, 'Q1-06', 'fast')).toBeUndefined()
  })

  test('a waiver without "failing" is refused with one line saying what to add', () => {
    for (const text of ['{"Q3-05": "CoreDNS answers"}', '{"Q3-05": {"why": "CoreDNS answers"}}', '{"Q3-05": {"why": "x", "failing": " "}}', '{"Q3-05": {"why": "x", "failing": 3}}']) {
      expect(() => parseWaivers(text, 'w.json')).toThrow('w.json: the waiver of Q3-05 must say which failure it accepts: "failing": "<text every accepted failure contains>"')
    }
  })

  test('a key that is not a claim ID, or a waiver without a reason, is an error naming it', () => {
    expect(() => parseWaivers('{"Q3": {"why": "x", "failing": "y"}}', 'w.json')).toThrow('w.json: "Q3" is not a claim ID')
    expect(() => parseWaivers('{"Q3-05": {"why": " ", "failing": "y"}}', 'w.json')).toThrow('the waiver of Q3-05 needs a reason')
    expect(() => parseWaivers('[1]', 'w.json')).toThrow('expected an object')
  })

  test('a waiver covers only failures that all say what it names', () => {
    expect(covers(w(), ['a while Service x has cluster IP 10.96.0.9', 'b while it has cluster IP too'])).toBe(true)
    expect(covers(w(), ['a while Service x has cluster IP 10.96.0.9', 'visits-1.visits did not resolve once headless'])).toBe(false)
    expect(covers(w(), [])).toBe(false)
  })

  describe('what a waiver makes of a finished test', () => {
    test('a waived failure of the named kind is accepted: it does not fail the run', () => {
      expect(waiverVerdict(w(), 'fail', ['expected NXDOMAIN while the Service has cluster IP 10.96.0.9'])).toBe('accepted')
    })
    test('a waived claim that passes fails the run (the waiver must go)', () => {
      expect(waiverVerdict(w(), 'pass', [])).toBe('unneeded')
    })
    test('a waived claim that fails some other way fails the run', () => {
      expect(waiverVerdict(w(), 'fail', ['pod visits-1 never became Ready'])).toBe('other')
      expect(waiverVerdict(w(), 'fail', [])).toBe('other')
    })
    test('no waiver, or a skipped test, changes nothing', () => {
      expect(waiverVerdict(undefined, 'fail', ['x'])).toBe('none')
      expect(waiverVerdict(w(), 'skip', [])).toBe('none')
    })
  })
})
