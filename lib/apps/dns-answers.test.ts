import type { V1Pod, V1Service } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { answersWith, podAddressesVia } from './dns-answers.ts'

const ok = (addresses: string[]) => ({ status: 'ok' as const, addresses, output: '' })
const pod: V1Pod = { status: { podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }, { ip: 'fd00:10:244::7' }] } }
const service = (ipFamilies?: string[]): V1Service => ({ spec: { ipFamilies } })

describe('podAddressesVia', () => {
  test('a single-stack Service names only the pod address of its family', () => {
    expect(podAddressesVia(service(['IPv4']), pod)).toEqual(['10.244.0.7'])
    expect(podAddressesVia(service(['IPv6']), pod)).toEqual(['fd00:10:244::7'])
  })

  test('a dual-stack Service, or one whose families are not known, names every address', () => {
    expect(podAddressesVia(service(['IPv6', 'IPv4']), pod)).toEqual(['10.244.0.7', 'fd00:10:244::7'])
    expect(podAddressesVia(service(), pod)).toEqual(['10.244.0.7', 'fd00:10:244::7'])
  })
})

describe('answersWith', () => {
  const expected = ['10.244.0.7', 'fd00:10:244::7']

  test('nslookup must answer every expected address, family by family, and nothing else', () => {
    expect(answersWith(expected, 'nslookup')(ok(['fd00:10:244:0::7', '10.244.0.7']))).toBe(true)
    expect(answersWith(expected, 'nslookup')(ok(['10.244.0.7']))).toBe(false)
    expect(answersWith(expected, 'nslookup')(ok(['10.244.0.7', '10.244.0.8', 'fd00:10:244::7']))).toBe(false)
  })

  test('the pod resolver shows one address: any expected one will do', () => {
    expect(answersWith(expected, 'resolve')(ok(['fd00:10:244::7']))).toBe(true)
    expect(answersWith(expected, 'resolve')(ok(['10.244.0.8']))).toBe(false)
  })

  test('no answer never matches, not even an empty expectation', () => {
    expect(answersWith([], 'nslookup')({ status: 'nxdomain', output: '' })).toBe(false)
  })
})
