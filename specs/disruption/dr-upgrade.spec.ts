// specs/disruption/dr-upgrade.spec.ts — mirrors no quest: DR-05 of shared/claims.md, a cluster
// upgraded by one minor version, run as the other DR claims are (npm run test:disruption, alone,
// one at a time). The StatefulSet keeper of DR-01 (3 pods, a claim each, a PodDisruptionBudget of
// maxUnavailable 1: keepers.ts) through the upgrade the disruptor gives (lib/harness/disruptor.ts):
// the embedded cluster's `cluster:upgrade`, which needs the cluster started on the previous minor
// (npm run cluster:up -- --shape=cloud --version=1.35), or the user's SC_DISRUPT_UPGRADE.
// What the upgrade did is read from the cluster before and after (GET /version, each node's kubelet),
// not taken from the upgrade's word.
// What fails it: fewer than 2 keeper pods Ready at an observed moment (a drain that ignores the
// budget, a node taken down under its pods), a pod back under another claim or without its token,
// or its name <pod>.keepers no longer answering its IP.
import { startClusterClient } from '../../lib/apps/cluster-client.ts'
import { claimNote, recordDisruptionTimeline, skipClaim, skipPart } from '../../lib/harness/claim-entry.ts'
import { disruptorFor, requirePowers } from '../../lib/harness/disruptor.ts'
import { describe, expect, storageTest } from '../../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../../lib/harness/steps.ts'
import { IncompleteRecording } from '../../lib/observe/gaps.ts'
import { fewestReady } from '../../lib/observe/pod-counts.ts'
import { listNodes } from '../../lib/resources/nodes.ts'
import { deletePod, getPod, includesAny, isPodReady, listPods, podIps } from '../../lib/resources/pods.ts'
import { clusterVersions, describeVersions, notOlderThan, notUpgradedByOneMinor } from '../../lib/resources/versions.ts'
import { nodeReadiness, waitForNode } from '../../lib/wait/disruption.ts'
import { waitForPods } from '../../lib/wait/pods.ts'
import { describeKeepers, expectBackWithItsData, givenKeepers, keepers } from './keepers.ts'

const service = 'keepers'
// replicas - maxUnavailable: what the headless Service must have to answer with at every moment.
const floor = keepers.length - 1

describe('DR stateful workloads through disruption: an upgrade', () => {
  storageTest(`DR-05 through a cluster upgrade by one minor version (control plane first, then each node drained, upgraded and uncordoned) every keeper pod keeps its name, claim, data and DNS name, and the headless Service answers throughout with at least ${floor} of its ${keepers.length} pods ready [multi-node]`, async ({ task, kube, ns, podEvents, cluster, storageClass, client, images }) => {
    if (cluster.schedulableNodes < 2) skipClaim(task, `needs 2 schedulable nodes (this cluster has ${cluster.schedulableNodes}): a drained node's pods would have nowhere else to run`)
    const disruptor = disruptorFor(cluster.embedded)
    requirePowers(task, disruptor, ['upgrade'])
    const target = await disruptor.upgradeTarget()
    const from = await clusterVersions(kube)
    const current = target ? notOlderThan(from, target) : undefined
    if (current) {
      skipClaim(task, `${current} (${disruptor.source('upgrade')})` +
        `${cluster.embedded ? ': start the embedded cluster on the previous minor, npm run cluster:up -- --shape=cloud --version=1.35' : ''}`)
    }
    claimNote(task, `before the upgrade: ${describeVersions(from)}`)

    const before = await givenKeepers(kube, ns, storageClass)
    await Given(`each keeper pod's name <pod>.${service} answers its IP, read from a client pod made for it and deleted before the upgrade (whose drain would evict it for good)`, async () => {
      const c = await startClusterClient(kube, ns, images.busybox, 'client-before')
      for (const name of keepers) {
        const ips = podIps(await getPod(kube, ns, name))
        await c.waitForResolution(await c.fqdn(`${name}.${service}`), `answers ${ips.join(' or ')}, the IP of pod ${ns}/${name}`, (r) => r.status === 'ok' && includesAny(r.addresses, ips), { method: 'nslookup' })
      }
      await deletePod(kube, ns, c.pod, 0)
    })

    // The nodes Ready and schedulable before the upgrade: those it must leave so. One cordoned or down
    // beforehand is the cluster's own business, not the upgrade's.
    const healthyBefore = (await listNodes(kube)).filter((n) => nodeReadiness(n) === 'True' && !n.spec?.unschedulable).map((n) => n.metadata?.name ?? '')
    const { timeline, notes } = await recordDisruptionTimeline(task, podEvents, 'app=keeper', `pods app=keeper in ${ns} through the upgrade`, { budget: { kube, namespace: ns, name: 'keeper' } })
    await When(`the cluster is upgraded by one minor version${target ? `, to ${target}` : ''} (${disruptor.source('upgrade')}): the control plane first, then each node cordoned, ` +
      `drained through the Eviction API, upgraded and uncordoned; then the ${healthyBefore.length} nodes Ready and schedulable before it are so again, and every keeper pod Ready`, async () => {
      const started = Date.now()
      await notes.during(`upgrade${target ? ` to ${target}` : ''}`, () => disruptor.upgrade!())
      const after = await clusterVersions(kube)
      const wrong = notUpgradedByOneMinor(from, after) ?? (target && after.api !== target ? `the API server runs ${after.api}, not ${target}` : undefined)
      if (wrong) throw new Error(`the upgrade (${disruptor.source('upgrade')}) ended, but ${wrong}: ${describeVersions(after)}`)
      claimNote(task, `upgraded in ${((Date.now() - started) / 1000).toFixed(0)}s: ${describeVersions(after)}`)
      for (const name of healthyBefore) {
        await waitForNode(kube, name, 'to be Ready and uncordoned after the upgrade', (x) => nodeReadiness(x) === 'True' && !x.spec?.unschedulable)
      }
      await waitForPods(kube, ns, 'app=keeper', `${keepers.length} Ready, none terminating`, (ps) =>
        ps.length === keepers.length && ps.every((p) => isPodReady(p) && !p.metadata?.deletionTimestamp), 'disruption')
    })

    await Then(`at no observed moment were fewer than ${floor} keeper pods Ready and not terminating: the headless Service ${service}, which answers with the ready ones, had at least ${floor} throughout`, () => {
      try {
        const { minReady, after } = fewestReady(timeline, floor)
        expect(minReady, `fewest keeper pods Ready at once: ${minReady}${after ? `, after ${after.pod} ${after.kind}` : ''}\n${timeline.describe()}`).toBeGreaterThanOrEqual(floor)
      } catch (err) {
        if (!(err instanceof IncompleteRecording)) throw err
        // Not run again, as other claims are on a gap: the cluster is upgraded now, and a second run
        // would have nothing to upgrade. What could not be seen is named; the rest is still checked.
        skipPart(task, `that at least ${floor} keeper pods were Ready at every moment of the upgrade: ${err.message}`)
      }
    })

    await And('every keeper pod kept its name, its claim (the same object) and its data, on a node its volume allows', async () => {
      const pods = await listPods(kube, ns, 'app=keeper')
      const inPlace = keepers.filter((name) => pods.find((p) => p.metadata?.name === name)?.metadata?.uid === before[name]!.uid)
      claimNote(task, `${inPlace.length ? `the same pod through the upgrade (upgraded in place): ${inPlace.join(', ')}; ` : ''}` +
        `evicted and back: ${keepers.filter((n) => !inPlace.includes(n)).join(', ') || 'none'}; now ${describeKeepers(pods)}`)
      await expectBackWithItsData(kube, ns, before, keepers, false)
    })

    await When('a client pod starts in the namespace (after the upgrade), to resolve names', () => client.clusterDomain())
    await And(`each keeper pod's name <pod>.${service} answers its IP now`, async () => {
      for (const name of keepers) {
        const ips = podIps(await getPod(kube, ns, name))
        await client.waitForResolution(await client.fqdn(`${name}.${service}`), `answers ${ips.join(' or ')}, the IP of pod ${ns}/${name}`, (r) => r.status === 'ok' && includesAny(r.addresses, ips), { method: 'nslookup' })
      }
    })
  })
})
