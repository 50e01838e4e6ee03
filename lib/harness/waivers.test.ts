import { describe, expect, test } from 'vitest'
import { covers, parseWaivers, waiverFor } from './waivers.ts'

describe('waivers', () => {
  test('a claim, or a claim on one storage class, each with its reason; // keys are comments', () => {
    const w = parseWaivers('{"// note": "x", "Q3-05": "CoreDNS answers", "Q1-06 [standard]": "no RWOP"}', 'w.json')
    expect(w).toEqual({ 'Q3-05': { why: 'CoreDNS answers' }, 'Q1-06 [standard]': { why: 'no RWOP' } })
    expect(waiverFor(w, 'Q3-05', null)).toEqual({ why: 'CoreDNS answers' })
    expect(waiverFor(w, 'Q1-06', 'standard')).toEqual({ why: 'no RWOP' })
    expect(waiverFor(w, 'Q1-06', 'fast')).toBeUndefined()
  })

  test('a key that is not a claim ID, or a waiver without a reason, is an error naming it', () => {
    expect(() => parseWaivers('{"Q3": "x"}', 'w.json')).toThrow('w.json: "Q3" is not a claim ID')
    expect(() => parseWaivers('{"Q3-05": " "}', 'w.json')).toThrow('the waiver of Q3-05 needs a reason')
    expect(() => parseWaivers('[1]', 'w.json')).toThrow('expected an object')
  })

  test('a waiver that names its failure covers only failures that say so', () => {
    const w = parseWaivers('{"Q3-05": {"why": "CoreDNS", "failing": "has cluster IP"}}', 'w.json')['Q3-05']!
    expect(covers(w, ['a while Service x has cluster IP 10.96.0.9', 'b while it has cluster IP too'])).toBe(true)
    expect(covers(w, ['a while Service x has cluster IP 10.96.0.9', 'visits-1.visits did not resolve once headless'])).toBe(false)
    expect(covers({ why: 'any' }, ['whatever'])).toBe(true)
    expect(() => parseWaivers('{"Q3-05": {"why": "x", "failing": 3}}', 'w.json')).toThrow('"failing" of Q3-05')
  })
})
