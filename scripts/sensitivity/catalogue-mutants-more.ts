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
      'Q1-10': 'sandwich-0 is deleted gracefully, so its volume is emptied before the pod object goes and before the StatefulSet can make sandwich-0 again, and the And step reads no potato file',
      'Q1-11': 'sandwich-1 and sandwich-2 leave on the scale-down, emptying their volumes, so after the scale-up the And step finds their files gone',
      'Q2-03': 'the deleted demo-0\'s volume is emptied before the new demo-0 can exist, so the And step\'s cat of /mnt/vol1/aa.txt finds no such file',
      'Q3-04': 'the deleted pod\'s volume is emptied as it goes, so the And step reads no records from the new pod\'s /data/visits.log where it expects the old ones',
      'SC-02': 'the first pod is deleted (with its grace period) and waited for before the second is made, so the volume is empty when the Then step takes the sha256 of /data/blob',
    },
    specs: quests('000-podinfo-deployment-vs-statefulset', '001b-statefulset', '002-statefulset-demo', '003a-parallel-statefulset', 'storage-classes'),
    whySpecs: 'the files of the read-backs on a new pod (Q0-11, Q1-10, Q1-11, Q2-03, Q3-04, SC-02); their other claims read a volume only from the pod that wrote it, or from emptyDir (not a persistent volume), and must pass',
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
]
