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
]
