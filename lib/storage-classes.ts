// What the run prints about the storage classes it tests.
import type { V1StorageClass } from '@kubernetes/client-node'

export const isDefaultClass = (c: V1StorageClass) =>
  c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true'

export function describeStorageClasses(all: V1StorageClass[], selected: string[]): string {
  const rows = all.filter((c) => selected.includes(c.metadata?.name ?? '')).map((c) =>
    `  ${c.metadata?.name}${isDefaultClass(c) ? ' (default)' : ''}: provisioner ${c.provisioner}, binding ${c.volumeBindingMode ?? 'Immediate'}, reclaim ${c.reclaimPolicy ?? 'Delete'}, expansion ${c.allowVolumeExpansion ? 'allowed' : 'not allowed'}`)
  return `stateful-conformance: storage classes under test (SC_STORAGE_CLASSES=name,… or all):\n${rows.join('\n')}`
}
