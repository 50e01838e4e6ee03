import { describe, expect, test } from 'vitest'
import { isNoSuchFile, parseLs } from './files.ts'

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
