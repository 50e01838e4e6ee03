// The semantic mutants of the catalogue (catalogue.ts): one component rebuilt with
// ONE behaviour changed (cluster/binaries/mutants.ts, a patch in cluster/build/mutants/),
// alive and answering every call, but wrong. Each names, from its mechanism, the
// claims a Then or And step must see violated (mustFail: failed, not broken), one
// sentence per claim on why; and the claims it breaks before their property is
// looked at, in a Given or When step (alsoBreaks), which count only as detection.
import { buildMutant } from '../../cluster/binaries/build.ts'
import { mutantNamed, patchSummary, patchText } from '../../cluster/binaries/mutants.ts'
import { restartFromBinary } from '../../cluster/faults/actions.ts'
import { repoRoot } from '../../cluster/base/config.ts'
import { type ClaimRef, type Fault, quests } from './fault-claims.ts'

export interface MutantEntry {
  mutant: string
  mustFail: Record<ClaimRef, string>
  alsoBreaks?: Record<ClaimRef, string>
  mayBreak?: Record<ClaimRef, string>
  specs: string[]
  whySpecs: string
  needs?: Fault['needs']
  suite?: Fault['suite']
  env?: Fault['env']
}

// The suite runs on the instance as an existing cluster (SC_CLUSTER=current), so the DR claims get
// the embedded cluster's node stop and start as a user's commands would give them (docs/disruption.md):
// through cluster/cli.ts, by the Node.js running this. The control-plane restart only where a mutant
// needs it: a restart keeps each component's build, but DR-04 would restart the API server under
// eviction-ignores-budget for nothing.
export const cliCommand = (args: string) => `"${process.execPath}" "${repoRoot}/cluster/cli.ts" ${args}`
export const disruptCommand = (args: string) => cliCommand(`disrupt ${args}`)
const embeddedNodeCommands = { SC_DISRUPT_NODE_STOP: disruptCommand('node-stop "$1"'), SC_DISRUPT_NODE_START: disruptCommand('node-start "$1"') }
// The control plane restarted as DR-04 asks, each component from the build it runs: the mutant stays.
const embeddedRestartCommand = { SC_DISRUPT_CONTROL_PLANE_RESTART: disruptCommand('control-plane-restart') }

export function mutantFault(e: MutantEntry): Fault {
  const m = mutantNamed(e.mutant)
  const reasons = (r: Record<ClaimRef, string> | undefined, what: string) => (r && Object.keys(r).length ? ` ${what}: ${Object.entries(r).map(([id, why]) => `${id}, ${why}`).join('; ')}.` : '')
  return {
    name: m.name,
    kind: 'mutant',
    component: `${m.binary} (mutant ${m.name})`,
    breaks: `${patchSummary(patchText(m))}${reasons(e.alsoBreaks, 'Broken before the property is checked')}${reasons(e.mayBreak, 'May fail')}`,
    mustBreak: [...Object.keys(e.mustFail), ...Object.keys(e.alsoBreaks ?? {})],
    mustFail: e.mustFail,
    ...(e.mayBreak ? { mayBreak: Object.keys(e.mayBreak) } : {}),
    mustLeaveAlone: 'all others',
    specs: e.specs,
    whySpecs: e.whySpecs,
    ...(e.needs ? { needs: e.needs } : {}),
    ...(e.suite ? { suite: e.suite } : {}),
    ...(e.env ? { env: e.env } : {}),
    at: 'before',
    // Built here if the cache lacks it (a relink: minutes), before the component is stopped.
    inject: async (ctx) => restartFromBinary(ctx, m.binary, await buildMutant(m)),
    restore: (ctx) => restartFromBinary(ctx, m.binary, undefined),
  }
}

export const mutantFaults: Fault[] = [
  // ---- StatefulSet controller ----
  mutantFault({
    mutant: 'sts-ordered-ready-no-wait',
    mustFail: {
      'Q1-11': 'scaled from 1 to 3, the controller creates the next ordinal on its next sync, while the one before is still starting, so the Then step sees a pod created before its predecessor was Running and Ready',
      'Q1-17': 'the three pods of a new OrderedReady set are created one sync apart, not one Ready apart, so the And step on "each only after the previous one is Running and Ready" sees the order broken',
      'Q3-07': 'the OrderedReady set (each pod Ready only 2 s after it starts) has ordered-1 created before ordered-0 is Ready, which the And step checks',
    },
    specs: quests('001b-statefulset', '001c-closing-questions', '003a-parallel-statefulset'),
    whySpecs: 'the three files holding an OrderedReady start-up order (Q1-11, Q1-17, Q3-07); their names, claims, DNS and data claims only see pods start sooner and must pass',
  }),
  mutantFault({
    mutant: 'sts-rolling-lowest-first',
    mustFail: {
      'Q0-10': 'the update deletes podinfo-0 first and waits for it, so the Then step sees old podinfo-0 terminated before old podinfo-1',
      'Q3-09': 'with partition 1 the update takes visits-1 before visits-2, so the Then step on "visits-2 replaced and Ready before visits-1 terminated" sees the reverse',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset', '003b-update-strategies'),
    whySpecs: '000 holds Q0-10 and 003b Q3-09; their other claims (data after the update, OnDelete) do not depend on the order and must pass',
  }),
  mutantFault({
    mutant: 'sts-partition-ignored',
    mustFail: {
      'Q3-09': 'the partition is read as 0, so the sync that finds new visits-1 Ready also deletes visits-0, before it writes the status the When step waits for; the Then step requires old visits-0 never to have terminated below partition 1',
    },
    specs: quests('003b-update-strategies'),
    whySpecs: '003b holds Q3-09; Q3-08 (OnDelete) sets no partition and must pass',
  }),
  mutantFault({
    mutant: 'sts-ondelete-rolls',
    mustFail: {
      'Q3-08': 'OnDelete no longer stops the controller, so the template change alone replaces pods, and the Then step sees a pod deleted and moved to the new revision that nobody deleted by hand',
    },
    specs: quests('003b-update-strategies'),
    whySpecs: '003b holds Q3-08; Q3-09 (RollingUpdate) goes as always and must pass',
  }),
  mutantFault({
    mutant: 'sts-scale-down-lowest-first',
    mustFail: {
      'Q1-11': 'scaled from 3 to 1, the controller deletes sandwich-1 before sandwich-2, so the Then step on "the highest ordinal goes first" sees sandwich-1 terminating while sandwich-2 still runs',
    },
    specs: quests('001b-statefulset'),
    whySpecs: '001b holds Q1-11, the only claim on the order of a scale-down by more than one; its other claims never scale down and must pass',
  }),
  mutantFault({
    mutant: 'sts-parallel-as-ordered',
    mustFail: {
      'Q3-01': 'the Parallel set starts one pod at a time, each after the one before is Ready, so the And step sees a pod Ready before visits-2 was created',
      'Q3-07': 'the Parallel half of the claim sees the same wait, so its Then step on "all three created before any was Ready" fails',
      'Q4-02': 'the two Parallel pods start in order, so the And step sees visits-0 Ready before visits-1 was created',
    },
    specs: quests('003a-parallel-statefulset', '004-records-and-update-strategies'),
    whySpecs: '003a and 004 hold the Parallel claims; their claims on claims, records, DNS and Deployments only see pods start later and must pass',
  }),
  mutantFault({
    mutant: 'sts-retention-ignored',
    mustFail: {
      'Q1-15': 'the controller reads every set\'s policy as Retain, so snack\'s claims get no owner reference and the Then step waiting for snack\'s scaled-down claim to be removed (whenScaled Delete) sees it stay',
    },
    specs: quests('001c-closing-questions'),
    whySpecs: '001c holds Q1-15; its other claims set no retention policy and must pass',
  }),
  mutantFault({
    mutant: 'sts-replaces-lost-pods',
    mustFail: {
      'DR-02': 'once keeper-1\'s node stops answering, the node lifecycle controller marks keeper-1 not Ready (no reason), the controller deletes it with no grace and makes keeper-1 again on its next sync, so within the Then step\'s 30 s a keeper-1 with another uid appears while the first was never confirmed gone',
    },
    specs: ['specs/disruption/dr.spec.ts'],
    whySpecs: 'dr.spec.ts holds DR-02, run as npm run test:disruption runs it, with the node commands of the embedded cluster; DR-01 (a drain) and DR-06 (a pod deleted with grace 0) mark no pod not Ready through its node and must pass; DR-04 needs a control-plane restart, not given here, and is skipped naming it',
    suite: 'disruption',
    env: embeddedNodeCommands,
    // keeper-1's node stops: another node must keep the cluster's pods.
    needs: { nodes: 2 },
  }),
  // The first mutant for DR-04, sts-restart-reverses-rollout (an update older than the controller goes
  // on lowest first), could show nothing: the controller deletes keeper-1 the moment keeper-2 is Ready,
  // before the When step's restart, so the restarted controller had only keeper-0 left, and one pod has
  // no order (its one run, 6 December 2026: DR-04 passed). Replaced for that mechanism by this one.
  mutantFault({
    mutant: 'sts-restart-rolls-all-at-once',
    mustFail: {
      'DR-04': 'the update begins under the mutant, which started before it, so keeper-2 is replaced as usual and keeper-1 deleted once keeper-2 is Ready; the restart takes the API server first (seconds), then the controller manager, which is then the only one to make keeper-1 again, so keeper-1 cannot be Ready before the restarted controller\'s first sync, in which the update, now older than the controller, has keeper-0 deleted too: the Then step sees keeper-0 terminated before keeper-1 was Ready',
    },
    specs: ['specs/disruption/dr.spec.ts'],
    whySpecs: 'dr.spec.ts holds DR-04, run as npm run test:disruption runs it, with the embedded cluster\'s control-plane restart; DR-01 (a drain) and DR-06 (a kill) update no set and must pass; DR-02 needs a node stopped, not given here, and is skipped naming it',
    suite: 'disruption',
    env: embeddedRestartCommand,
  }),
  // ---- Deployment controller ----
  mutantFault({
    mutant: 'deploy-surge-unbounded',
    mustFail: {
      'Q4-03': 'the new ReplicaSet is scaled straight to 4 beside the old one\'s 4, so the And step sees the ReplicaSets ask for 8 pods in all, over replicas + maxSurge = 5',
    },
    specs: quests('004-records-and-update-strategies'),
    whySpecs: '004 holds Q4-03; Q4-04 (Recreate) and Q4-05 (a canary of two Deployments that never roll) do not read the surge bound and must pass',
  }),
  mutantFault({
    mutant: 'deploy-unavailable-unbounded',
    mustFail: {
      'Q4-03': 'the sync that scales the new ReplicaSet up by maxSurge also scales the old one to 0 (no pod need stay available), before any new pod is Ready, so the Then step sees fewer than replicas - maxUnavailable = 3 pods Ready and not terminating',
    },
    specs: quests('004-records-and-update-strategies'),
    whySpecs: '004 holds Q4-03; Q4-04 (Recreate) and Q4-05 do not roll with these bounds and must pass',
  }),
  mutantFault({
    mutant: 'deploy-recreate-overlap',
    mustFail: {
      'Q4-04': 'the new ReplicaSet is made and scaled up in the same pass that scales the old one to 0, so the Then step sees old pods still running when the first new pod was created',
    },
    specs: quests('004-records-and-update-strategies'),
    whySpecs: '004 holds Q4-04; Q4-03 (RollingUpdate) does not take the Recreate path and must pass',
  }),
  // ---- EndpointSlice controller ----
  mutantFault({
    mutant: 'endpointslice-unready-published',
    mustFail: {
      'Q3-06': 'pod probed is published with ready true while its readiness probe fails, so the Then step on "the EndpointSlices list it as not ready" sees it ready',
      'Q1-14': 'the pod taken out of service stays a ready endpoint, so CoreDNS keeps answering its IP and the Then step on "answers only sandwich-0\'s IP" sees both',
    },
    specs: quests('003a-parallel-statefulset', '001c-closing-questions'),
    whySpecs: '003a holds Q3-06 and 001c Q1-14; their other claims read endpoints of Ready pods only (DNS, visits) and must pass',
  }),
  // ---- PV controller ----
  mutantFault({
    mutant: 'pv-never-released',
    mustFail: {
      'Q2-05': 'the deleted claim\'s volume stays Bound, and a provisioner deletes only Released volumes, so the Then step waiting for the volume to be deleted sees it stay',
      'SC-05': 'the same: with the class\'s reclaim policy Delete, the Then step waits for a volume that is never Released, so never deleted',
    },
    alsoBreaks: {
      'Q1-16': 'its Given step keeps a provisioned volume\'s storage by waiting for the volume to go Released, which it never does',
    },
    specs: quests('002-statefulset-demo', 'storage-classes', '001c-closing-questions'),
    whySpecs: '002 holds Q2-05, storage-classes SC-05 and 001c Q1-16; the claims that keep their claims (data, names, retention on scale-down) must pass',
  }),
  // ---- kubelet ----
  mutantFault({
    mutant: 'kubelet-hostname-not-podname',
    mustFail: {
      'Q0-08': 'podinfo reports the container\'s hostname, now pod-<uid>, so the And step on "podinfo-0 answers with its own hostname" sees another name',
      'Q1-12': 'the And step runs `hostname` in each pod and sees pod-<uid>, not the pod name, although the controller set spec.hostname right',
      'Q2-06': 'the And step runs `hostname` in demo-0 and demo-1 and sees pod-<uid>',
      'Q2-09': 'the And step checks that the answer through the pod\'s DNS name comes from that pod by the hostname podinfo reports, which is pod-<uid>',
    },
    alsoBreaks: {
      'Q2-10': 'its Given step already expects demo-0\'s answer to carry hostname demo-0',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset', '001c-closing-questions', '002-statefulset-demo'),
    whySpecs: 'the files that read a container\'s hostname; their DNS claims resolve names the EndpointSlice controller publishes from spec.hostname, which the kubelet does not touch, and must pass',
  }),
  mutantFault({
    mutant: 'kubelet-emptydir-wiped-on-restart',
    mustFail: {
      'Q0-05': 'the container restarted after GET /panic finds the emptyDir /data empty, so the Then step\'s `ls /data` does not show the stored hash',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset'),
    whySpecs: '000 holds Q0-05; Q0-04 (the restart itself) and the StatefulSet claims, whose data is on claims, not emptyDir, must pass',
  }),
  // ---- scheduler ----
  mutantFault({
    mutant: 'scheduler-volume-affinity-ignored',
    mustFail: {
      'Q1-05': 'the scheduler places the recreated lunchbox on any node, so either it lands on one the volume excludes, which the first Then step sees, or the pod then pinned to an excluded node is scheduled there, so the last Then step sees no FailedScheduling for a volume node-affinity conflict and a pod that is not Pending',
    },
    mayBreak: {
      'Q1-04': 'the recreated pod may be placed on a node that does not hold its node-local volume, where it never starts (its When step waits for it Ready) or reads nothing back',
    },
    specs: quests('001a-claim-and-pod'),
    whySpecs: '001a holds Q1-05; its claims that do not recreate a pod on an existing volume must pass',
    // One node excludes no other: Q1-05's second half needs a node the volume's affinity excludes.
    needs: { nodes: 2 },
  }),
  // ---- API server (the DR claims) ----
  mutantFault({
    mutant: 'eviction-ignores-budget',
    mustFail: {
      'DR-01': 'right after the drain\'s first accepted eviction the budget (maxUnavailable 1) allows no disruption, and the Eviction API now lets the next keeper pod go instead of answering 429, so the Then step sees that eviction accepted',
    },
    specs: ['specs/disruption/dr.spec.ts'],
    whySpecs: 'dr.spec.ts holds DR-01, run as npm run test:disruption runs it; DR-06 (a pod deleted with grace 0) needs only the API and must pass; DR-02 and DR-04 need the embedded cluster\'s own disruptor, which a run on the cluster as an existing one (SC_CLUSTER=current) does not have, so they are skipped naming it',
    suite: 'disruption',
    // A drain needs another node for the evicted pods.
    needs: { nodes: 2 },
  }),
]
