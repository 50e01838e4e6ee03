import { describe, expect, test } from 'vitest'
import { addressDifference, byFamily, familyOf, includesAny, isIpAddress, normalizeAddress, ofFamilies, urlHost } from './addresses.ts'

describe('addresses per family', () => {
  test('families, and IPv6 written two ways is one address', () => {
    expect(familyOf('10.244.0.5')).toBe('IPv4')
    expect(familyOf('fd00:10:244::5')).toBe('IPv6')
    expect(familyOf('visits.default')).toBeUndefined()
    expect(isIpAddress('None')).toBe(false)
    expect(normalizeAddress('FD00:0:0::05')).toBe(normalizeAddress('fd00::5'))
  })

  test('a dual-stack answer equals the pod\'s addresses whatever their order; a missing family is named', () => {
    expect(addressDifference(['fd00::5', '10.244.0.5'], ['10.244.0.5', 'fd00:0::5'])).toBeUndefined()
    expect(addressDifference(['10.244.0.5'], ['10.244.0.5', 'fd00::5'])).toBe('IPv6: answered none, expected fd00::5')
    expect(addressDifference(['10.244.0.6'], ['10.244.0.5'])).toBe('IPv4: answered 10.244.0.6, expected 10.244.0.5')
  })

  test('byFamily sorts each family; includesAny matches across notations', () => {
    expect(byFamily(['10.0.0.2', 'fd00::1', '10.0.0.1'])).toEqual({ IPv4: ['10.0.0.1', '10.0.0.2'], IPv6: ['fd00::1'] })
    expect(includesAny(['fd00:0::1'], ['10.0.0.1', 'fd00::1'])).toBe(true)
    expect(includesAny(['10.0.0.9'], ['10.0.0.1'])).toBe(false)
  })
})

test('an IPv6 address in a URL is bracketed; an IPv4 one is not', () => {
  expect(urlHost('10.96.0.12')).toBe('10.96.0.12')
  expect(urlHost('fd00:10:96::c')).toBe('[fd00:10:96::c]')
  expect(new URL(`http://${urlHost('fd00:10:96::c')}:8080/`).hostname).toBe('[fd00:10:96::c]')
})

describe('ofFamilies', () => {
  const dualStackPod = ['10.244.1.5', 'fd00:10:244:1::5']

  test('a single-stack Service on a dual-stack cluster: only the pod address of its family', () => {
    expect(ofFamilies(dualStackPod, ['IPv4'])).toEqual(['10.244.1.5'])
    expect(ofFamilies(dualStackPod, ['IPv6'])).toEqual(['fd00:10:244:1::5'])
  })

  test('a dual-stack Service, or one whose families are not known: every address', () => {
    expect(ofFamilies(dualStackPod, ['IPv6', 'IPv4'])).toEqual(dualStackPod)
    expect(ofFamilies(dualStackPod, undefined)).toEqual(dualStackPod)
    expect(ofFamilies(dualStackPod, [])).toEqual(dualStackPod)
  })

  test('the family is told by the address, whatever its spelling (an IPv4-mapped IPv6 address is IPv6)', () => {
    expect(ofFamilies(['::ffff:10.0.0.1', '10.0.0.1', 'not-an-ip'], ['IPv6'])).toEqual(['::ffff:10.0.0.1'])
  })
})
