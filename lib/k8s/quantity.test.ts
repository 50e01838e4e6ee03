import { describe, expect, test } from 'vitest'
import { bytesOf, describeQuantity } from './quantity.ts'

describe('bytesOf', () => {
  test('binary suffixes are powers of 1024: 20Mi = 20971520', () => {
    expect(bytesOf('20Mi')).toBe(20971520)
    expect(bytesOf('1Gi')).toBe(1073741824)
    expect(bytesOf('1.5Ki')).toBe(1536)
  })

  test('decimal suffixes, exponents and plain numbers', () => {
    expect(bytesOf('20M')).toBe(20_000_000)
    expect(bytesOf('1k')).toBe(1000)
    expect(bytesOf('2e3')).toBe(2000)
    expect(bytesOf('20971520')).toBe(20971520)
    expect(bytesOf(42)).toBe(42)
  })

  test('1Gi is at least 20Mi, 20M is not', () => {
    expect(bytesOf('1Gi')).toBeGreaterThanOrEqual(bytesOf('20Mi'))
    expect(bytesOf('20M')).toBeLessThan(bytesOf('20Mi'))
  })

  test('anything else is an error that quotes it', () => {
    expect(() => bytesOf('20 Mi')).toThrow('not a Kubernetes quantity: "20 Mi"')
    expect(() => bytesOf('MiB')).toThrow()
  })

  test('a message shows the quantity and its bytes', () => {
    expect(describeQuantity('20Mi')).toBe('20Mi (20971520 bytes)')
    expect(describeQuantity(undefined)).toBe('none')
  })
})
