import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { disruptorFor, missingPowers, runDisruptCommand } from './disruptor.ts'
import { parseDisruptCommands } from '../options/disrupt.ts'

describe('disruptor', () => {
  test('on a cluster of its own the suite has no power but what the user gives, each named by its variable', () => {
    const none = disruptorFor(false, parseDisruptCommands({}))
    expect([none.nodeStop, none.nodeStart, none.zoneStop, none.zoneStart, none.controlPlaneRestart, none.upgrade]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined])
    const some = disruptorFor(false, parseDisruptCommands({ SC_DISRUPT_NODE_STOP: 'true' }))
    expect(typeof some.nodeStop).toBe('function')
    expect(some.nodeStart).toBeUndefined()
    expect(some.source('nodeStop')).toBe('SC_DISRUPT_NODE_STOP')
  })

  test('the embedded cluster offers every power; a user command takes the place of its own', () => {
    const embedded = disruptorFor(true, parseDisruptCommands({ SC_DISRUPT_CONTROL_PLANE_RESTART: 'true' }))
    expect([embedded.nodeStop, embedded.nodeStart, embedded.zoneStop, embedded.zoneStart, embedded.controlPlaneRestart, embedded.upgrade].map((f) => typeof f)).toEqual(Array(6).fill('function'))
    expect(embedded.source('nodeStop')).toBe('the embedded cluster')
    expect(embedded.source('zoneStop')).toBe('the embedded cluster')
    expect(embedded.source('controlPlaneRestart')).toBe('SC_DISRUPT_CONTROL_PLANE_RESTART')
  })

  test('a command gets the node as $1 and in SC_DISRUPT_NODE, and resolves on exit 0', async () => {
    await expect(runDisruptCommand('SC_DISRUPT_NODE_STOP', 'test "$1" = node-a && test "$SC_DISRUPT_NODE" = node-a', ['node-a'], 5_000, 'SC_DISRUPT_NODE')).resolves.toBeUndefined()
  })

  test('a zone command gets the zone as $1 and in SC_DISRUPT_ZONE, once for the whole zone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-disrupt-'))
    try {
      const log = join(dir, 'calls')
      const d = disruptorFor(false, parseDisruptCommands({ SC_DISRUPT_ZONE_STOP: `test "$1" = "$SC_DISRUPT_ZONE" && echo "$1" >> ${log}`, SC_DISRUPT_NODE_STOP: 'exit 9' }))
      await d.zoneStop!('zone-a', ['node-a', 'node-b'])
      expect(await readFile(log, 'utf8')).toBe('zone-a\n')
      expect(d.source('zoneStop')).toBe('SC_DISRUPT_ZONE_STOP')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('without a zone command, the node command stops and starts each node of the zone, one after another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-disrupt-'))
    try {
      const log = join(dir, 'calls')
      const d = disruptorFor(true, parseDisruptCommands({
        SC_DISRUPT_NODE_STOP: `echo "stop $1 $SC_DISRUPT_NODE" >> ${log}`, SC_DISRUPT_NODE_START: `echo "start $1" >> ${log}`,
      }))
      await d.zoneStop!('zone-a', ['node-a', 'node-b'])
      await d.zoneStart!('zone-a', ['node-a', 'node-b'])
      expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['stop node-a node-a', 'stop node-b node-b', 'start node-a', 'start node-b'])
      expect([d.source('zoneStop'), d.source('zoneStart')]).toEqual(['SC_DISRUPT_NODE_STOP, for each node of the zone', 'SC_DISRUPT_NODE_START, for each node of the zone'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a missing power is named with the variable that gives it, and for a zone the node variables that would do', () => {
    const none = disruptorFor(false, parseDisruptCommands({}))
    expect(missingPowers(none, ['zoneStop', 'zoneStart'])).toBe('needs stopping every node of a zone and starting the nodes of a stopped zone, which this cluster does not offer: ' +
      'set SC_DISRUPT_ZONE_STOP and SC_DISRUPT_ZONE_START to your own command (or SC_DISRUPT_NODE_STOP and SC_DISRUPT_NODE_START, run for each node of the zone) ' +
      '(docs/disruption.md), or run on the embedded cluster')
    expect(missingPowers(none, ['controlPlaneRestart'])).toMatch(/^needs restarting the control plane, .*: set SC_DISRUPT_CONTROL_PLANE_RESTART to your own command \(docs/)
    expect(missingPowers(disruptorFor(true, parseDisruptCommands({})), ['zoneStop', 'zoneStart'])).toBeUndefined()
  })

  test('the upgrade: the embedded cluster\'s moves to its pinned release, which the claim knows; SC_DISRUPT_UPGRADE runs with no argument, its target read from the cluster afterwards', async () => {
    const embedded = disruptorFor(true, parseDisruptCommands({}))
    expect(embedded.source('upgrade')).toBe('the embedded cluster')
    expect(await embedded.upgradeTarget()).toBe((await import('../../cluster/base/config.ts')).versions.kubernetes)
    const dir = await mkdtemp(join(tmpdir(), 'sc-disrupt-'))
    try {
      const log = join(dir, 'calls')
      const mine = disruptorFor(true, parseDisruptCommands({ SC_DISRUPT_UPGRADE: `echo "args: $# $SC_DISRUPT_NODE$SC_DISRUPT_ZONE" >> ${log}` }))
      await mine.upgrade!()
      expect(await readFile(log, 'utf8')).toBe('args: 0 \n')
      expect(mine.source('upgrade')).toBe('SC_DISRUPT_UPGRADE')
      expect(await mine.upgradeTarget()).toBeUndefined()
      expect(await disruptorFor(false, parseDisruptCommands({})).upgradeTarget()).toBeUndefined()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('without the upgrade, the claim is skipped naming SC_DISRUPT_UPGRADE', () => {
    expect(missingPowers(disruptorFor(false, parseDisruptCommands({})), ['upgrade'])).toBe('needs upgrading the cluster by one minor version, which this cluster does not offer: ' +
      'set SC_DISRUPT_UPGRADE to your own command (docs/disruption.md), or run on the embedded cluster')
    expect(missingPowers(disruptorFor(false, parseDisruptCommands({ SC_DISRUPT_UPGRADE: 'true' })), ['upgrade'])).toBeUndefined()
  })

  test('a failing command throws with its exit code and its last lines', async () => {
    await expect(runDisruptCommand('SC_DISRUPT_NODE_STOP', 'echo cannot reach the cloud >&2; exit 3', ['node-a'], 5_000))
      .rejects.toThrow(/SC_DISRUPT_NODE_STOP \(.*node-a\) exited 3; its last lines:\ncannot reach the cloud/)
  })

  test('a command that outlasts SC_DISRUPT_TIMEOUT is stopped, children included, and says so', async () => {
    const t0 = Date.now()
    await expect(runDisruptCommand('SC_DISRUPT_NODE_START', 'sleep 30 & wait', ['node-a'], 300)).rejects.toThrow(/did not finish within 0.3s \(SC_DISRUPT_TIMEOUT\)/)
    expect(Date.now() - t0).toBeLessThan(5_000)
  })

  test('SC_DISRUPT_TIMEOUT must be a positive number of seconds', () => {
    expect(parseDisruptCommands({ SC_DISRUPT_TIMEOUT: '90' }).timeoutMs).toBe(90_000)
    expect(parseDisruptCommands({}).timeoutMs).toBe(600_000)
    expect(() => parseDisruptCommands({ SC_DISRUPT_TIMEOUT: 'soon' })).toThrow(/SC_DISRUPT_TIMEOUT=soon/)
  })
})
