// cluster:upgrade beside lifecycle.ts's up and down: the running embedded cluster moved to the
// pinned release (the steps: disrupt/upgrade.ts), its binaries built first if they are not. As the
// command line (cli.ts) and DR-05's disruptor (lib/harness/disruptor.ts) use it.
import { formatDuration, log } from './base/log.ts'
import { assertInstance, instance, versions } from './base/config.ts'
import { nodesOf, recordedShape } from './base/shape.ts'
import { type UpgradeReport, upgradeCluster } from './disrupt/upgrade.ts'
import { buildMutant } from './binaries/build.ts'
import { isControlPlaneMutant, type Mutant } from './binaries/mutants.ts'
import { buildMissing, isUp } from './lifecycle.ts'
import { procsOf, versionOf } from './nodes/node.ts'
import { parseOptions, provisionalScale } from '../lib/options/options.ts'

// Timeouts of cluster:upgrade: each restarted component healthy, each node Ready; a drain's refusal
// with no change among its budget's pods, and how long a budget may wait only for pods that cannot
// be scheduled before they are upgraded in place (cluster/api/drain.ts).
function upgradeTimeouts() {
  const scale = provisionalScale(parseOptions(process.env).timeoutScale)
  return { apiServer: 60_000 * scale, component: 60_000 * scale, node: 90_000 * scale, drainStall: 180_000 * scale, drainStuck: 20_000 * scale }
}

// cluster:upgrade: the running cluster moved to the pinned release (cluster/disrupt/upgrade.ts),
// its binaries built first if they are not. Says how long it took. With `mutant` (a control-plane
// component's, cluster/binaries/mutants.ts), that component moves to the mutant's build of the
// release instead: an upgrade to a release with a bug, as sensitivity's DR-05 fault does.
export async function upgrade({ mutant }: { mutant?: Mutant } = {}): Promise<UpgradeReport | undefined> {
  if (mutant && !isControlPlaneMutant(mutant)) throw new Error(`cluster:upgrade --mutant=${mutant.name}: a mutant of the kubelet is not a control-plane build`)
  assertInstance()
  const shape = recordedShape()
  if (!shape || !(await isUp())) {
    throw new Error(`the ${instance} cluster is not up, every component running: npm run cluster:up -- --version=1.35 starts it on the previous minor (npm run cluster:status says what runs)`)
  }
  const nodes = nodesOf(shape)
  const target = versions.kubernetes
  if (shape.kubernetes === target && procsOf(shape, nodes).every((p) => (versionOf(p, shape) ?? target) === target)) {
    log(`the ${instance} cluster already runs ${target} everywhere: nothing to upgrade (npm run cluster:up -- --version=1.35 starts it on the previous minor)`)
    return undefined
  }
  await buildMissing(target)
  const builds = mutant ? { [mutant.binary]: await buildMutant(mutant) } : {}
  if (mutant) log(`${mutant.binary} moves to the mutant ${mutant.name}'s build of ${target}: ${builds[mutant.binary]}`)
  log(`upgrading the ${instance} cluster to ${target}: the control plane, then ${nodes.length === 1 ? 'its node' : `its ${nodes.length} nodes one by one`} (cordon, drain, kubelet and kube-proxy, uncordon)`)
  const report = await upgradeCluster(upgradeTimeouts(), target, builds)
  log(`upgraded from ${report.from.join(', ') || 'a mixed cluster'} to ${target} in ${formatDuration(report.ms)} (${report.parts.map((p) => `${p.part} ${formatDuration(p.ms)}`).join(', ')})` +
    `${report.leftInPlace.length ? `; upgraded in place, their budgets allowing no eviction while the node was cordoned: ${report.leftInPlace.join(', ')}` : ''}`)
  return report
}

