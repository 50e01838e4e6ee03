// The fourth batch of semantic mutants (catalogue-mutants.ts says what one is and how its entry
// reads): for the claims on one volume seen by two pods, which no mutant of the first three batches
// made failed (Q1-04, Q1-06, Q1-16, Q2-01). A file of its own, as each batch after the first has had:
// docs/sensitivity.md tells the batches apart by their files, and the first one's is near 300 lines.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

export const fourthMutantFaults: Fault[] = [
  // ---- kubelet ----
  // Every pod that mounts a claim (a volume with persistentVolumeClaim in the pod's spec) is given
  // <volume>/<pod uid>, made as the volume's root is (owner and mode copied), so each new pod starts
  // empty and pods of one claim never share a file. The read-backs of 000, 001b, 003a and
  // storage-classes (Q0-11, Q1-10, Q1-11, Q3-04, SC-02) would fail too, but kubelet-volume-emptied-on-unmount
  // counts them already: those files are not run, to keep the run short.
  mutantFault({
    mutant: 'kubelet-volume-per-pod',
    mustFail: {
      'Q1-04': 'lunchbox deleted and made again from the same manifest is another pod (another uid), given a new, empty directory of the volume, so the Then step\'s cat of /ingridients/potato finds no such file',
      'Q1-05': 'the recreated lunchbox is placed where the volume allows (the first Then step holds), but mounts a new, empty directory of the volume, so the Then step on reading "tasty potatos" back there finds no /ingridients/potato (the half that pins a pod to another node is never reached)',
      'Q1-06': 'second-lunchbox runs beside lunchbox on the same claim but sees its own empty directory, so the Then step\'s cat of /ingridients/potato, which lunchbox wrote, finds no such file',
      'Q1-16': 'the volume made by hand is still used through a claim (sandwich-static, then sandwich-recovered), so recovered-lunchbox, another pod than static-lunchbox that wrote the potato, sees its own empty directory and the Then step on "the data is still there" finds no /ingridients/potato',
      'Q2-01': 'the two replicas of Deployment shared each see their own directory of the one volume, so the Then step\'s cat, in the second pod, of the file the first wrote exits 1 (no such file)',
      'Q2-03': 'the new demo-0 (another uid) mounts a new, empty directory of vol1-demo-0, so the And step\'s cat of /mnt/vol1/aa.txt exits 1',
    },
    specs: quests('001a-claim-and-pod', '001c-closing-questions', '002-statefulset-demo'),
    whySpecs: '001a holds Q1-04, Q1-05 and Q1-06, 001c Q1-16, 002 Q2-01 and Q2-03: each reads in one pod what another pod of the claim wrote. Their other claims read no file another pod wrote and must pass: Q1-08 writes and reads in lunchbox alone, Q2-02 expects demo-1 (its own claim) not to hold demo-0\'s file, Q2-05 expects the new claim\'s volume empty, which a new pod\'s directory is; the rest read classes, bindings, names, order, DNS, endpoints or retention (Q1-14\'s readiness file is in /tmp, not on the claim). Every pod still starts and writes: its directory has the volume root\'s owner and mode (local-path\'s 0777, or the fsGroup ownership the kubelet gave the root), so sandwich\'s `test -w /ingridients` still makes it Ready',
  }),
]
