// The semantic mutants that only the ext4 class can show (catalogue-mutants.ts says what one is and
// how its entry reads): SC-03, fsGroup applied to a volume, and SC-07, the raw Block device, which no
// mutant made failed. Only ext4 applies fsGroup here (its provisioner makes `local` volumes, whose
// ownership the kubelet manages; local-path's are hostPath volumes, which it leaves as they are, so
// SC-03 is skipped on them) and only ext4 offers Block volumes (a Block claim gets a `local` volume
// whose path is a loop device); only the cloud shape has that class. A file of its own, as each batch
// after the first has had: docs/sensitivity.md tells the batches apart by their files.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

// Each needs the ext4 class (a cluster without it skips the fault) and runs on it alone.
const onExt4Alone = { env: { SC_STORAGE_CLASSES: 'ext4' }, needs: { ext4Class: true } }

export const ext4MutantFaults: Fault[] = [
  // ---- kubelet ----
  // When a pod lets go of a Block volume (the reconciler's unmap, GenerateUnmapVolumeFunc), the kubelet
  // first opens the pod's link to the device and writes 32 MiB of zeros from its start (the whole
  // device if smaller; errors ignored), then unmaps it as usual. The volume is marked unmounted only
  // after that, and the kubelet lets the pod object go (SyncTerminatedPod waits for its volumes) only
  // after that: so a pod deleted and waited for is gone only once its device is zeroed, and the next
  // pod of the claim maps zeros. Filesystem volumes take the unmount path and are left alone.
  mutantFault({
    mutant: 'kubelet-block-zeroed-on-unmap',
    mustFail: {
      'SC-07 [ext4]': 'block-user wrote 1 MiB of random blocks at block 4099 (16 MiB in, inside the first 32 MiB of the 1 GiB loop device); deleting it has the kubelet zero those 32 MiB before it marks the volume unmapped, so before the pod object goes and the And step makes block-user again; the new pod maps the same device, and the Then step\'s O_DIRECT read at block 4099 returns 1 MiB of zeros (sha256 30e14955…), not the sha256 written',
    },
    specs: quests('storage-advanced'),
    whySpecs: 'storage-advanced holds SC-07; it runs on ext4 alone (SC_STORAGE_CLASSES=ext4), the one class that offers Block, on the cloud shape (needs the ext4 class; the strict shape skips SC-07 on ext4: its pods may not join the device\'s group). SC-07 is the only claim of the file with a Block volume (fixtures/sc/block-claim.yaml); the capability probe\'s Block pod only reads a block, before its device is zeroed as the probe ends. The others use filesystem volumes, which the kubelet unmounts, not unmaps, and must pass or be skipped as on a healthy cloud run: SC-09 (a claim grown while unused, read by a new pod) and SC-10 (fio in one pod) pass; SC-08 (no snapshot API), SC-11 (ext4 volumes are node-local) and SC-12 (ext4 refuses ReadWriteMany) are skipped',
    ...onExt4Alone,
  }),
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
    ...onExt4Alone,
  }),
]
