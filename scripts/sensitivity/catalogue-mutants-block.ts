// A semantic mutant for SC-07, the raw Block device (catalogue-mutants.ts says what one is and how
// its entry reads), which no mutant made failed. Only the ext4 class offers Block volumes here (its
// provisioner gives a Block claim a `local` volume whose path is a loop device), and only the cloud
// shape has that class: the entry needs it and runs on it alone. A file of its own, as each batch
// after the first has had: docs/sensitivity.md tells the batches apart by their files.
import { type Fault, quests } from './fault-claims.ts'
import { mutantFault } from './catalogue-mutants.ts'

export const blockMutantFaults: Fault[] = [
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
    env: { SC_STORAGE_CLASSES: 'ext4' },
    needs: { ext4Class: true },
  }),
]
