import { execFileSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { describeRawDeviceAccess, groupToJoin, parseRawDeviceAccess, rawDeviceAccessScript, rawDeviceProblem } from './raw-device.ts'

// What busybox prints in a restricted pod (uid 1000, gid 1000) for a device that is root:disk 0660 on the node.
const deniedOnDebian = 'block: yes\nstat: 6 660\nread: dd: can\'t open \'/dev/xvda\': Permission denied\ngroups: 1000'

describe('the script run in the pod', () => {
  test('reads the device\'s group with stat and opens the device with dd, assuming no group', () => {
    const s = rawDeviceAccessScript('/dev/xvda')
    expect(s).toContain(`stat -c '%g %a' '/dev/xvda'`)
    expect(s).toContain(`dd if='/dev/xvda' of=/dev/null bs=4096 count=1`)
    expect(s).not.toMatch(/\b6\b/)
  })

  test('run by sh on a path that is not a block device, its report parses', () => {
    const out = execFileSync('sh', ['-c', rawDeviceAccessScript('/dev/null')], { encoding: 'utf8' })
    expect(parseRawDeviceAccess(out)).toMatchObject({ block: false, read: 'ok' })
  })
})

describe('what the pod found', () => {
  test('a device it could read', () => {
    const a = parseRawDeviceAccess('block: yes\nstat: 6 660\nread: ok\ngroups: 1000 6\n')!
    expect(a).toEqual({ block: true, group: 6, mode: '660', read: 'ok', groups: [1000, 6] })
    expect(rawDeviceProblem(a, 'w')).toBeUndefined()
    expect(groupToJoin(a)).toBeUndefined()
  })

  test('a device of a group the pod is not in: join that group, whatever its number', () => {
    expect(groupToJoin(parseRawDeviceAccess(deniedOnDebian)!)).toBe(6)
    expect(groupToJoin(parseRawDeviceAccess('block: yes\nstat: 995 660\nread: dd: can\'t open \'/dev/xvda\': Permission denied\ngroups: 1000')!)).toBe(995)
  })

  test('denied although the pod is in the group: nothing to join, and SC-07 says what it found', () => {
    const a = parseRawDeviceAccess('block: yes\nstat: 6 600\nread: dd: can\'t open \'/dev/xvda\': Permission denied\ngroups: 1000 6')!
    expect(groupToJoin(a)).toBeUndefined()
    expect(rawDeviceProblem(a, 'ns/block-user')).toBe('ns/block-user: expected a block device the pod can read, found: block device, group 6, mode 600, not read (dd: can\'t open \'/dev/xvda\': Permission denied), the pod\'s groups 1000 6')
  })

  test('an I/O error is a failed read, not a permission to fix', () => {
    const a = parseRawDeviceAccess('block: yes\nstat: 6 660\nread: dd: /dev/xvda: Input/output error\ngroups: 1000 6')!
    expect(a.read).toBe('failed')
    expect(groupToJoin(a)).toBeUndefined()
  })

  test('stat failing leaves the group unknown', () => {
    const a = parseRawDeviceAccess('block: no\nstat: stat: can\'t stat \'/dev/xvda\': No such file or directory\nread: dd: can\'t open \'/dev/xvda\': No such file or directory\ngroups: 1000')!
    expect(a).toMatchObject({ block: false, read: 'failed' })
    expect(a.group).toBeUndefined()
    expect(describeRawDeviceAccess(a)).toMatch(/^not a block device, group unknown \(stat failed\)/)
  })

  test('text that is not the script\'s report', () => {
    expect(parseRawDeviceAccess('')).toBeUndefined()
    expect(parseRawDeviceAccess('sh: stat: not found')).toBeUndefined()
  })
})
