// More semantic mutants (catalogue-mutants.ts says what one is and how its entry reads): those
// written for the claims that the first eighteen, run on 6 December 2026, left uncounted by the
// property score. Here because catalogue-mutants.ts would otherwise pass 300 lines.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

export const moreMutantFaults: Fault[] = [
  // ---- kubelet ----
  mutantFault({
    mutant: 'kubelet-volume-emptied-on-unmount',
    mustFail: {
      'Q0-11': 'the update deletes each podinfo pod, whose kubelet empties its claim\'s volume before the pod object goes, so the replacement finds /data empty and the And step\'s GET /store/<hash> answers "reading file failed"',
      'Q1-04': 'lunchbox is deleted (with its grace period) and waited for before it is made again; the kubelet deletes the pod object only once its volumes are unmounted, so the volume is empty when the new lunchbox\'s Then step reads /ingridients/potato',
      'Q1-05': 'the same: the recreated lunchbox, Ready on the node its volume allows, finds /ingridients/potato gone in the Then step "it reads … back there"',
      'Q1-10': 'sandwich-0 is deleted gracefully, so its volume is emptied before the pod object goes and before the StatefulSet can make sandwich-0 again, and the And step reads no potato file',
      'Q1-11': 'sandwich-1 and sandwich-2 leave on the scale-down, emptying their volumes, so after the scale-up the And step finds their files gone',
      'Q2-03': 'the deleted demo-0\'s volume is emptied before the new demo-0 can exist, so the And step\'s cat of /mnt/vol1/aa.txt finds no such file',
      'Q3-04': 'the deleted pod\'s volume is emptied as it goes, so the And step reads no records from the new pod\'s /data/visits.log where it expects the old ones',
      'SC-02': 'the first pod is deleted (with its grace period) and waited for before the second is made, so the volume is empty when the Then step takes the sha256 of /data/blob',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset', '001a-claim-and-pod', '001b-statefulset', '002-statefulset-demo', '003a-parallel-statefulset', 'storage-classes'),
    whySpecs: 'the files of the read-backs on a new pod (Q0-11, Q1-04, Q1-05, Q1-10, Q1-11, Q2-03, Q3-04, SC-02); their other claims read a volume only from the pod that wrote it (Q1-06\'s second pod mounts it beside the first, Q1-08 reads before its pod goes), or from emptyDir (not a persistent volume), and must pass',
  }),
  mutantFault({
    mutant: 'kubelet-restart-count-doubled',
    mustFail: {
      'Q0-04': 'the container restarted once by GET /panic reports restartCount 2, so the Then step, which expects 1, sees 2',
      'Q3-06': 'the container restarted once by its failing liveness probe reports restartCount 2, so the Then step, which expects 1, sees 2',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset', '003a-parallel-statefulset'),
    whySpecs: '000 holds Q0-04 and 003a Q3-06; Q0-05 waits for at least one restart, which 2 is, and the other claims see no container restart (0 stays 0), so they must pass',
  }),
  // ---- StatefulSet controller ----
  mutantFault({
    mutant: 'sts-claims-of-ordinal-0',
    mustFail: {
      'Q0-09': 'no claim data-podinfo-1 is ever made, so the Then step\'s wait for it to be Bound ends without it',
      'Q0-12': 'podinfo-1 mounts data-podinfo-0 as podinfo-0 does, so the And step\'s GET on podinfo-1 finds what was stored on podinfo-0',
      'Q1-09': 'the namespace holds only ingridients-sandwich-0, so the Then step listing one claim per pod sees one claim for two pods',
      'Q2-02': 'no claim vol1-demo-1 is ever made, so the Then step\'s wait for it to be Bound ends without it',
      'Q3-02': 'the namespace holds only data-visits-0, so the Then step on exactly the claims data-visits-0, -1 and -2 sees one',
      'Q3-03': 'the three pods append to the one /data/visits.log of data-visits-0, so the Then step finds in each pod\'s file the visits the other pods served',
      'Q4-01': 'both pods append to the one /data/visits.log of data-visits-0, so the Then step finds in each pod\'s file the visits the other served',
      'Q4-02': 'visits-1 mounts data-visits-0, so the Then step on each pod having its own claim sees visits-1\'s claim named for visits-0',
    },
    alsoBreaks: {
      'Q1-11': 'its When step reads the claims of sandwich-1 and sandwich-2, which were never made',
      'Q2-04': 'its Given step waits for vol1-demo-1 to be Bound, which was never made',
    },
    mayBreak: {
      'Q3-04': 'its Then step checks that the recreated pod mounts its own claim, which fails unless the pod that served the most visits (whose records it keeps) is visits-0',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset', '001b-statefulset', '002-statefulset-demo', '003a-parallel-statefulset', '004-records-and-update-strategies'),
    whySpecs: 'the files whose StatefulSets have a claim template; their claims on names, DNS, order, updates and Deployments, and the read-backs from ordinal 0 (Q0-11, Q1-10, Q2-03, Q2-05), do not tell ordinal 0\'s claim from a pod\'s own and must pass',
  }),
  // ---- EndpointSlice controller ----
  mutantFault({
    mutant: 'endpointslice-no-hostnames',
    mustFail: {
      'Q3-05': 'once visits is headless, CoreDNS makes a per-pod record only from an endpoint\'s hostname, which none has, so the Then step\'s wait for visits-0.visits to resolve sees NXDOMAIN to its end',
    },
    specs: quests('003a-parallel-statefulset'),
    whySpecs: '003a holds Q3-05; its other claims resolve no per-pod name (they reach the pods through the cluster IP, by exec, or read the endpoints\' addresses and readiness, published as before) and must pass',
  }),
  // ---- PV controller ----
  mutantFault({
    mutant: 'pv-wffc-binds-at-once',
    mustFail: {
      'Q1-02': 'the claim of standard (WaitForFirstConsumer) is given a node on the PV controller\'s first sync, never the WaitForFirstConsumer event, and is provisioned and Bound with no pod, so the Then step waiting for that event and a Pending claim sees neither',
      'SC-01': 'the same: the claim with no pod gets no WaitForFirstConsumer event and is Bound at once, so the Then step waiting for the event sees none',
    },
    specs: quests('001a-claim-and-pod', 'storage-classes'),
    whySpecs: '001a holds Q1-02 and storage-classes SC-01; their other claims bind a claim for a pod on the one node, where the node chosen at once is the node the pod runs on, and must pass',
  }),
]
