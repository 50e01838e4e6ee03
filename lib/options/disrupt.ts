// SC_DISRUPT_*: the commands that disturb a user's own cluster for the DR
// claims, where the suite cannot do it itself (it can on its embedded cluster;
// a drain needs only the API). The contract (docs/disruption.md):
//   SC_DISRUPT_NODE_STOP              make node $1 stop answering (its kubelet stopped, or the machine off)
//   SC_DISRUPT_NODE_START             bring node $1 back
//   SC_DISRUPT_ZONE_STOP              make every node of zone $1 stop answering (without it, SC_DISRUPT_NODE_STOP for each)
//   SC_DISRUPT_ZONE_START             bring the nodes of zone $1 back (without it, SC_DISRUPT_NODE_START for each)
//   SC_DISRUPT_CONTROL_PLANE_RESTART  restart the API server, controller manager and scheduler
//   SC_DISRUPT_UPGRADE                upgrade the cluster by one minor version: the control plane, then each node
//                                     drained (PodDisruptionBudgets honoured), upgraded and uncordoned
// Each runs under `sh -c` with its argument as $1 (and SC_DISRUPT_NODE or
// SC_DISRUPT_ZONE set to it), must exit 0 once the disruption has taken effect,
// and within SC_DISRUPT_TIMEOUT seconds (default 600). What the cluster makes of
// it is for the claim to watch.
export interface DisruptCommands {
  nodeStop?: string
  nodeStart?: string
  zoneStop?: string
  zoneStart?: string
  controlPlaneRestart?: string
  upgrade?: string
  timeoutMs: number
}

export const disruptVariables = {
  nodeStop: 'SC_DISRUPT_NODE_STOP',
  nodeStart: 'SC_DISRUPT_NODE_START',
  zoneStop: 'SC_DISRUPT_ZONE_STOP',
  zoneStart: 'SC_DISRUPT_ZONE_START',
  controlPlaneRestart: 'SC_DISRUPT_CONTROL_PLANE_RESTART',
  upgrade: 'SC_DISRUPT_UPGRADE',
} as const

// The variable that also carries a command's argument: the node, or the zone.
export const disruptArgumentVariables = {
  nodeStop: 'SC_DISRUPT_NODE',
  nodeStart: 'SC_DISRUPT_NODE',
  zoneStop: 'SC_DISRUPT_ZONE',
  zoneStart: 'SC_DISRUPT_ZONE',
  controlPlaneRestart: undefined,
  upgrade: undefined,
} as const

export const defaultDisruptTimeoutMs = 600_000

// Throws naming the variable when the timeout is not a positive number of seconds.
export function parseDisruptCommands(env: Record<string, string | undefined>): DisruptCommands {
  const command = (name: string) => env[name]?.trim() || undefined
  const timeout = env.SC_DISRUPT_TIMEOUT?.trim()
  const seconds = timeout ? Number(timeout) : defaultDisruptTimeoutMs / 1000
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`SC_DISRUPT_TIMEOUT=${timeout}: expected a positive number of seconds`)
  return {
    nodeStop: command(disruptVariables.nodeStop),
    nodeStart: command(disruptVariables.nodeStart),
    zoneStop: command(disruptVariables.zoneStop),
    zoneStart: command(disruptVariables.zoneStart),
    controlPlaneRestart: command(disruptVariables.controlPlaneRestart),
    upgrade: command(disruptVariables.upgrade),
    timeoutMs: seconds * 1000,
  }
}
