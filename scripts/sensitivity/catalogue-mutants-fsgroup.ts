// A semantic mutant for SC-03, fsGroup applied to a volume (catalogue-mutants.ts says what one is and
// how its entry reads), which no mutant made failed. Only the ext4 class applies fsGroup here (its
// provisioner makes `local` volumes, whose ownership the kubelet manages; local-path's are hostPath
// volumes, which it leaves as they are, so SC-03 is skipped on them), and only the cloud shape has
// that class: the entry needs it and runs on it alone. A file of its own, as each batch after the
// first has had: docs/sensitivity.md tells the batches apart by their files.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

export const fsGroupMutantFaults: Fault[] = [
  // ---- kubelet ----
  // The local volume plugin's SetUpAt bind-mounts the volume into the pod as before, but returns
  // before the ownership change (volume.NewVolumeOwnership … ChangePermissions): no file is given the
  // pod's fsGroup, no group write or setgid bit is added. A fresh ext4 volume's root stays root:root
  // 0755, so the suite's non-root pods (uid 1000) may read it but not write to it. The capability
  // probe does not see this: it reads fsGroup from the kind of volume (a `local` PV: applied), not
  // from the volume's owner, so SC-03 runs rather than being skipped, and a write refused on ext4 is
  // not taken for a limit of the class (writeRefusedByClass answers only where fsGroup is not
  // applied): the claims that write fail or break as they would on any volume that refuses them.
  mutantFault({
    mutant: 'kubelet-fsgroup-ignored',
    mustFail: {
      'SC-03 [ext4]': 'fsgroup-user (uid 1000, gid 1000, fsGroup 2345) starts on its fresh ext4 volume, whose root the kubelet left as mkfs made it, root:root 0755, so the Then step\'s stat of /data finds group 0, not 2345 (and group permissions r-x, neither writable nor setgid)',
      'SC-06 [ext4]': 'the claim binds and pod user (uid 1000, fsGroup 1000) runs, but its volume\'s root is root:root 0755, so the And step\'s first write, `echo first > /data/first`, is refused (sh: can\'t create /data/first: Permission denied); the capability probe has ext4 applying fsGroup, so the refusal is the claim\'s failure, not a skip for the class',
    },
    alsoBreaks: {
      'SC-02 [ext4]': 'its When step writes 32 MiB to /data/blob as uid 1000 on the root-owned 0755 volume, and tee is refused (Permission denied), so nothing is read back',
    },
    specs: quests('storage-classes'),
    whySpecs: 'storage-classes holds SC-03; it runs on ext4 alone (SC_STORAGE_CLASSES=ext4), the one class here that applies fsGroup, so on the cloud shape (SC_CLUSTER_SHAPE=cloud: the entry needs the ext4 class, which the kind shape lacks; on standard and shared-immediate, hostPath volumes, SC-03 is skipped naming it and the mutant changes nothing). Every pod of the file runs as uid 1000, so on ext4 each one that writes to its volume is refused: SC-02 (When) and SC-06 (And), listed. The others must pass or be skipped as on a healthy cloud run: SC-01 (binding; its pod only idles) and SC-05 (the reclaim policy; its pod writes nothing) pass, and SC-04 is skipped (ext4 does not allow expansion)',
    env: { SC_STORAGE_CLASSES: 'ext4' },
    needs: { ext4Class: true },
  }),
]
