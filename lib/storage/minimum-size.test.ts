import { describe, expect, test } from 'vitest'
import { claimMinimumOf, claimSizeFor, minimumSizeIn, quantityOf } from './minimum-size.ts'

const Gi = 2 ** 30
const Mi = 2 ** 20

describe('minimumSizeIn: the minimum a provisioner\'s refusal names', () => {
  test.each([
    ['failed to provision volume with StorageClass "hyperdisk": rpc error: code = InvalidArgument desc = size must be at least 4Gi', 4 * Gi],
    ['requested size 16Mi is less than the minimum 1Gi', Gi],
    ['rpc error: code = Internal desc = Could not create volume "pvc-1": InvalidParameterValue: The parameter Size must be at least 1 GiB', Gi],
    ['InvalidParameterValue: The volume size is invalid for io1 volumes: 1 GiB. io1 volumes must be at least 4 GiB in size.', 4 * Gi],
    ['Disk size must be between 4 GiB and 65536 GiB', 4 * Gi],
    ['requested capacity 16777216 is smaller than minimum 1073741824 bytes', Gi],
    ['volume size 20Mi below the minimum size of 512Mi', 512 * Mi],
    ['Requested disk size 1GB is less than the minimum of 10GB', 10 * Gi],
    ['minimum volume size is 1.5G', 1.5 * Gi],
  ])('%s', (message, bytes) => {
    expect(minimumSizeIn(message)).toBe(bytes)
  })

  test('a refusal that names no size, or a number without a unit, names no minimum', () => {
    expect(minimumSizeIn('rpc error: code = InvalidArgument desc = access mode MULTI_NODE_MULTI_WRITER not supported')).toBeUndefined()
    expect(minimumSizeIn('waiting for at least 1 node to be ready')).toBeUndefined()
    expect(minimumSizeIn('0/3 nodes are available: 3 Insufficient memory')).toBeUndefined()
    expect(minimumSizeIn(undefined)).toBeUndefined()
    expect(minimumSizeIn('InvalidParameterValue: throughput must be at least 125 MiB/s')).toBeUndefined()
    expect(minimumSizeIn('InvalidParameterValue: throughput must be at least 125 MBps')).toBeUndefined()
  })
})

test('quantityOf writes a request that asks for no less', () => {
  expect(quantityOf(4 * Gi)).toBe('4Gi')
  expect(quantityOf(1.5 * Gi)).toBe('1536Mi')
  expect(quantityOf(Mi + 1)).toBe('2Mi')
})

test('claimSizeFor: the larger of the claim\'s request and the class\'s minimum', () => {
  expect(claimSizeFor('16Mi', '4Gi')).toBe('4Gi')
  expect(claimSizeFor('20Mi', undefined)).toBe('20Mi')
  expect(claimSizeFor('2Gi', '1Gi')).toBe('2Gi')
  expect(claimSizeFor('1Gi', '1024Mi')).toBe('1Gi')
})

test('claimMinimumOf: a class\'s learned minimum or SC_MIN_CLAIM_SIZE, whichever is larger; the default class for a claim naming none; none for a static claim', () => {
  const caps = {
    hyperdisk: { isDefault: false, minimumSize: { size: '4Gi', refusal: 'size must be at least 4Gi' } },
    standard: { isDefault: true },
  }
  expect(claimMinimumOf(caps)('hyperdisk')).toBe('4Gi')
  expect(claimMinimumOf(caps)('standard')).toBeUndefined()
  expect(claimMinimumOf(caps, '1Gi')('standard')).toBe('1Gi')
  expect(claimMinimumOf(caps, '8Gi')('hyperdisk')).toBe('8Gi')
  expect(claimMinimumOf(caps, '1Gi')('hyperdisk')).toBe('4Gi')
  expect(claimMinimumOf({ ...caps, hyperdisk: { ...caps.hyperdisk, isDefault: true }, standard: { isDefault: false } })(undefined)).toBe('4Gi')
  expect(claimMinimumOf(caps, '1Gi')('')).toBeUndefined()
})
