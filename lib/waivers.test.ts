import { describe, expect, test } from 'vitest'
import { parseWaivers, waiverFor } from './waivers.ts'

describe('waivers', () => {
  test('a claim, or a claim on one storage class, each with its reason; // keys are comments', () => {
    const w = parseWaivers('{"// note": "x", "Q3-05": "CoreDNS answers", "Q1-06 [standard]": "no RWOP"}', 'w.json')
    expect(w).toEqual({ 'Q3-05': 'CoreDNS answers', 'Q1-06 [standard]': 'no RWOP' })
    expect(waiverFor(w, 'Q3-05', null)).toBe('CoreDNS answers')
    expect(waiverFor(w, 'Q1-06', 'standard')).toBe('no RWOP')
    expect(waiverFor(w, 'Q1-06', 'fast')).toBeUndefined()
  })

  test('a key that is not a claim ID, or a waiver without a reason, is an error naming it', () => {
    expect(() => parseWaivers('{"Q3": "x"}', 'w.json')).toThrow('w.json: "Q3" is not a claim ID')
    expect(() => parseWaivers('{"Q3-05": " "}', 'w.json')).toThrow('the waiver of Q3-05 needs a reason')
    expect(() => parseWaivers('[1]', 'w.json')).toThrow('expected an object')
  })
})
