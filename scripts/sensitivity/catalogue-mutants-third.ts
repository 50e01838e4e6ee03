// The third batch of semantic mutants (catalogue-mutants.ts says what one is and how its entry
// reads): for claims neither of the first two batches made failed (issue 23). Here because
// catalogue-mutants.ts and catalogue-mutants-more.ts would otherwise pass 300 lines.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

export const thirdMutantFaults: Fault[] = [
  // ---- kubelet ----
  mutantFault({
    mutant: 'kubelet-emptydir-not-empty',
    mustFail: {
      'Q0-03': 'the podinfo pod\'s new emptyDir holds the file "ready" before podinfo stores anything, so the Then step\'s `ls -A /data` shows the hash and "ready", not the hash alone',
      'Q0-05': 'the same file is in /data before and after the restart, so the Then step\'s `ls -A /data` shows the hash and "ready"',
      'Q0-06': 'the replacement pod gets a new emptyDir, which holds "ready", so the And step on "its /data is empty" lists one file',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset'),
    whySpecs: '000 holds the three listings of the Deployment\'s emptyDir (Q0-03, Q0-05, Q0-06); its other claims list no emptyDir (Q0-12 lists a claim\'s volume, which is no emptyDir, with toContain) and must pass',
  }),
  // ---- PVC-protection controller ----
  mutantFault({
    mutant: 'pvc-protection-released-at-once',
    mustFail: {
      'Q1-08': 'the deleted claim loses its finalizer on the controller\'s first sync, although lunchbox still mounts it, so it is gone (not Terminating) when the Then step looks, or, if that step saw it in the instant before, when the And step on "still there afterwards, Terminating and Bound" looks',
    },
    specs: quests('001a-claim-and-pod'),
    whySpecs: '001a holds Q1-08; its other claims delete no claim (Q1-07 deletes only the pod, whose claim keeps its finalizer: no deletion, nothing to remove) and must pass',
  }),
  // ---- EndpointSlice controller ----
  mutantFault({
    mutant: 'endpointslice-first-address-kept',
    mustFail: {
      'Q1-13': 'the recreated sandwich-0 is published with the old pod\'s IP under its hostname, so CoreDNS answers sandwich-0.kitchen with the old IP and the And step\'s wait for the current IP ends without it',
      'Q2-08': 'the endpoint of the recreated demo-0 carries the old pod\'s IP, so the second Then step\'s wait for exactly the Ready pods\' IPs ends without them',
      'Q2-10': 'the name of the recreated demo-0 resolves to the old pod\'s IP, so the Then step\'s wait for the new IP only ends without it',
    },
    specs: quests('001c-closing-questions', '002-statefulset-demo'),
    whySpecs: '001c holds Q1-13, 002 Q2-08 and Q2-10: each recreates a StatefulSet pod and then asks the endpoints or DNS for its IP. The failure needs the new pod to get a new IP, which "may" happen; on the kind shape\'s pod network it did in every run whose logs say (17 of 17, Q1-13\'s, Q2-07\'s and Q2-10\'s notes): the same IP back leaves these three passing. The files\' other claims read no endpoint of a pod recreated under its name (Q1-15 and Q2-03 recreate pods but read claims and files) and must pass',
  }),
  // ---- kube-apiserver: PVC resize admission ----
  mutantFault({
    mutant: 'pvc-resize-class-ignored',
    mustFail: {
      'SC-09': 'the class does not allow expansion (standard sets no allowVolumeExpansion, ext4 sets false), yet the API server accepts the larger request, so the Then step on "refused, and the claim keeps its request" sees it accepted and the request raised',
    },
    specs: quests('storage-advanced'),
    whySpecs: 'storage-advanced holds SC-09; its other claims raise no request (SC-07 writes raw blocks where the class gives Block, ext4; SC-08, SC-11 and SC-12 skip on the kind shape for snapshots or a second node; SC-10 measures I/O) and must pass',
  }),
  // ---- kube-apiserver: DefaultStorageClass admission ----
  mutantFault({
    mutant: 'apiserver-default-class-empty',
    mustFail: {
      'Q1-01': 'the claim created without storageClassName is admitted with storageClassName "" (no class), which the PV controller\'s retroactive default does not replace (it fills only a nil class), so the Then step reading the claim back finds "" where the default class (standard on the kind shape) should be',
    },
    specs: quests('001a-claim-and-pod'),
    whySpecs: '001a holds Q1-01, its one claim created without a class (storageClass: null); every other claim there names its class (the fixture helper sets the run\'s class on each claim), which the plugin leaves alone, and must pass',
  }),
  // ---- ReplicaSet controller (getPodsPrefix, which DaemonSet, ReplicationController and unindexed
  // Job pods share; a StatefulSet names its pods itself). The embedded cluster's CoreDNS and local-path
  // provisioner are Deployments: a pod of theirs made while the mutant runs is named without the dash
  // too, which is harmless: nothing finds them by name (their Services and the suite go by labels). ----
  mutantFault({
    mutant: 'rs-pod-names-without-dash',
    mustFail: {
      'Q0-01': 'the ReplicaSet podinfo-<hash> (which the Deployment controller still names with its dash) generates its pod\'s name from "podinfo-<hash>" with no dash, so the Then step\'s match of the name against podinfo-<pod-template-hash>-<5 characters> fails',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset'),
    whySpecs: '000 holds Q0-01, the one claim that reads the form of a Deployment pod\'s name; Q0-02 to Q0-06 take the name the list of app=podinfo returns (Q0-06 only asks for another name, which the random suffix still gives), and Q0-07 to Q0-12 read StatefulSet pods, named <set>-<ordinal> by their own controller: all must pass. Q4-03 and Q4-04 (004) follow Deployment pods by label and revision, not by the form of the name, so 004 is not run',
  }),
]
