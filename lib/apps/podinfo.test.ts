import { describe, expect, test } from 'vitest'
import { upstreamImages } from '../harness/images.ts'
import { podinfoVersionOfImage } from './podinfo.ts'

describe('podinfoVersionOfImage', () => {
  test('reads the version from the tag of the images in use, not from a literal', () => {
    expect(podinfoVersionOfImage(upstreamImages.podinfo)).toBe(upstreamImages.podinfo.split(':').pop())
    expect(podinfoVersionOfImage('mirror.example:5000/team/podinfo:v6.5.4')).toBe('6.5.4')
    expect(podinfoVersionOfImage('mirror.example/podinfo:6.8.0-amd64')).toBe('6.8.0')
  })

  test('a digest, a registry port without a tag or a mirror tag naming no version tells nothing', () => {
    expect(podinfoVersionOfImage('ghcr.io/stefanprodan/podinfo@sha256:0123abcd')).toBeUndefined()
    expect(podinfoVersionOfImage('mirror.example:5000/podinfo')).toBeUndefined()
    expect(podinfoVersionOfImage('mirror.example/podinfo:stable')).toBeUndefined()
  })

  test('a tag and a digest: the tag names the version', () => {
    expect(podinfoVersionOfImage('ghcr.io/stefanprodan/podinfo:6.7.0@sha256:0123abcd')).toBe('6.7.0')
  })
})
