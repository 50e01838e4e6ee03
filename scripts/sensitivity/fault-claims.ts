// What a fault of the catalogue (catalogue.ts) is, and the claims it names.
import type { FaultContext } from '../../cluster/faults/actions.ts'

// A claim, on every class it runs on ('Q1-08'), or on one class only ('Q1-08 [standard]').
export type ClaimRef = string

// component: a component dead or switched off (the detection score counts what these show).
// mutant: a component alive and answering, with one behaviour changed (the property score counts
// what these make fail in a Then or And step). An entry without a kind is a component fault.
export type FaultKind = 'component' | 'mutant'

export const kindOf = (f: { kind?: FaultKind }): FaultKind => f.kind ?? 'component'

export interface Fault {
  name: string
  // 'mutant': a component rebuilt with one behaviour changed (catalogue-mutants.ts); unset, a
  // component stopped, switched off, reconfigured or slowed.
  kind?: FaultKind
  component: string
  // How a failure message names this component: the words of the stall check or hint that points at
  // it, or, where the fault shows as a wrong value, the check's own wording. The detection score
  // counts a failure only if its message contains one of them (case aside). Without it: `component`.
  names?: string[]
  // What it breaks, and why those claims depend on it.
  breaks: string
  mustBreak: ClaimRef[]
  // A mutant's claims that must end failed (a Then or And step saw the property violated), not
  // broken, each with why, from the mechanism; every one is in mustBreak too.
  mustFail?: Record<ClaimRef, string>
  // Claims the fault may or may not fail, by timing the run decides: neither promised nor a surprise.
  mayBreak?: ClaimRef[]
  // Every claim neither in mustBreak nor in mayBreak must hold: 'all others'.
  mustLeaveAlone: 'all others'
  // The spec files to run under it: those holding its claims, plus others that must stay green.
  specs: string[]
  whySpecs: string
  // What the cluster must have for the fault to mean anything.
  needs?: { ext4Class?: boolean; nodes?: number }
  // Which claims' vitest config runs them: the specs project, or the DR claims' own (npm run test:disruption).
  suite?: 'specs' | 'disruption'
  // Variables the suite runs with under this fault (which classes, say).
  env?: Record<string, string>
  // 'before': injected before the run starts; a number: that many ms into the run (restart faults).
  at: 'before' | number
  // Healthy but slow (a restart, a pause, late capacity, a slow provisioner, a busy machine): the
  // cluster still does all it should, later. Such a fault must fail nothing (claims.md: a slow
  // cluster is not a broken one), and its time to verdict grows with the delay it adds.
  slow?: boolean
  inject(ctx: FaultContext): Promise<void>
  restore(ctx: FaultContext): Promise<void>
}

// The claims that run once per storage class (claims.md's [sc]).
export const storageClaims = [
  'Q0-09', 'Q0-11', 'Q0-12', 'Q1-02', 'Q1-03', 'Q1-04', 'Q1-05', 'Q1-06', 'Q1-07', 'Q1-08', 'Q1-09', 'Q1-10', 'Q1-11', 'Q1-15',
  'Q2-01', 'Q2-02', 'Q2-03', 'Q2-04', 'Q2-05', 'Q3-02', 'Q3-03', 'Q3-04', 'Q4-01',
  'SC-01', 'SC-02', 'SC-03', 'SC-04', 'SC-05', 'SC-06', 'SC-07', 'SC-08', 'SC-09', 'SC-10', 'SC-11', 'SC-12',
] as const

export const onClass = (ids: readonly string[], storageClass: string): ClaimRef[] => ids.map((id) => `${id} [${storageClass}]`)

// Claims no fault of this cluster can show failing, and why. The sensitivity
// report lists them under "cannot yet be shown to fail" with this reason.
// (SC-11 and SC-12 fail only where the class cannot provision at all, as every
// [sc] claim does: no fault here breaks their own property, a volume used on two
// nodes at once or a shared one that is not shared; docs/sensitivity.md says so.)
export const unbreakable: Record<string, string> = {
  'SC-04': 'no class of the embedded cluster offers online expansion (ext4 would need CAP_SYS_RESOURCE for resize2fs, local-path has no expander), so the claim is skipped on every class and no fault can turn a skip into a failure',
  'SC-08': 'no class offers snapshots or clones (the CSI snapshotter and a CSI driver are not served here), so the claim is skipped on every class',
}

// Claims no semantic mutant counts yet, and why: the property score lists them with this reason.
export const noMutantYet: Record<string, string> = {
  'Q0-02': 'the hash of POST /store is podinfo\'s own code, which no cluster component computes: a cluster mutant cannot change it',
  'Q0-07': 'not written: a StatefulSet controller naming its pods otherwise makes the other StatefulSet claims of 000 break in the Given steps that wait for their pods by name, and its entry must account for each',
  'Q1-03': 'a claim\'s namespace is the API server\'s storage layout: serving claims cluster-wide would break every claim of the suite before this one; no narrower wrong behaviour is known',
  'Q2-07': 'the API refuses a second object of the same name, so the one wrong behaviour left, a replacement under another name, is Q0-07\'s mutant, not written',
  'Q4-05': 'the traffic split is kube-proxy\'s, which the mutant builder does not rebuild yet (cluster/binaries/mutants.ts: API server, controller manager, scheduler, kubelet)',
  'SC-10': 'a measurement, reported, which fails only on an I/O error or a threshold the user sets (none in the catalogue\'s runs)',
  'SC-11': 'skipped on the cloud shape the catalogue runs on: its classes are node-local, so no second node can use a volume at all (the strict shape\'s zonal disks run it; with their CSIDriver\'s attachRequired false, shown by hand in docs/measurements.md, it fails)',
  'SC-12': 'skipped on every class of the embedded cluster: none offers ReadWriteMany on volumes two nodes can use',
  'DR-06': 'its property is the storage\'s (data synced before a kill survives it), which no Kubernetes component changes: its fault, lossy-volumes, is a component fault of the disk',
}

// ---- the claims, grouped as the components serve them ------------------------

// Claims whose check resolves a name through the cluster DNS (a pod's or a Service's).
export const dnsClaims = ['Q0-08', 'Q1-09', 'Q1-12', 'Q1-13', 'Q1-14', 'Q2-09', 'Q2-10', 'Q3-05']
// Claims that send requests to a Service's cluster IP (kube-proxy's iptables rules).
export const clusterIpClaims = ['Q3-03', 'Q4-01', 'Q4-05']
// Claims of a StatefulSet's pods (everything the StatefulSet controller makes); not Q3-06, whose
// probed pod is a bare pod.
export const statefulSetClaims = [
  'Q0-07', 'Q0-08', 'Q0-09', 'Q0-10', 'Q0-11', 'Q0-12', 'Q1-09', 'Q1-10', 'Q1-11', 'Q1-12', 'Q1-13', 'Q1-14', 'Q1-15', 'Q1-17',
  'Q2-02', 'Q2-03', 'Q2-04', 'Q2-05', 'Q2-06', 'Q2-07', 'Q2-08', 'Q2-09', 'Q2-10',
  'Q3-01', 'Q3-02', 'Q3-03', 'Q3-04', 'Q3-05', 'Q3-07', 'Q3-08', 'Q3-09', 'Q4-01', 'Q4-02',
]
// Claims of a Deployment's pods (the Deployment controller makes ReplicaSets, the ReplicaSet controller pods).
export const deploymentClaims = ['Q0-01', 'Q0-02', 'Q0-03', 'Q0-04', 'Q0-05', 'Q0-06', 'Q2-01', 'Q4-03', 'Q4-04', 'Q4-05']
// Claims that need a Service's endpoints (DNS of headless Services, cluster-IP routing, readiness gating).
export const endpointClaims = [...dnsClaims, 'Q2-08', 'Q3-03', 'Q3-06', 'Q4-01', 'Q4-05']
// The [sc] claims of the spec files the storage faults run: on a class that cannot provision each
// fails (the capability probe saw it), but SC-04 and SC-08, which the class's declaration rules out.
export const scClaimsIn001a = ['Q1-02', 'Q1-03', 'Q1-04', 'Q1-05', 'Q1-06', 'Q1-07', 'Q1-08']
export const scClaimsInStorageClasses = ['SC-01', 'SC-02', 'SC-03', 'SC-05', 'SC-06']
export const scClaimsInStorageAdvanced = ['SC-07', 'SC-09', 'SC-10', 'SC-11', 'SC-12']
// Claims that read back, after a pod was recreated, data written more than a few seconds before.
export const dataKeptClaims = ['Q0-11', 'Q1-04', 'Q1-10', 'Q1-11', 'Q2-03', 'Q3-04', 'SC-02']

export const quests = (...files: string[]) => files.map((f) => `specs/${f}.spec.ts`)
