// specs/disruption/dr-zone.spec.ts — mirrors no quest: DR-03 of shared/claims.md, losing a
// zone, run as the other DR claims are (npm run test:disruption, alone, one at a time).
// A StatefulSet of two pods spread over two zones (fixtures/dr/zoned.yaml); every node of
// one pod's zone stops (the embedded cluster's workers of that zone, or the user's
// SC_DISRUPT_ZONE_* command, or SC_DISRUPT_NODE_* for each node: lib/harness/disruptor.ts).
// What fails it: data moved across zones (a pod of the lost zone placed in another zone, its
// claim made anew or bound to another volume, that volume's node affinity rewritten), and the
// other zone's pods not serving their own data by name through the headless Service.
// Where no DNS server answers at all during the outage (the cluster DNS ran only in the lost
// zone), the by-name half is partial and the pods are read at their endpoint addresses.
import type { V1Pod } from '@kubernetes/client-node'
import { startClusterClient } from '../../lib/apps/cluster-client.ts'
import { readFileIn } from '../../lib/apps/files.ts'
import { bindingChangesNow, placeZoned, readIdentity } from '../../lib/apps/zoned.ts'
import { claimNote, recordDisruptionTimeline, skipClaim, skipPart } from '../../lib/harness/claim-entry.ts'
import { disruptorFor, requirePowers } from '../../lib/harness/disruptor.ts'
import { applyFixture, describe, expect, storageTest } from '../../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../../lib/harness/steps.ts'
import { describeNodeSelector, getNode, listNodes, nodeSelectorAllows } from '../../lib/resources/nodes.ts'
import { describePods, getPod, isPodReady, listPods } from '../../lib/resources/pods.ts'
import { getPv } from '../../lib/resources/storage.ts'
import {
  describePlaced, describeZones, movedOutOfZone, nodesOfZone, schedulableZones, zoneLabel, zonesByNode, zoneToLose,
} from '../../lib/resources/zones.ts'
import { nodeReadiness, waitForLostPodsEvicted, waitForNode, watchPodsFor } from '../../lib/wait/disruption.ts'
import { waitForPods } from '../../lib/wait/pods.ts'
import { ComponentNotActing, WaitTimeout } from '../../lib/wait/wait-for.ts'

const set = 'zoned'
const service = 'zoned'
const selector = `app=${set}`
// After the lost zone's pods were evicted: time for a controller that would replace them elsewhere to do it (as DR-02 holds).
const hold = 30_000

describe('DR stateful workloads through disruption: losing a zone', () => {
  storageTest('DR-03 losing a zone: its pods are not recreated with their volumes in the other zone, the other zone\'s pods keep serving their data through the headless Service, and every pod is back with its own data when the zone returns [multi-node]', async ({ task, kube, ns, podEvents, cluster, storageClass, cleanup, images }) => {
    const nodes = await listNodes(kube)
    const zones = schedulableZones(nodes)
    if (zones.size < 2) skipClaim(task, `needs schedulable nodes in two zones (node label ${zoneLabel}); this cluster has them in ${zones.size ? `one only: ${describeZones(zones)}` : 'none'}`)
    const disruptor = disruptorFor(cluster.embedded)
    requirePowers(task, disruptor, ['zoneStop', 'zoneStart'])

    const before = await Given(`the StatefulSet ${set} (2 pods, a claim each of class ${storageClass}) spread over two zones (${zoneLabel}, maxSkew 1, DoNotSchedule) ` +
      `behind the headless Service ${service}, Ready, each pod's name and first uid in /data/identity`, async () => {
      await applyFixture(kube, ns, 'dr/zoned.yaml', { storageClass })
      const pods = await waitForPods(kube, ns, selector, '2 Ready', (ps) => ps.length === 2 && ps.every(isPodReady), 'rollout')
      const placed = await placeZoned(kube, ns, pods, nodes)
      if (new Set(placed.map((p) => p.zone)).size < 2) {
        throw new Error(`the scheduler put both pods in one zone (${placed.map(describePlaced).join('; ')}), which the spread constraint forbids with schedulable nodes in ${describeZones(zones)}`)
      }
      return placed
    })
    const loss = zoneToLose(before, (zone) => nodesOfZone(nodes, zone))
    if (!loss) skipClaim(task, `every pod of ${set} runs on a control-plane node, which the suite never stops: ${before.map(describePlaced).join('; ')}`)
    const lost = loss.lost.map((p) => p.pod).join(' and ')
    const surviving = loss.surviving.map((p) => p.pod).join(' and ')
    const survivingZone = loss.surviving[0]!.zone
    claimNote(task, `zone ${loss.zone} is lost (${loss.nodes.join(', ')}); before: ${before.map(describePlaced).join('; ')}`)

    const client = await Given(`a client pod in zone ${survivingZone}, which reads every pod's /identity by its DNS name <pod>.${service}`, async () => {
      const c = await startClusterClient(kube, ns, images.busybox, 'client', { [zoneLabel]: survivingZone })
      for (const p of before) {
        await c.waitForResolution(await c.fqdn(`${p.pod}.${service}`), 'answers', (r) => r.status === 'ok', { method: 'nslookup' })
        const { url, reply, noDns } = await readIdentity(kube, ns, c, p.pod, service)
        if (noDns || reply.status !== 200 || reply.body.trim() !== p.identity) {
          throw new Error(`GET ${url} from ${ns}/${c.pod} answered ${reply.status}: ${reply.body.trim().slice(0, 200)}; expected ${p.identity} by its DNS name${noDns ? ` (${noDns})` : ''}`)
        }
      }
      return c
    })

    const { timeline, notes } = await recordDisruptionTimeline(task, podEvents, selector, `pods ${selector} in ${ns}: zone ${loss.zone} lost and back`)
    let restarted = false
    const bringBack = async () => {
      if (restarted) return
      restarted = true
      await notes.during(`zone ${loss.zone} started`, () => disruptor.zoneStart!(loss.zone, loss.nodes))
      for (const node of loss.nodes) await waitForNode(kube, node, 'to be Ready again', (n) => nodeReadiness(n) === 'True')
    }
    await When(`zone ${loss.zone} is lost: ${loss.nodes.join(', ')} stop answering (${disruptor.source('zoneStop')}), and the control plane marks them not Ready`, async () => {
      cleanup.add(`zone ${loss.zone} back: ${loss.nodes.join(', ')} started again and Ready`, bringBack)
      await notes.during(`zone ${loss.zone} stopped (${loss.nodes.join(', ')})`, () => disruptor.zoneStop!(loss.zone, loss.nodes))
      for (const node of loss.nodes) await waitForNode(kube, node, 'to be marked not Ready by the control plane', (n) => nodeReadiness(n) !== 'True')
    })

    const zoneOfNode = zonesByNode(nodes)
    const moved = (pods: V1Pod[]) => movedOutOfZone(loss, pods, zoneOfNode)
    await Then(`until the control plane has evicted ${lost} (terminating once the lost nodes are tainted unreachable, which the pods tolerate 10 s), and ${hold / 1000}s more, ` +
      `no pod of zone ${loss.zone} is placed in another zone, and every claim of ${set} stays bound to its volume, whose node affinity is unchanged`, async () => {
      const started = Date.now()
      let seen: string[]
      try {
        seen = await waitForLostPodsEvicted(kube, ns, selector, loss.lost, moved)
        if (!seen.length) claimNote(task, `the control plane evicted ${lost} ${((Date.now() - started) / 1000).toFixed(0)}s after the lost nodes were not Ready`)
      } catch (err) {
        // No eviction is no move: the pods were watched for the whole disruption period.
        if (!(err instanceof WaitTimeout) || err instanceof ComponentNotActing) throw err
        claimNote(task, `the control plane did not evict ${lost} while they were watched (${err.message.split('\n')[0]})`)
        seen = []
      }
      if (!seen.length) seen = await watchPodsFor(kube, ns, selector, hold, moved)
      const [pods, nodesNow] = await Promise.all([listPods(kube, ns, selector), listNodes(kube)])
      const violations = [...new Set([...seen, ...movedOutOfZone(loss, pods, zonesByNode(nodesNow)), ...await bindingChangesNow(kube, ns, before)])]
      expect(violations, `zone ${loss.zone} lost (${loss.nodes.join(', ')} stopped); before: ${before.map(describePlaced).join('; ')}; now: ${describePods(pods)}\n${timeline.describe()}`).toEqual([])
    })

    await And(`the other zone's pods (${surviving}) keep serving their own /identity by their DNS names <pod>.${service}, read from the client pod in zone ${survivingZone}`, async () => {
      for (const p of loss.surviving) {
        const read = await readIdentity(kube, ns, client, p.pod, service)
        if (read.noDns) skipPart(task, `${p.pod} by its DNS name while zone ${loss.zone} was lost: ${read.noDns}; it was read at its address in the headless Service's endpoints instead`)
        expect({ status: read.reply.status, identity: read.reply.body.trim() }, `GET ${read.url} from ${ns}/${client.pod} in zone ${survivingZone}: ${read.reply.raw.slice(0, 300)}`)
          .toEqual({ status: 200, identity: p.identity })
      }
    })

    await When(`zone ${loss.zone} returns: ${loss.nodes.join(', ')} start again (${disruptor.source('zoneStart')}) and are Ready, and both pods of ${set} are Ready`, async () => {
      await bringBack()
      await waitForPods(kube, ns, selector, '2 Ready, none terminating', (ps) => ps.length === 2 && ps.every(isPodReady), 'disruption')
    })
    await Then(`every pod is back with its own claim, bound to the same volume with the same node affinity, its own /data/identity, on a node its volume allows`, async () => {
      expect(await bindingChangesNow(kube, ns, before), before.map(describePlaced).join('; ')).toEqual([])
      for (const was of before) {
        const pod = await getPod(kube, ns, was.pod)
        const context = `pod ${ns}/${was.pod}: before ${describePlaced(was)}; now uid ${pod.metadata?.uid} on ${pod.spec?.nodeName}`
        expect((await readFileIn(kube, ns, was.pod, '/data/identity')).trim(), `${context}: /data/identity`).toBe(was.identity)
        const affinity = (await getPv(kube, was.volume)).spec?.nodeAffinity?.required
        if (affinity) expect(nodeSelectorAllows(affinity, await getNode(kube, pod.spec?.nodeName ?? '')), `${context}: volume ${was.volume} allows ${describeNodeSelector(affinity)}`).toBe(true)
        if (loss.lost.includes(was)) claimNote(task, `${was.pod} is back on ${pod.spec?.nodeName}${pod.metadata?.uid === was.uid ? ', the same pod' : ', a new pod'}`)
      }
    })
  })
})
