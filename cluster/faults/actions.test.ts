import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { delayedScript, loseUnflushedOnce, usualLocalPathScripts, wipeUnmountedOnce, withoutControllers } from './actions.ts'

test('slow-provisioning\'s script waits after its shebang, then does all the usual one did', async () => {
  const { setup } = await usualLocalPathScripts()
  const delayed = delayedScript(setup, 0)
  const lines = delayed.split('\n')
  expect(lines[0]).toBe('#!/bin/sh')
  expect(lines.slice(1, 3)).toEqual(['# Fault slow-provisioning: 0 s before the usual work, as a backend that takes its time.', 'sleep 0'])
  expect(lines.slice(3).join('\n')).toBe(setup.split('\n').slice(1).join('\n'))
  // It still runs as the provisioner runs it: the volume's folder is made.
  const dir = join(mkdtempSync(join(tmpdir(), 'fault-')), 'pvc-1')
  execFileSync('sh', ['-c', delayed], { env: { ...process.env, VOL_DIR: dir } })
  expect(readdirSync(join(dir, '..'))).toEqual(['pvc-1'])
})

test('a script without a shebang waits first', () => {
  expect(delayedScript('mkdir "$VOL_DIR"', 5).split('\n')).toEqual(['# Fault slow-provisioning: 5 s before the usual work, as a backend that takes its time.', 'sleep 5', 'mkdir "$VOL_DIR"'])
})

test('the controller manager runs every controller but the ones a fault takes away', () => {
  expect(withoutControllers('persistentvolume-binder', 'statefulset')).toEqual(['--controllers=*,-persistentvolume-binder,-statefulset'])
})

test('the wiper empties the volumes no live container mounts, and only those', () => {
  const root = mkdtempSync(join(tmpdir(), 'wiper-'))
  const lp = join(root, 'local-path')
  const tasks = join(root, 'containerd', 'io.containerd.runtime.v2.task', 'k8s.io')
  for (const v of ['pvc-a_ns_data-web-0', 'pvc-b_ns_data-web-1', 'pvc-c_ns_data-web-2', 'pvc-a_ns_data-web-00']) {
    mkdirSync(join(lp, v, 'sub'), { recursive: true })
    writeFileSync(join(lp, v, 'sub', 'file'), 'kept?')
    writeFileSync(join(lp, v, 'top'), 'kept?')
  }
  // web-0's container mounts its volume (as runc's bundle writes it, compact), web-2's too (indented JSON, a
  // source below the volume's folder); web-1's container is gone, and web-00's name only starts like web-0's.
  mkdirSync(join(tasks, 'c0'), { recursive: true })
  writeFileSync(join(tasks, 'c0', 'config.json'), JSON.stringify({ mounts: [{ destination: '/data', type: 'bind', source: join(lp, 'pvc-a_ns_data-web-0'), options: ['rbind'] }] }))
  mkdirSync(join(tasks, 'c2'), { recursive: true })
  writeFileSync(join(tasks, 'c2', 'config.json'), JSON.stringify({ mounts: [{ destination: '/data', type: 'bind', source: join(lp, 'pvc-c_ns_data-web-2', 'sub'), options: ['rbind'] }] }, null, 1))
  execFileSync('sh', ['-c', wipeUnmountedOnce([lp], [join(root, 'containerd')])])
  const left = (v: string) => readdirSync(join(lp, v), { recursive: true }).sort()
  expect(left('pvc-a_ns_data-web-0')).toEqual(['sub', 'sub/file', 'top'])
  expect(left('pvc-c_ns_data-web-2')).toEqual(['sub', 'sub/file', 'top'])
  expect(left('pvc-b_ns_data-web-1')).toEqual([])
  expect(left('pvc-a_ns_data-web-00')).toEqual([])
})

test('lossy volumes: a mounted volume is copied when its last copy is flushSeconds old; once a container that mounted it is gone, it goes back to that copy', () => {
  const root = mkdtempSync(join(tmpdir(), 'lossy-'))
  const lp = join(root, 'local-path')
  const stash = join(root, 'stash')
  const state = join(root, 'containerd')
  const v = join(lp, 'pvc-a_ns_data-wal-0')
  mkdirSync(v, { recursive: true })
  mkdirSync(stash)
  const task = (id: string) => join(state, 'io.containerd.runtime.v2.task', 'k8s.io', id)
  const mount = (id: string) => {
    mkdirSync(task(id), { recursive: true })
    writeFileSync(join(task(id), 'config.json'), JSON.stringify({ mounts: [{ destination: '/data', type: 'bind', source: v, options: ['rbind'] }] }))
  }
  const kill = (id: string) => rmSync(task(id), { recursive: true })
  const pass = (flushSeconds: number) => execFileSync('sh', ['-c', loseUnflushedOnce([lp], [state], stash, flushSeconds)])
  const wal = () => readFileSync(join(v, 'wal'), 'utf8')

  mount('c0')
  writeFileSync(join(v, 'wal'), '1\n')
  pass(3600) // mounted, no copy yet: the first is made now
  writeFileSync(join(v, 'wal'), '1\n2\n')
  pass(3600) // the copy is not an hour old: 2 is acknowledged, not flushed
  expect(wal()).toBe('1\n2\n')
  kill('c0')
  pass(3600)
  expect(wal()).toBe('1\n')
  expect(readdirSync(stash)).toEqual([])

  // Killed with no grace, its replacement already started: c1 mounts it beside c0, then c0 goes.
  mount('c0')
  pass(3600)
  writeFileSync(join(v, 'wal'), '1\n3\n')
  mount('c1')
  pass(3600)
  expect(wal()).toBe('1\n3\n')
  kill('c0')
  pass(3600)
  expect(wal()).toBe('1\n')

  // With a flush on every pass, nothing is lost.
  kill('c1')
  pass(0)
  mount('c2')
  pass(0)
  writeFileSync(join(v, 'wal'), '1\n4\n')
  pass(0)
  kill('c2')
  pass(0)
  expect(wal()).toBe('1\n4\n')
})
