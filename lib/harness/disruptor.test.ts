import { describe, expect, test } from 'vitest'
import { disruptorFor, runDisruptCommand } from './disruptor.ts'
import { parseDisruptCommands } from '../options/disrupt.ts'

describe('disruptor', () => {
  test('on a cluster of its own the suite has no power but what the user gives, each named by its variable', () => {
    const none = disruptorFor(false, parseDisruptCommands({}))
    expect([none.nodeStop, none.nodeStart, none.controlPlaneRestart]).toEqual([undefined, undefined, undefined])
    const some = disruptorFor(false, parseDisruptCommands({ SC_DISRUPT_NODE_STOP: 'true' }))
    expect(typeof some.nodeStop).toBe('function')
    expect(some.nodeStart).toBeUndefined()
    expect(some.source('nodeStop')).toBe('SC_DISRUPT_NODE_STOP')
  })

  test('the embedded cluster offers every power; a user command takes the place of its own', () => {
    const embedded = disruptorFor(true, parseDisruptCommands({ SC_DISRUPT_CONTROL_PLANE_RESTART: 'true' }))
    expect([typeof embedded.nodeStop, typeof embedded.nodeStart, typeof embedded.controlPlaneRestart]).toEqual(['function', 'function', 'function'])
    expect(embedded.source('nodeStop')).toBe('the embedded cluster')
    expect(embedded.source('controlPlaneRestart')).toBe('SC_DISRUPT_CONTROL_PLANE_RESTART')
  })

  test('a command gets the node as $1 and in SC_DISRUPT_NODE, and resolves on exit 0', async () => {
    await expect(runDisruptCommand('SC_DISRUPT_NODE_STOP', 'test "$1" = node-a && test "$SC_DISRUPT_NODE" = node-a', ['node-a'], 5_000)).resolves.toBeUndefined()
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
