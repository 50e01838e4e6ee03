// specs/disruption/dr.spec.ts — mirrors no quest: the DR series of
// shared/claims.md, the quests' promises (a stable name, a claim per pod, data
// that outlives the pod, updates in order) while the cluster is disturbed on
// purpose. Run alone, one claim at a time (npm run test:disruption,
// vitest.disruption.config.ts). A drain needs only the API; stopping a node or
// restarting the control plane needs the embedded cluster or the user's own
// command (lib/harness/disruptor.ts, docs/disruption.md); without it the claim
// is skipped, naming what is missing. The StatefulSet keeper and its checks are in
// keepers.ts, shared with DR-05 (an upgrade, dr-upgrade.spec.ts); DR-03 is in dr-zone.spec.ts.
import { checkWriteLog, describeWriteLogCheck, lastAck, readWriteLog, waitForAcknowledgements } from '../../lib/apps/write-log.ts'
import { claimNote, progress, recordDisruptionTimeline, skipClaim } from '../../lib/harness/claim-entry.ts'
import { disruptorFor, requirePowers } from '../../lib/harness/disruptor.ts'
import { applyFixture, describe, expect, storageTest, test } from '../../lib/harness/fixtures.ts'
import { And, Given, Then, When } from '../../lib/harness/steps.ts'
import { IncompleteRecording } from '../../lib/observe/gaps.ts'
import { fewestReady } from '../../lib/observe/pod-counts.ts'
import { describeReplacements, orderViolations, replacementsOf } from '../../lib/observe/pod-record-order.ts'
import { waitForTimelineEvents, watchRecordingFor } from '../../lib/observe/recordings.ts'
import { evictPod, outOfService, setOutOfService, setUnschedulable, type Eviction } from '../../lib/resources/evictions.ts'
import { describeNodeSelector, isSchedulableLinux, listNodes, nodeSelectorAllows } from '../../lib/resources/nodes.ts'
import { deletePod, getPod, isPodReady, listPods, readPodLog } from '../../lib/resources/pods.ts'
import { getPv, getPvc } from '../../lib/resources/storage.ts'
import { getStatefulSet, patchObject } from '../../lib/resources/workloads.ts'
import { describeBudget, nodeReadiness, waitForBudget, waitForNode } from '../../lib/wait/disruption.ts'
import { waitForPod, waitForPodGone, waitForPodReady, waitForPods, waitForReplacement } from '../../lib/wait/pods.ts'
import { waitForStatefulSetRolledOut } from '../../lib/wait/workloads.ts'
import { describeKeepers, expectBackWithItsData, givenKeepers, type Keeper, keepers } from './keepers.ts'

// The node to drain: one running the fewest keeper pods (at least one), so that the drain can finish
// while the budget holds on every class (two pods of a node-local class on the drained node could only
// come back to it, which the cordon forbids: the second eviction would wait for ever, as kubectl drain does).
function nodeToDrain(before: Record<string, Keeper>): { node: string; pods: string[] } {
  const byNode = new Map<string, string[]>()
  for (const [pod, k] of Object.entries(before)) byNode.set(k.node, [...(byNode.get(k.node) ?? []), pod])
  const [node, pods] = [...byNode.entries()].sort((a, b) => a[1].length - b[1].length || b[1].join().localeCompare(a[1].join()))[0]!
  return { node, pods: pods.sort() }
}

describe('DR stateful workloads through disruption', () => {
  storageTest('DR-01 draining a node (cordon, then the Eviction API for each pod) honours a PodDisruptionBudget of maxUnavailable 1: never two pods unavailable, an eviction that would break it refused (429), each evicted pod back with its name, claim and data [multi-node]', async ({ task, kube, ns, podEvents, cluster, storageClass, cleanup }) => {
    if (cluster.schedulableNodes < 2) skipClaim(task, `needs 2 schedulable nodes (this cluster has ${cluster.schedulableNodes}): a drained node's pods would have nowhere else to run`)
    const before = await givenKeepers(kube, ns, storageClass)
    const { node, pods: onNode } = nodeToDrain(before)
    const { timeline, notes } = await recordDisruptionTimeline(task, podEvents, 'app=keeper', `pods app=keeper in ${ns} through the drain of ${node}`, { budget: { kube, namespace: ns, name: 'keeper' } })
    const drain = await When(`node ${node} is drained: cordoned, then ${onNode.join(' and ')} evicted through the Eviction API (a refusal waited out, as kubectl drain does); ` +
      'right after the first accepted eviction, one more keeper pod is asked to leave', () => notes.during(`drain of ${node}`, async () => {
      await setUnschedulable(kube, node, true)
      cleanup.add(`uncordon node ${node}`, () => setUnschedulable(kube, node, false))
      const refusals: string[] = []
      let probe: { pod: string; outcome: Eviction } | undefined
      for (const pod of onNode) {
        for (;;) {
          const outcome = await evictPod(kube, ns, pod)
          if (outcome.evicted) break
          refusals.push(`${pod}: ${outcome.refusal}`)
          await waitForBudget(kube, ns, 'keeper', 'to allow a disruption again', (b) => (b.status?.disruptionsAllowed ?? 0) >= 1, 'disruption')
        }
        progress(`evicted ${pod} from ${node}`)
        if (!probe) {
          // Another keeper pod, off the drained node where there is one: its eviction now would make two unavailable.
          const other = keepers.filter((p) => p !== pod).sort((a, b) => Number(before[a]!.node === node) - Number(before[b]!.node === node))[0]!
          probe = { pod: other, outcome: await evictPod(kube, ns, other) }
          progress(`asked ${other} to leave while ${pod} is away: ${probe.outcome.evicted ? 'evicted' : probe.outcome.refusal}`)
        }
      }
      return { refusals, probe: probe! }
    }))
    const evicted = [...new Set([...onNode, ...(drain.probe.outcome.evicted ? [drain.probe.pod] : [])])]
    await When(`node ${node} is uncordoned (the maintenance over) and every keeper pod is back and Ready`, async () => {
      await notes.during(`uncordon ${node}`, () => setUnschedulable(kube, node, false))
      await waitForPods(kube, ns, 'app=keeper', `3 Ready, ${evicted.join(' and ')} as new pods`, (ps) =>
        ps.length === 3 && ps.every((p) => isPodReady(p) && !p.metadata?.deletionTimestamp) &&
        evicted.every((e) => ps.some((p) => p.metadata?.name === e && p.metadata?.uid !== before[e]!.uid)), 'disruption')
      await waitForTimelineEvents(timeline, evicted.map((pod) => ({ pod, kind: 'ready' as const, incarnation: 'new' as const })))
    })
    await Then(`the eviction of ${drain.probe.pod} while another keeper pod was away was refused with 429 (the budget allows no second disruption)`, async () => {
      const budget = await waitForBudget(kube, ns, 'keeper', 'to be read', () => true)
      expect(drain.probe.outcome, `eviction of ${ns}/${drain.probe.pod} right after ${onNode[0]} was evicted; PodDisruptionBudget now: ${describeBudget(budget)}`).toMatchObject({ evicted: false })
      if (drain.refusals.length) claimNote(task, `the drain itself met ${drain.refusals.length} refusal(s), waited out: ${drain.refusals.join('; ')}`)
    })
    await And('at no observed moment were two keeper pods unavailable (at least 2 of 3 Ready and not terminating)', () => {
      const { minReady, after } = fewestReady(timeline, 2)
      expect(minReady, `fewest keeper pods Ready at once: ${minReady}${after ? `, after ${after.pod} ${after.kind}` : ''}\n${timeline.describe()}`).toBeGreaterThanOrEqual(2)
    })
    await And(`${evicted.join(' and ')} came back with the same name, the same claim and its data, on a node its volume allows`, () =>
      expectBackWithItsData(kube, ns, before, evicted))
  })

  storageTest('DR-02 at most one pod per identity: while the node running keeper-1 does not answer, no second keeper-1 starts; once the node is marked out of service, keeper-1 comes back with its claim and data [multi-node]', async ({ task, kube, ns, podEvents, cluster, storageClass, cleanup }) => {
    if (cluster.schedulableNodes < 2) skipClaim(task, `needs 2 schedulable nodes (this cluster has ${cluster.schedulableNodes}): stopping the only one would stop the cluster's workloads with it`)
    const disruptor = disruptorFor(cluster.embedded)
    requirePowers(task, disruptor, ['nodeStop', 'nodeStart'])
    const before = await givenKeepers(kube, ns, storageClass)
    const node = before['keeper-1']!.node
    const uid = before['keeper-1']!.uid
    const { timeline, notes } = await recordDisruptionTimeline(task, podEvents, 'app=keeper', `pods app=keeper in ${ns}: ${node} stopped, then marked out of service`, { budget: { kube, namespace: ns, name: 'keeper' } })
    let restarted = false
    const bringBack = async () => {
      if (restarted) return
      restarted = true
      await setOutOfService(kube, node, false)
      await notes.during(`${node} started`, () => disruptor.nodeStart!(node))
      await waitForNode(kube, node, 'to be Ready again', (n) => nodeReadiness(n) === 'True')
    }
    await When(`node ${node}, running keeper-1, stops answering (${disruptor.source('nodeStop')})`, async () => {
      cleanup.add(`node ${node} started again and Ready, not out of service`, bringBack)
      await notes.during(`${node} stopped`, () => disruptor.nodeStop!(node))
      await waitForNode(kube, node, 'to be marked not Ready by the control plane', (n) => nodeReadiness(n) !== 'True')
      await waitForPod(kube, ns, 'keeper-1', 'to be marked not Ready', (p) => !isPodReady(p), 'nodeReadiness')
    })
    const hold = 30_000
    const secondPod = (t: typeof timeline) => t.events.find((e) => e.pod === 'keeper-1' && e.uid !== uid && (e.kind === 'created' || e.kind === 'present'))
    await Then(`for ${hold / 1000}s no second keeper-1 starts: the first (uid ${uid.slice(0, 8)}) is not confirmed gone`, async () => {
      const violation = await watchRecordingFor(timeline, hold, (t) => {
        const e = secondPod(t)
        return e ? `a keeper-1 with uid ${e.uid} appeared (${e.kind}) while ${uid} on ${node} was not confirmed gone` : undefined
      })
      const pod = await getPod(kube, ns, 'keeper-1')
      expect(violation, timeline.describe()).toBeUndefined()
      expect(pod.metadata?.uid, `pod ${ns}/keeper-1 now: ${describeKeepers([pod])}`).toBe(uid)
    })
    const pvc = await getPvc(kube, ns, before['keeper-1']!.claim)
    const pv = await getPv(kube, pvc.spec?.volumeName ?? '')
    const affinity = pv.spec?.nodeAffinity?.required
    const elsewhere = (await listNodes(kube)).filter((n) => n.metadata?.name !== node && isSchedulableLinux(n) && (!affinity || nodeSelectorAllows(affinity, n)))
    const taintedAt = await When(`node ${node} is marked out of service (taint ${outOfService.key}=${outOfService.value}:${outOfService.effect}), and the first keeper-1 is gone`, async () => {
      const at = Date.now()
      await notes.during(`${node} marked out of service`, () => setOutOfService(kube, node, true))
      await waitForPodGone(kube, ns, 'keeper-1', uid)
      return at
    })
    if (elsewhere.length) {
      await When(`keeper-1 is back and Ready on another node its volume ${pv.metadata?.name} allows (${elsewhere.map((n) => n.metadata?.name).join(', ')})`, () =>
        waitForReplacement(kube, ns, 'keeper-1', uid))
    } else {
      claimNote(task, `volume ${pv.metadata?.name} of class ${storageClass} allows only ${describeNodeSelector(affinity)}: keeper-1 waits for its node, which is started again`)
      await When(`keeper-1 waits for its node (its volume allows no other), which starts again and is no longer out of service`, async () => {
        await bringBack()
        await waitForReplacement(kube, ns, 'keeper-1', uid)
      })
    }
    await Then('the second keeper-1 appeared only after the node was marked out of service', () => {
      const second = secondPod(timeline)
      expect(second && second.at >= taintedAt, `node marked out of service at ${new Date(taintedAt).toISOString()}; ${second ? `second keeper-1 (uid ${second.uid}) ${second.kind} at ${new Date(second.at).toISOString()}` : 'no second keeper-1 recorded'}\n${timeline.describe()}`).toBe(true)
    })
    await And('keeper-1 came back with the same claim and its data, on a node its volume allows', () => expectBackWithItsData(kube, ns, before, ['keeper-1']))
  })

  test('DR-04 a control-plane restart in the middle of a StatefulSet rolling update changes nothing in it: highest ordinal to lowest, one pod at a time, every pod on the new revision', async ({ task, kube, ns, podEvents, cluster }) => {
    const disruptor = disruptorFor(cluster.embedded)
    requirePowers(task, disruptor, ['controlPlaneRestart'])
    await givenKeepers(kube, ns)
    const old = (await getStatefulSet(kube, ns, 'keeper')).status?.currentRevision ?? ''
    const order = ['keeper-2', 'keeper-1', 'keeper-0'].flatMap((pod) => [
      { pod, kind: 'terminating' as const, incarnation: 'old' as const }, { pod, kind: 'ready' as const, incarnation: 'new' as const }])
    const { timeline, notes } = await recordDisruptionTimeline(task, podEvents, 'app=keeper', `pods app=keeper in ${ns}: rolling update with a control-plane restart after keeper-2`, { expected: order, budget: { kube, namespace: ns, name: 'keeper' } })
    await When('the pod template changes, and keeper-2 is back on the new revision', async () => {
      await patchObject(kube, 'apps/v1', 'StatefulSet', ns, 'keeper', { spec: { template: { metadata: { annotations: { 'example.com/template-change': '2' } } } } })
      await waitForTimelineEvents(timeline, [{ pod: 'keeper-2', kind: 'ready', incarnation: 'new' }], 'rollout')
    })
    const waiting = await When(`the control plane restarts (${disruptor.source('controlPlaneRestart')}): API server, controller manager and scheduler`, async () => {
      const revisions = Object.fromEntries((await listPods(kube, ns, 'app=keeper')).map((p) => [p.metadata?.name, p.metadata?.labels?.['controller-revision-hash']]))
      const started = Date.now()
      await notes.during('control plane restart', () => disruptor.controlPlaneRestart!())
      claimNote(task, `control plane restarted in ${((Date.now() - started) / 1000).toFixed(0)}s, with ${Object.entries(revisions).filter(([, r]) => r === old).map(([p]) => p).join(', ') || 'no pod'} still on the old revision ${old}`)
      return Object.entries(revisions).filter(([, r]) => r === old).map(([p]) => p)
    })
    // Not a violation: the update went faster than the restart could reach it, and the claim was not put to the test.
    if (!waiting.includes('keeper-0')) throw new Error(`the update reached keeper-0 before the control plane restarted (pods on the old revision then: ${waiting.join(', ') || 'none'}): the restart was not in the middle of it`)
    const sts = await When('the update finishes', async () => {
      const s = await waitForStatefulSetRolledOut(kube, ns, 'keeper')
      await waitForTimelineEvents(timeline, [{ pod: 'keeper-0', kind: 'ready', incarnation: 'new' }], 'rollout')
      return s
    })
    await Then('it went keeper-2, keeper-1, keeper-0, each replaced and Ready before the next was terminated', async () => {
      try {
        expect(timeline.orderOf(order), timeline.describe()).toEqual(order.map((e) => `${e.pod} ${e.kind} (${e.incarnation})`))
        expect(timeline.replacementOrder(['keeper-2', 'keeper-1', 'keeper-0']), timeline.describe()).toEqual(['keeper-2', 'keeper-1', 'keeper-0'])
      } catch (err) {
        if (!(err instanceof IncompleteRecording)) throw err
        // The API server's restart cut the pod watch: the pods' own creation and Ready times fill the gap.
        const record = replacementsOf(await listPods(kube, ns, 'app=keeper'), ['keeper-2', 'keeper-1', 'keeper-0'])
        claimNote(task, `${err.message}; the order is read from the pods' own creation and Ready times instead (to the second): ${describeReplacements(record)}`)
        expect(orderViolations(record), `${describeReplacements(record)}\n${timeline.describe()}`).toEqual([])
      }
    })
    await And(`every pod is on the new revision ${sts.status?.updateRevision}`, async () => {
      const pods = await listPods(kube, ns, 'app=keeper')
      expect(Object.fromEntries(pods.map((p) => [p.metadata?.name, p.metadata?.labels?.['controller-revision-hash']])), describeKeepers(pods))
        .toEqual(Object.fromEntries(keepers.map((p) => [p, sts.status?.updateRevision])))
      expect(sts.status?.updateRevision).not.toBe(old)
    })
  })

  storageTest('DR-06 writes acknowledged by fsync before a pod is killed without grace are all there when it returns: none lost, none torn', async ({ task, kube, ns, podEvents, storageClass }) => {
    const minimum = 50
    await Given(`the StatefulSet wal (1 pod, a claim of class ${storageClass}) appending numbered, checksummed records to /data/wal, each fsynced before "ack <n>" in its log`, async () => {
      await applyFixture(kube, ns, 'dr/wal.yaml', { storageClass })
      await waitForPodReady(kube, ns, 'wal-0')
    })
    const { notes } = await recordDisruptionTimeline(task, podEvents, 'app=wal', `pods app=wal in ${ns}: the kill and the return`)
    const killed = await When(`at least ${minimum} records are acknowledged, and wal-0 is killed without grace (deleted with grace period 0) right after its log is read`, async () => {
      await waitForAcknowledgements(kube, ns, 'wal-0', minimum)
      const acked = lastAck(await readPodLog(kube, ns, 'wal-0', 50))
      const pod = await notes.during('wal-0 killed (grace 0)', () => deletePod(kube, ns, 'wal-0', 0))
      claimNote(task, `killed wal-0 (uid ${pod.metadata?.uid}) with ${acked} records acknowledged`)
      return { acked, uid: pod.metadata?.uid }
    })
    await When('wal-0 is back, on the same claim', () => waitForReplacement(kube, ns, 'wal-0', killed.uid))
    await Then(`every acknowledged record (1…${killed.acked}) is in /data/wal, whole and in order`, async () => {
      const text = await readWriteLog(kube, ns, 'wal-0', '/data/wal')
      const check = checkWriteLog(text, killed.acked)
      const summary = describeWriteLogCheck(check, killed.acked)
      progress(summary)
      expect({ lost: check.lost.length, torn: check.torn }, `/data/wal of ${ns}/wal-0 after the kill: ${summary}`).toEqual({ lost: 0, torn: [] })
    })
  })
})
