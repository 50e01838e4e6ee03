// Semantic mutants on who deletes a claim (catalogue-mutants.ts says what one is and how its entry
// reads): for Q2-04 and Q1-07, the claims that a claim outlives its StatefulSet and its pod, which no
// mutant made failed (sts-claims-of-ordinal-0 and no-garbage-collector only break Q2-04 before its
// Then step). A file of its own, as each batch after the first has had: catalogue-mutants.ts is near
// 300 lines, and docs/sensitivity.md tells the batches apart by their files.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

export const claimMutantFaults: Fault[] = [
  // ---- StatefulSet controller ----
  // Every set reads as whenDeleted Delete, so each claim-template claim gets a controller owner
  // reference to its set (the retention policy is GA in v1.36: no feature gate stands between), set
  // when the pod is made and on each sync after (a Parallel set checks it at once, an OrderedReady one
  // once the pod is Ready). The set is deleted with background propagation, so the garbage collector
  // deletes its pods and its claims together: the claims go Terminating at once (a pod still uses
  // them) and are removed once the pods are gone. Other sets of 002 are never deleted: a claim owned
  // by a set that lives is left alone, and whenScaled stays Retain, so a deleted pod keeps its claim.
  mutantFault({
    mutant: 'sts-claims-deleted-with-set',
    mustFail: {
      'Q2-04': 'the garbage collector deletes vol1-demo-0 and vol1-demo-1 with the set, while the pods terminate, so once the pods are gone the Then step finds each claim Terminating (a deletion timestamp) or, once the PVC-protection controller let it go, not there at all',
    },
    mayBreak: {
      'Q2-05': 'its When step waits for the set\'s pods to go, by which time the garbage collector has vol1-demo-0 Terminating; the And step then deletes it itself, which is accepted while it is Terminating but answers 404 Not Found (the step fails) if the PVC-protection controller has already let it go, a race of a few API calls after the last pod goes. The rest holds: the volume is deleted, the recreated set waits for its old claims to go and gets new, empty volumes',
    },
    specs: quests('002-statefulset-demo'),
    whySpecs: '002 holds Q2-04; its other claims must pass: Q2-01 has no StatefulSet, Q2-02, Q2-06 and Q2-09 make the set and leave it, and Q2-03, Q2-07, Q2-08 and Q2-10 delete demo-0 only, whose claim the set (not the pod) owns and keeps, so the new demo-0 mounts it as before',
  }),
  // ---- PVC-protection controller ----
  // A pod with a deletion timestamp (or a delete event) has each claim it names deleted, once (a claim
  // already Terminating is left alone); the finalizer kubernetes.io/pvc-protection keeps the claim
  // until the pod is gone. The controller's own role may not delete claims, so the patch has it run as
  // the garbage collector's service account. Pods that finish, or are never deleted, keep their claims.
  mutantFault({
    mutant: 'pvc-deleted-with-pod',
    mustFail: {
      'Q1-07': 'deleting lunchbox has its claim deleted while lunchbox terminates, and removed once lunchbox is gone, so the Then step finds sandwich-ingridients gone, or still Terminating with a deletion timestamp, not the same claim Bound and not terminating',
    },
    alsoBreaks: {
      'Q1-04': 'its When step deletes lunchbox, which takes sandwich-ingridients with it, and makes lunchbox again from the same manifest: the claim is Terminating or gone, so the scheduler never places the new pod and the step\'s wait for it to be Ready ends without it',
      'Q1-05': 'the same: its When step recreates lunchbox on a claim that is being deleted or gone, and waits for the scheduler to place it, which it never does',
    },
    specs: quests('001a-claim-and-pod'),
    whySpecs: '001a holds Q1-07; its other claims must pass: Q1-01, Q1-02, Q1-03 and Q1-06 delete no pod (only the namespace clean-up does, after the claim is judged), and Q1-08 deletes the claim itself before it deletes lunchbox, so the claim is already Terminating when the pod goes, which the mutant leaves alone, and it still goes only once lunchbox is gone',
  }),
]
