import { describe, expect, test } from 'vitest'
import { classCapabilities } from '../storage/capabilities.ts'
import { parseDfBytes, parseSha256, parseStat } from './volumes.ts'
import { unboundHoldMs } from '../storage/capabilities.ts'

describe('parsing what busybox prints', () => {
  test('sha256sum: the hash of the first line', () => {
    const h = 'a'.repeat(64)
    expect(parseSha256(`${h}  -`)).toBe(h)
    expect(() => parseSha256('sha256sum: /data/blob: No such file or directory')).toThrow(/not sha256sum output/)
  })

  test('df -P -k: the filesystem size in bytes, also when the device name wraps', () => {
    expect(parseDfBytes('Filesystem           1024-blocks    Used Available Capacity Mounted on\n/dev/vda             264212084 22313888  73187376  23% /data\n')).toBe(264212084 * 1024)
    expect(parseDfBytes('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/mapper/a-very-long-name\n  1048576 10 1048566 1% /data')).toBe(1048576 * 1024)
    expect(() => parseDfBytes('df: /data: No such file or directory')).toThrow(/not df/)
  })

  test('stat -c "%u %g %a %A"', () => {
    expect(parseStat('1000 2345 2775 drwxrwsr-x\n')).toEqual({ uid: 1000, gid: 2345, mode: '2775', perms: 'drwxrwsr-x' })
    expect(() => parseStat("stat: can't stat '/data/x'")).toThrow(/not stat/)
  })
})

describe('how long an unbound WaitForFirstConsumer claim is watched', () => {
  const caps = (ms: number | undefined) => classCapabilities({ metadata: { name: 'x' }, provisioner: 'p', volumeBindingMode: 'WaitForFirstConsumer' }, null, {
    ReadWriteOnce: ms === undefined ? { result: 'unknown', detail: 'no answer' } : { result: 'accepted', detail: 'bound', ms },
    ReadWriteOncePod: { result: 'unknown', detail: '' }, ReadWriteMany: { result: 'unknown', detail: '' },
  })

  test('twice what the probe took to bind with a consumer, at least 5s, scaled', () => {
    expect(unboundHoldMs(caps(1200), 1)).toBe(5_000)
    expect(unboundHoldMs(caps(40_000), 1)).toBe(80_000)
    expect(unboundHoldMs(caps(1200), 3)).toBe(15_000)
    expect(unboundHoldMs(caps(undefined), 1)).toBe(5_000)
  })
})
