import { expect, test } from 'vitest'
import { moveToRegistry, resolveImages, rewriteImages, upstreamImages } from './images.ts'

test('a mirror replaces the registry part, or prefixes an image that has none', () => {
  expect(moveToRegistry('ghcr.io/stefanprodan/podinfo:6.7.0', 'm:5000')).toBe('m:5000/stefanprodan/podinfo:6.7.0')
  expect(moveToRegistry('busybox:1.35.0', 'm:5000')).toBe('m:5000/busybox:1.35.0')
  expect(moveToRegistry('library/busybox:1', 'm')).toBe('m/library/busybox:1')
})

test('a named override wins over the mirror', () => {
  const images = resolveImages({ registry: 'm', byName: { busybox: 'other/bb:2' } })
  expect(images.busybox).toBe('other/bb:2')
  expect(images.podinfo).toBe('m/stefanprodan/podinfo:6.7.0')
})

test('manifests get the images in use', () => {
  const images = resolveImages({ registry: 'm', byName: {} })
  expect(rewriteImages(`image: ${upstreamImages.podinfo}\nimage: ${upstreamImages.busybox}`, images))
    .toBe('image: m/stefanprodan/podinfo:6.7.0\nimage: m/library/busybox:1.35.0')
})
