import { describe, expect, test } from 'vitest'
import { images } from '../base/config.ts'
import { imagesFor, parseLdd } from './images.ts'

describe('parseLdd', () => {
  test('the files a dynamic binary loads, the loader included; the vDSO (no file) and unresolved libraries left out', () => {
    const ldd = [
      '\tlinux-vdso.so.1 (0x00007ffc8a5f2000)',
      '\tlibaio.so.1t64 => /lib/x86_64-linux-gnu/libaio.so.1t64 (0x00007f0a1c9e4000)',
      '\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f0a1c9c5000)',
      '\tlibmissing.so.2 => not found',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a1c7e4000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f0a1ca1e000)',
    ].join('\n')
    expect(parseLdd(ldd)).toEqual(['/lib/x86_64-linux-gnu/libaio.so.1t64', '/lib/x86_64-linux-gnu/libz.so.1', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'])
  })

  test('a static binary loads nothing', () => {
    expect(parseLdd('\tnot a dynamic executable')).toEqual([])
  })
})

describe('imagesFor', () => {
  const all = [images.pause, images.coredns, images.localPathProvisioner, images.busybox, images.podinfo, images.fio].map((name) => ({ name, archive: `${name}.tar` }))

  test('a node that runs pods gets every image: the sandbox and add-ons\' first, then the workloads\'', () => {
    expect(imagesFor({ tainted: false }, all)).toEqual({
      system: [`${images.pause}.tar`, `${images.coredns}.tar`, `${images.localPathProvisioner}.tar`],
      workload: [`${images.busybox}.tar`, `${images.podinfo}.tar`, `${images.fio}.tar`],
    })
  })

  test('a tainted control plane gets only what tolerates its taint: the sandbox, CoreDNS and local-path\'s helper (busybox)', () => {
    expect(imagesFor({ tainted: true }, all)).toEqual({ system: [`${images.pause}.tar`, `${images.coredns}.tar`], workload: [`${images.busybox}.tar`] })
  })
})
