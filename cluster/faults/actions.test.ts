import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { delayedScript, usualLocalPathScripts, withoutControllers } from './actions.ts'

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
