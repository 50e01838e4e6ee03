import { describe, expect, test } from 'vitest'
import { isNoSuchFile, parseLs, withoutFilesystemMetadata } from './files.ts'

describe('in-pod files: what busybox prints', () => {
  test('a missing file is told apart from other failures', () => {
    expect(isNoSuchFile({ exitCode: 1, stdout: '', stderr: 'cat: can\'t open \'/mnt/vol1/aa.txt\': No such file or directory\n' })).toBe(true)
    expect(isNoSuchFile({ exitCode: 1, stdout: '', stderr: 'cat: can\'t open \'/mnt/vol1/aa.txt\': Permission denied\n' })).toBe(false)
    expect(isNoSuchFile({ exitCode: 0, stdout: 'No such file or directory', stderr: '' })).toBe(false)
  })

  test('ls -A: one entry a line, an empty directory none', () => {
    expect(parseLs('60551111de9edc71337c0d121f83aaf80c776f43\nlost+found\n')).toEqual(['60551111de9edc71337c0d121f83aaf80c776f43', 'lost+found'])
    expect(parseLs('')).toEqual([])
    expect(parseLs('\n')).toEqual([])
  })
})

test('a fresh ext4 volume is empty to the application: lost+found is filesystem metadata, anything else is a file', () => {
  expect(withoutFilesystemMetadata(parseLs('lost+found\n'))).toEqual([])
  expect(withoutFilesystemMetadata(parseLs('lost+found\naa.txt\n.hidden\n'))).toEqual(['aa.txt', '.hidden'])
})
