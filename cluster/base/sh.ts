// The short commands the cluster runs (ip, mount, losetup, ctr, …) go through
// zx's $: arguments are quoted for us, a failure throws with its stderr, and
// nothrow and timeouts are options. Long-lived processes are not run this way
// (see cluster/nodes/node.ts: start).
import { $ as zx, ProcessOutput } from 'zx'

export const $ = zx({ quiet: true })

// Runs a command in a node's network namespace (nsenter keeps the host's mounts, unlike `ip netns exec`).
export const netnsPath = (netns: string) => `/run/netns/${netns}`

// One line for a failed command: its stderr (or exit status) without zx's stack lines.
export function errorLine(err: unknown): string {
  if (err instanceof ProcessOutput) {
    const stderr = err.stderr.trim().split('\n').slice(-5).join('\n')
    return stderr || `exit code ${err.exitCode}`
  }
  return err instanceof Error ? err.message : String(err)
}
