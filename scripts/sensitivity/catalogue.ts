// The faults `npm run sensitivity` injects into the embedded cluster, one at a
// time, to show that the suite fails where the cluster is broken, and only there.
// Each breaks one real component, reversibly: an add-on scaled to 0, a process
// stopped, a control-plane process restarted with a controller or an admission
// plugin turned off, a provisioner reconfigured; faults that only slow the
// cluster (catalogue-slow.ts), which must fail nothing; and semantic mutants
// (catalogue-mutants.ts), a component rebuilt with one behaviour changed.
// Each names the claims it must break and those it must leave alone; the
// sensitivity run compares what the suite reported against these lists.
import { stop } from '../../cluster/nodes/node.ts'
import { ensureRunning, proc, procsNamed, recycledSetup, recycledTeardown, removeRecycledStashes, restartApiServer, restartControllerManager, scaleDeployment, setLocalPathScripts, startLossyCache, startWiper, stopLossyCache, wiper, withoutControllers } from '../../cluster/faults/actions.ts'
import { drFaults } from './catalogue-dr.ts'
import { mutantFaults } from './catalogue-mutants.ts'
import { moreMutantFaults } from './catalogue-mutants-more.ts'
import { thirdMutantFaults } from './catalogue-mutants-third.ts'
import { claimMutantFaults } from './catalogue-mutants-claims.ts'
import { fourthMutantFaults } from './catalogue-mutants-fourth.ts'
import { ext4MutantFaults } from './catalogue-mutants-ext4.ts'
import { slowFaults } from './catalogue-slow.ts'
import { clusterIpClaims, dataKeptClaims, deploymentClaims, dnsClaims, endpointClaims, type Fault, onClass, quests, scClaimsIn001a, scClaimsInStorageAdvanced, scClaimsInStorageClasses, statefulSetClaims, storageClaims } from './fault-claims.ts'

export { noMutantYet, storageClaims, unbreakable, type ClaimRef, type Fault } from './fault-claims.ts'
export type { FaultContext } from '../../cluster/faults/actions.ts'

// What wiped-volumes must break: every claim that reads data back after the pod that wrote it
// went (dataKeptClaims). The wiper empties a standard volume as soon as no live container mounts
// it (cluster/faults/actions.ts, wipeUnmountedOnce), looking four times a second; each of these
// claims deletes or scales away the writing pod and reads back from its replacement, which only
// mounts the volume after the old container is gone and a new pod has been made, scheduled and
// given a sandbox: several API round trips and a container start, well over the quarter second the
// wiper takes to look again. So each read-back finds the volume empty, whatever the claim's timing. (The wiper of earlier runs deleted files 5 s
// after their last write instead, which raced with the claims that read back within 5 s: Q1-04,
// Q1-10, Q2-03, SC-02 and Q3-04. It was replaced for that reason, not for what a run showed.)
const wipedReadBack = dataKeptClaims

// How often lossy-volumes' cache reaches the disk.
const lossyFlushSeconds = 10

// An add-on's Deployment scaled to 0, and back to 1 after; every claim it does not name left alone.
const scaledToZero = (namespace: string, deployment: string, f: Omit<Fault, 'mustLeaveAlone' | 'at' | 'inject' | 'restore'>): Fault => ({
  ...f,
  mustLeaveAlone: 'all others',
  at: 'before',
  inject: (ctx) => scaleDeployment(ctx, namespace, deployment, 0),
  restore: (ctx) => scaleDeployment(ctx, namespace, deployment, 1),
})

// kube-controller-manager restarted without one controller, and restarted whole after; the claims
// it must break named, every other claim left alone.
const controllerOff = (controller: string, f: Omit<Fault, 'component' | 'mustLeaveAlone' | 'at' | 'inject' | 'restore'>): Fault => ({
  ...f,
  component: `kube-controller-manager (${controller})`,
  mustLeaveAlone: 'all others',
  at: 'before',
  inject: (ctx) => restartControllerManager(ctx, withoutControllers(controller)),
  restore: (ctx) => restartControllerManager(ctx, []),
})

// An admission plugin and a controller off together (kube-apiserver and kube-controller-manager
// restarted without them), both restarted whole after.
const admissionAndControllerOff = (plugin: string, controller: string): Pick<Fault, 'inject' | 'restore'> => ({
  inject: async (ctx) => {
    await restartApiServer(ctx, [`--disable-admission-plugins=${plugin}`])
    await restartControllerManager(ctx, withoutControllers(controller))
  },
  restore: async (ctx) => {
    await restartApiServer(ctx, [])
    await restartControllerManager(ctx, [])
  },
})

// ---- the catalogue ---------------------------------------------------------------
export const faults: Fault[] = [
  scaledToZero('kube-system', 'coredns', {
    name: 'coredns-down',
    component: 'CoreDNS',
    names: ['the cluster DNS (CoreDNS)'],
    breaks: 'kube-system/coredns scaled to 0: no name in the cluster resolves, so every claim that resolves a pod or Service name fails; claims that reach pods by IP or through the API do not notice',
    mustBreak: [...dnsClaims],
    specs: quests('000-podinfo-deployment-vs-statefulset', '001b-statefulset', '001c-closing-questions', '002-statefulset-demo', '003a-parallel-statefulset'),
    whySpecs: 'every file with a DNS claim; their other claims (names, order, data, cluster-IP visits) must stay green, which is the collateral check',
  }),
  {
    name: 'kube-proxy-down',
    component: 'kube-proxy',
    names: ['the Service proxy (kube-proxy)'],
    breaks: 'kube-proxy stopped on every node: the rules it already wrote stay (so kube-dns still answers), but a Service made during the run gets no DNAT rule, so its cluster IP leads nowhere; headless names and pod IPs still work',
    mustBreak: [...clusterIpClaims],
    mayBreak: ['Q3-04'],
    mustLeaveAlone: 'all others',
    specs: quests('003a-parallel-statefulset', '004-records-and-update-strategies', '002-statefulset-demo'),
    whySpecs: '003a and 004 send their visits to a cluster IP; 002 reaches pods through headless DNS names, which must keep working',
    at: 'before',
    inject: async (ctx) => { for (const p of procsNamed(ctx, 'kube-proxy')) await stop(p) },
    restore: (ctx) => ensureRunning(ctx, 'kube-proxy'),
  },
  controllerOff('statefulset-controller', {
    name: 'no-statefulset-controller',
    names: ['the StatefulSet controller'],
    breaks: 'kube-controller-manager restarted with --controllers=*,-statefulset-controller: a StatefulSet is stored but no pod of it is ever made, so every claim about StatefulSet pods fails; Deployments, claims and pods made by hand are untouched',
    mustBreak: [...statefulSetClaims],
    specs: quests('000-podinfo-deployment-vs-statefulset', '001a-claim-and-pod', '001b-statefulset', '001c-closing-questions', '002-statefulset-demo', '003a-parallel-statefulset', '003b-update-strategies', '004-records-and-update-strategies'),
    whySpecs: 'every quest file: StatefulSet claims are in all but 001a; 001a (claims and pods by hand) and the Deployment claims of 000, 002 and 004 must stay green',
  }),
  controllerOff('deployment-controller', {
    name: 'no-deployment-controller',
    names: ['the Deployment controller'],
    breaks: 'kube-controller-manager without the deployment controller: a Deployment makes no ReplicaSet, so no pod; every claim about a Deployment\'s pods fails',
    mustBreak: [...deploymentClaims],
    specs: quests('000-podinfo-deployment-vs-statefulset', '002-statefulset-demo', '004-records-and-update-strategies'),
    whySpecs: 'the files with Deployment claims; their StatefulSet claims must stay green',
  }),
  controllerOff('replicaset-controller', {
    name: 'no-replicaset-controller',
    names: ['the ReplicaSet controller'],
    breaks: 'kube-controller-manager without the ReplicaSet controller: Deployments make ReplicaSets that never make a pod; the same claims as without the deployment controller fail, for another reason',
    mustBreak: [...deploymentClaims],
    specs: quests('000-podinfo-deployment-vs-statefulset', '002-statefulset-demo', '004-records-and-update-strategies'),
    whySpecs: 'the files with Deployment claims; their StatefulSet claims must stay green',
  }),
  controllerOff('endpointslice-controller', {
    name: 'no-endpointslice-controller',
    names: ['the EndpointSlice controller'],
    breaks: 'kube-controller-manager without the EndpointSlice controller: new Services get no EndpointSlices, so CoreDNS has no record of a headless Service or its pods, and kube-proxy no backend for a cluster IP; readiness can no longer be seen in endpoints',
    // Q3-04 sends its visits to the Service's cluster IP, which without endpoints refuses them.
    mustBreak: [...endpointClaims, 'Q3-04'],
    specs: quests('000-podinfo-deployment-vs-statefulset', '001b-statefulset', '001c-closing-questions', '002-statefulset-demo', '003a-parallel-statefulset', '004-records-and-update-strategies'),
    whySpecs: 'every file with a DNS, endpoint or cluster-IP claim; their pod, order and data claims must stay green',
  }),
  controllerOff('garbage-collector-controller', {
    name: 'no-garbage-collector',
    names: ['the garbage collector'],
    breaks: 'kube-controller-manager without the garbage collector: objects whose owner is gone stay, so a StatefulSet with persistentVolumeClaimRetentionPolicy Delete leaves its claims behind (Q1-15), and a deleted StatefulSet leaves its pods running, which Q2-04 and Q2-05 wait to see gone before they look at the claims (seen 2026-11-30; the catalogue had said they would pass)',
    mustBreak: ['Q1-15', 'Q2-04', 'Q2-05'],
    specs: quests('001c-closing-questions', '002-statefulset-demo'),
    whySpecs: '001c holds Q1-15, 002 holds Q2-04 and Q2-05; their other claims (names, order, DNS, data through restarts) delete no owner and must pass',
  }),
  {
    name: 'no-pvc-protection-admission',
    component: 'kube-apiserver (StorageObjectInUseProtection admission)',
    breaks: 'kube-apiserver restarted with --disable-admission-plugins=StorageObjectInUseProtection: new claims are stored without the kubernetes.io/pvc-protection finalizer. It breaks nothing: the PVC protection controller adds a missing finalizer to every claim (seen 2026-11-30: Q1-08 held, the claim stayed Terminating), so the cluster has two layers here and this fault shows the suite does not fail when one of them is gone; no-pvc-protection removes both',
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('001a-claim-and-pod', '002-statefulset-demo'),
    whySpecs: '001a holds Q1-08; 002 deletes claims no pod uses (Q2-05)',
    at: 'before',
    inject: (ctx) => restartApiServer(ctx, ['--disable-admission-plugins=StorageObjectInUseProtection']),
    restore: (ctx) => restartApiServer(ctx, []),
  },
  {
    name: 'no-pvc-protection',
    component: 'kube-apiserver (StorageObjectInUseProtection admission) and kube-controller-manager (persistentvolumeclaim-protection-controller)',
    names: ['kubernetes.io/pvc-protection', 'finalizers of claim'],
    breaks: 'the admission plugin off and the PVC protection controller off: no claim gets the kubernetes.io/pvc-protection finalizer, so a claim still in use is deleted at once instead of staying Terminating until its pod is gone',
    mustBreak: ['Q1-08'],
    mustLeaveAlone: 'all others',
    specs: quests('001a-claim-and-pod', '002-statefulset-demo'),
    whySpecs: '001a holds Q1-08; 002 deletes claims no pod uses (Q2-05), which must go as before',
    at: 'before',
    ...admissionAndControllerOff('StorageObjectInUseProtection', 'persistentvolumeclaim-protection-controller'),
  },
  {
    name: 'no-default-class',
    component: 'kube-apiserver (DefaultStorageClass admission) and kube-controller-manager (persistentvolume-binder-controller)',
    names: ['storageClassName of claim', 'the PV controller'],
    breaks: 'the DefaultStorageClass admission plugin off, and the PV binder off too: a claim without storageClassName is stored without one and nothing gives it the default class later (the binder would, RetroactiveDefaultStorageClass, within a second: with the admission plugin alone off, Q1-01 passes or fails by timing). With no binder, no claim of 001a binds either',
    mustBreak: ['Q1-01', ...onClass(['Q1-02', 'Q1-03', 'Q1-04', 'Q1-05', 'Q1-06', 'Q1-07', 'Q1-08'], 'standard')],
    mustLeaveAlone: 'all others',
    specs: quests('001a-claim-and-pod'),
    whySpecs: '001a holds Q1-01; every other claim of it needs a bound claim (no-pv-binder shows the binder alone, with its collateral check)',
    at: 'before',
    ...admissionAndControllerOff('DefaultStorageClass', 'persistentvolume-binder-controller'),
  },
  {
    name: 'no-pvc-resize-admission',
    component: 'kube-apiserver (PersistentVolumeClaimResize admission)',
    names: ['accepted a resize although the class does not allow volume expansion'],
    breaks: 'kube-apiserver without the PersistentVolumeClaimResize admission plugin: growing a claim of a class without allowVolumeExpansion is accepted instead of refused',
    mustBreak: onClass(['SC-09'], 'standard'),
    mustLeaveAlone: 'all others',
    specs: ['specs/storage-advanced.spec.ts', 'specs/storage-classes.spec.ts'],
    whySpecs: 'storage-advanced holds SC-09; storage-classes checks the class otherwise (binding, data, reclaim), which must not change',
    at: 'before',
    inject: (ctx) => restartApiServer(ctx, ['--disable-admission-plugins=PersistentVolumeClaimResize']),
    restore: (ctx) => restartApiServer(ctx, []),
  },
  controllerOff('persistentvolumeclaim-protection-controller', {
    name: 'no-pvc-protection-controller',
    names: ['the PVC protection controller'],
    breaks: 'kube-controller-manager without the PVC protection controller: the finalizer is added but never removed, so a deleted claim stays Terminating for ever and its volume is never reclaimed',
    mustBreak: [...onClass(['Q1-08', 'Q2-05', 'SC-05'], 'standard'), 'Q1-16'],
    mayBreak: ['Q1-15'],
    specs: quests('001a-claim-and-pod', '001c-closing-questions', '002-statefulset-demo', 'storage-classes'),
    whySpecs: 'the files that delete claims; their claims that keep their claims must stay green',
  }),
  controllerOff('persistentvolume-binder-controller', {
    name: 'no-pv-binder',
    names: ['the PV controller'],
    breaks: 'kube-controller-manager without the PV binder: provisioned or hand-made volumes are never bound to their claims, so no pod with a claim ever starts; the capability probe sees it first, so every [sc] claim on standard fails at once',
    mustBreak: [...onClass([...scClaimsIn001a, ...scClaimsInStorageClasses], 'standard'), ...onClass(['Q1-15'], 'standard'), 'Q1-12', 'Q1-13', 'Q1-14', 'Q1-16', 'Q1-17'],
    specs: quests('001a-claim-and-pod', '001c-closing-questions', 'storage-classes'),
    whySpecs: 'claims and pods made by hand (001a, storage-classes), the static volume (Q1-16) and 001c, whose StatefulSet has a claim per pod; Q1-01 (a claim gets the default class, no binding needed) and SC-04 (skipped: the class declares no expansion) must stay as they are',
  }),
  {
    name: 'scheduler-down',
    component: 'kube-scheduler',
    names: ['the scheduler (kube-scheduler)'],
    breaks: 'kube-scheduler stopped: no new pod is placed on a node, and a WaitForFirstConsumer claim never learns its node, so it is never provisioned; the capability probe sees it first, so every [sc] claim on standard fails at once',
    mustBreak: onClass([...scClaimsIn001a, ...scClaimsInStorageClasses], 'standard'),
    mustLeaveAlone: 'all others',
    specs: quests('001a-claim-and-pod', 'storage-classes'),
    whySpecs: 'the files that schedule plain pods on claims; Q1-01 (which classes exist, a claim gets the default) needs no pod and must stay green',
    at: 'before',
    inject: (ctx) => stop(proc(ctx, 'kube-scheduler')),
    restore: (ctx) => ensureRunning(ctx, 'kube-scheduler'),
  },
  scaledToZero('local-path-storage', 'local-path-provisioner', {
    name: 'local-path-down',
    component: 'local-path-provisioner',
    names: ['the provisioner rancher.io/local-path'],
    breaks: 'local-path-provisioner scaled to 0: claims of standard are never provisioned; the capability probe sees it first, so every [sc] claim on standard fails at once (SC-04 and SC-08 are skipped as always: the class declares no expansion and offers no snapshots)',
    mustBreak: onClass([...scClaimsIn001a, ...scClaimsInStorageClasses, ...scClaimsInStorageAdvanced], 'standard'),
    specs: quests('001a-claim-and-pod', 'storage-classes', 'storage-advanced'),
    whySpecs: 'the files of plain claims and pods, and storage-advanced; Q1-01 reads the classes and the default, which stay',
  }),
  {
    name: 'ext4-provisioner-down',
    component: 'ext4-provisioner',
    names: ['the provisioner stateful-conformance.io/ext4'],
    breaks: 'the ext4 class\'s provisioner stopped: claims of ext4 are never provisioned, so every [sc] claim on ext4 fails (the probe sees it first); standard, served by another provisioner, must not notice',
    mustBreak: onClass([...scClaimsIn001a, ...scClaimsInStorageClasses, ...scClaimsInStorageAdvanced], 'ext4'),
    mustLeaveAlone: 'all others',
    specs: quests('001a-claim-and-pod', 'storage-classes', 'storage-advanced'),
    whySpecs: 'the files of plain claims and pods and storage-advanced (SC-07 Block, which only ext4 offers here), run on ext4 and standard (SC_STORAGE_CLASSES=ext4,standard): standard is the collateral check',
    env: { SC_STORAGE_CLASSES: 'ext4,standard' },
    needs: { ext4Class: true },
    at: 'before',
    inject: async (ctx) => { for (const p of procsNamed(ctx, 'ext4-provisioner')) await stop(p) },
    restore: (ctx) => ensureRunning(ctx, 'ext4-provisioner'),
  },
  {
    name: 'recycled-volumes',
    component: 'local-path-provisioner (helper scripts)',
    // Q2-05's And step: the old file still read (cat exits 0), or the new volume not empty.
    names: ['re-used the deleted volume', 'exited 0', 'lost+found aside'],
    breaks: 'standard\'s teardown keeps a deleted volume\'s files and its setup hands them to the next claim of the same namespace and name, as a provider that recycles disks without wiping them: a deleted claim\'s data comes back',
    mustBreak: onClass(['Q2-05'], 'standard'),
    mustLeaveAlone: 'all others',
    specs: quests('002-statefulset-demo', 'storage-classes'),
    whySpecs: '002 holds Q2-05; storage-classes deletes volumes too (SC-05 checks the volume object goes, which it does), and must stay green',
    at: 'before',
    inject: (ctx) => setLocalPathScripts(ctx, { setup: recycledSetup, teardown: recycledTeardown }),
    restore: async (ctx) => {
      await setLocalPathScripts(ctx, undefined)
      await removeRecycledStashes(ctx)
    },
  },
  {
    name: 'wiped-volumes',
    component: 'standard\'s volumes (a host process)',
    // Its failures are read-backs that name the file, the pod and the class, not a component, in
    // words that differ claim by claim: none is given here, so it counts toward no detection.
    names: [],
    breaks: 'a process on the host empties each of standard\'s volumes whenever no live container mounts it, as a disk that loses its data once detached: every claim that reads data back in a new pod after the one that wrote it went fails (wipedReadBack); claims that write and read in the same pod pass, and those that read back after a container restart within the pod may fail',
    mustBreak: onClass(wipedReadBack, 'standard'),
    mayBreak: onClass(storageClaims.filter((id) => !wipedReadBack.includes(id)), 'standard').concat(['Q1-16']),
    mustLeaveAlone: 'all others',
    specs: quests('000-podinfo-deployment-vs-statefulset', '001a-claim-and-pod', '001b-statefulset', '002-statefulset-demo', '003a-parallel-statefulset', 'storage-classes'),
    whySpecs: 'the files that read back data after a pod is recreated (003a for Q3-04\'s visits); their claims on emptyDir (Q0-05), names, order and DNS must stay green',
    at: 'before',
    inject: (ctx) => startWiper(ctx),
    restore: () => stop(wiper),
  },
  {
    name: 'lossy-volumes',
    component: 'standard\'s volumes (a host process)',
    // DR-06's Then step names the file, the pod and the records lost, not a component: no detection words.
    names: [],
    breaks: `standard's volumes behave as a write cache that acknowledges fsync but reaches the disk only every ${lossyFlushSeconds} s: a host process copies each mounted volume when its last copy is ${lossyFlushSeconds} s old, and once a container that mounted it is gone, puts the volume back to that copy. DR-06's wal acknowledges a fsynced record every 20 to 30 ms and is killed right after its log is read, so the records acknowledged since the last copy are lost; none are only if that copy fell within one record's time before the read, about one run in 300. DR-01 may fail: a keeper pod evicted within ${lossyFlushSeconds} s of writing its token finds it gone`,
    mustBreak: onClass(['DR-06'], 'standard'),
    mayBreak: onClass(['DR-01'], 'standard'),
    mustLeaveAlone: 'all others',
    specs: ['specs/disruption/dr.spec.ts'],
    whySpecs: 'dr.spec.ts holds DR-06, run as npm run test:disruption runs it; DR-02 and DR-04 need the embedded cluster\'s own disruptor, which a run on the cluster as an existing one does not have, and are skipped naming it',
    suite: 'disruption',
    at: 'before',
    inject: (ctx) => startLossyCache(ctx, lossyFlushSeconds),
    restore: () => stopLossyCache(),
  },
  ...slowFaults,
  ...mutantFaults,
  ...drFaults,
  ...moreMutantFaults, ...thirdMutantFaults, ...claimMutantFaults, ...fourthMutantFaults, ...ext4MutantFaults,
]

export const faultNamed = (name: string): Fault | undefined => faults.find((f) => f.name === name)
