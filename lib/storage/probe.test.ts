import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseRawDeviceAccess } from '../apps/raw-device.ts'
import { podFor } from './probe.ts'

describe('the Block probe\'s pod', () => {
  const script = (p: ReturnType<typeof podFor>) => p.spec!.containers[0]!.command!.join(' ')

  test('opens its raw device and reads a block, reads the device\'s group with stat, and reports through its termination message', () => {
    const p = podFor({ name: 'c0-block', kind: 'block' }, 'busybox')
    expect(script(p)).toContain(`dd if='/dev/probe' of=/dev/null bs=4096 count=1`)
    expect(script(p)).toContain(`stat -c '%g %a' '/dev/probe'`)
    expect(script(p)).toContain('> /dev/termination-log')
    expect(p.spec!.containers[0]).toMatchObject({ terminationMessagePolicy: 'FallbackToLogsOnError', volumeDevices: [{ name: 'v', devicePath: '/dev/probe' }] })
  })

  test('its shell runs, and writes a report that parses (here on /dev/null, the message to a file of a temporary folder)', () => {
    const message = join(mkdtempSync(join(tmpdir(), 'probe-')), 'termination-log')
    const [sh, c, text] = podFor({ name: 'c0-block', kind: 'block' }, 'busybox').spec!.containers[0]!.command!
    execFileSync(sh!, [c!, text!.replaceAll('/dev/probe', '/dev/null').replace('/dev/termination-log', message)])
    expect(parseRawDeviceAccess(readFileSync(message, 'utf8'))).toMatchObject({ block: false, read: 'ok' })
  })

  test('joins no group by assumption (no gid 6); its second pod joins the group read, on the volume\'s node', () => {
    expect(podFor({ name: 'c0-block', kind: 'block' }, 'busybox').spec!.securityContext!.supplementalGroups).toBeUndefined()
    const second = podFor({ name: 'c0-block', kind: 'block' }, 'busybox', { group: 995, node: 'node-a' })
    expect(second.metadata!.name).toBe('c0-block-in-group')
    expect(second.spec!.securityContext).toMatchObject({ runAsNonRoot: true, supplementalGroups: [995] })
    expect(second.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }])
    expect(second.spec!.volumes).toEqual([{ name: 'v', persistentVolumeClaim: { claimName: 'c0-block' } }])
  })

  test('the other probes\' pods only mount their claim', () => {
    expect(podFor({ name: 'c0-rwo', kind: 'ReadWriteOnce' }, 'busybox').spec!.containers[0]).toMatchObject({ command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/v' }] })
  })
})
