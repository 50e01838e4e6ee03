// Semantic mutants: one component of the embedded cluster rebuilt from the pinned
// module source with ONE behaviour changed, alive and wrong. Each is a small
// unified diff in cluster/build/mutants/<name>.patch, against the module it names
// (paths from the module's root). build.ts builds it as it builds the others; the
// patch is applied to copies of the files it touches only, never to the module.
//
// Go refuses an -overlay that replaces files under GOMODCACHE, so the module is
// seen at a directory that exists only in the overlay (every file mapped to the
// module cache's own, the patched ones to their copies), named by a replace line
// in a copy of go.mod (-modfile). With -trimpath the compiler's cache key holds the
// module's path@version, not its directory: every package the patch does not
// touch, or that does not import one it touches, comes from the Go build cache.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { chmod, copyFile, mkdir, readdir } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { paths, repoRoot, versions } from '../base/config.ts'
import { $ } from '../base/sh.ts'

export interface Mutant {
  name: string
  // The binary rebuilt; the fault restarts that component from it.
  binary: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet'
  // The module the patch is written against: k8s.io/kubernetes, or one of its staging modules.
  module: string
}

// Most patches are to k8s.io/kubernetes itself; a staging module is named.
const mutant = (binary: Mutant['binary'], name: string, module = 'k8s.io/kubernetes'): Mutant => ({ name, binary, module })
export const mutants: readonly Mutant[] = [
  ...['sts-ordered-ready-no-wait', 'sts-rolling-lowest-first', 'sts-partition-ignored', 'sts-ondelete-rolls', 'sts-scale-down-lowest-first',
    'sts-parallel-as-ordered', 'sts-retention-ignored', 'sts-replaces-lost-pods', 'sts-lost-pods-new-claims', 'sts-restart-rolls-all-at-once', 'sts-claims-of-ordinal-0',
    'sts-claims-deleted-with-set',
    'deploy-surge-unbounded', 'deploy-unavailable-unbounded', 'deploy-recreate-overlap',
  ].map((name) => mutant('kube-controller-manager', name)),
  mutant('kube-controller-manager', 'endpointslice-unready-published', 'k8s.io/endpointslice'),
  mutant('kube-controller-manager', 'endpointslice-no-hostnames', 'k8s.io/endpointslice'),
  mutant('kube-controller-manager', 'endpointslice-first-address-kept', 'k8s.io/endpointslice'),
  mutant('kube-controller-manager', 'pvc-protection-released-at-once'),
  mutant('kube-controller-manager', 'pv-never-released'),
  mutant('kube-controller-manager', 'pv-wffc-binds-at-once'),
  mutant('kube-controller-manager', 'rs-pod-names-without-dash'),
  mutant('kube-controller-manager', 'pvc-deleted-with-pod'),
  mutant('kubelet', 'kubelet-hostname-not-podname'),
  mutant('kubelet', 'kubelet-emptydir-wiped-on-restart'),
  mutant('kubelet', 'kubelet-volume-emptied-on-unmount'),
  mutant('kubelet', 'kubelet-restart-count-doubled'),
  mutant('kubelet', 'kubelet-emptydir-not-empty'),
  mutant('kubelet', 'kubelet-volume-per-pod'),
  mutant('kubelet', 'kubelet-block-zeroed-on-unmap'),
  mutant('kubelet', 'kubelet-fsgroup-ignored'),
  mutant('kube-scheduler', 'scheduler-volume-affinity-ignored'),
  mutant('kube-apiserver', 'eviction-ignores-budget'),
  mutant('kube-apiserver', 'pvc-resize-class-ignored'),
  mutant('kube-apiserver', 'apiserver-default-class-empty'),
]

// A mutant of the control plane (API server, controller manager, scheduler): one an upgrade can move to.
export const isControlPlaneMutant = (m: Mutant) => m.binary !== 'kubelet'

export function mutantNamed(name: string): Mutant {
  const m = mutants.find((x) => x.name === name)
  if (!m) throw new Error(`no mutant ${name}; the mutants are ${mutants.map((x) => x.name).join(', ')}`)
  return m
}

export const mutantsDir = join(repoRoot, 'cluster', 'build', 'mutants')
export const patchPath = (m: Mutant) => join(mutantsDir, `${m.name}.patch`)
export const patchText = (m: Mutant) => readFileSync(patchPath(m), 'utf8')

// The staging modules are versioned v0.<minor>.<patch> beside k8s.io/kubernetes v1.<minor>.<patch>.
export const moduleVersion = (module: string) => (module === 'k8s.io/kubernetes' ? versions.kubernetes : versions.kubernetes.replace(/^v1\./, 'v0.'))

// The patch's opening lines, before its first file: what the mutant changes.
export const patchSummary = (patch: string) => patch.split(/^--- /m)[0]!.trim().replace(/\s*\n\s*/g, ' ')

// The files a patch changes, from its `+++ b/<path>` lines.
export function patchedFiles(patch: string): string[] {
  return [...patch.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((x) => x[1]!)
}

// The binary's cache key: the module it is built from, and the patch's bytes.
export function mutantKey(m: Mutant): string {
  return createHash('sha256').update(`${m.module}@${moduleVersion(m.module)}\n${patchText(m)}`).digest('hex').slice(0, 12)
}
export const mutantBinDir = (m: Mutant) => join(paths.bin, `mutant-${m.name}-${versions.kubernetes}-${mutantKey(m)}`)

// Copies the files the patch touches (nothing else) from moduleDir into dir, and patches
// them there (patchTree).
export async function applyPatch(m: Mutant, moduleDir: string, dir: string): Promise<string[]> {
  const files = patchedFiles(patchText(m))
  if (!files.length) throw new Error(`${patchPath(m)} changes no file (no "+++ b/<path>" line)`)
  for (const f of files) {
    await mkdir(dirname(join(dir, f)), { recursive: true })
    await copyFile(join(moduleDir, f), join(dir, f))
    // The module cache's files are read-only, and so are their copies.
    await chmod(join(dir, f), 0o644)
  }
  await patchTree(patchPath(m), dir, `${m.module}@${moduleVersion(m.module)} (${moduleDir})`)
  return files
}

// Applies a patch (-p1) to the tree at dir: every hunk where it says, with no fuzz; else this
// throws with patch's own account. `what` names the source, for the message.
export async function patchTree(patch: string, dir: string, what: string): Promise<void> {
  const out = await $({ nothrow: true })`patch --batch --forward --fuzz=0 --no-backup-if-mismatch --reject-file=- -p1 -d ${dir} -i ${patch}`
  if (!out.ok) throw new Error(`${patch} does not apply to ${what}:\n${(out.stdout + out.stderr).trim()}`)
}

// The -overlay map: every file of the module as if it lay under viewDir, the module
// cache's own file but for the patched ones, which come from patchedDir.
export async function mutantOverlay(moduleDir: string, patchedDir: string, patched: string[], viewDir: string): Promise<Record<string, string>> {
  const replace: Record<string, string> = {}
  for (const e of await readdir(moduleDir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue
    const file = join(e.parentPath, e.name)
    replace[join(viewDir, relative(moduleDir, file))] = file
  }
  for (const f of patched) replace[join(viewDir, f)] = join(patchedDir, f)
  return replace
}

// go.mod with the module replaced by the overlay's view of it (any replace line it had for that module dropped).
export function goModWithView(goMod: string, module: string, viewDir: string): string {
  const escaped = module.replace(/[.]/g, '\\.')
  const kept = goMod.replace(new RegExp(`^\\s*(replace\\s+)?${escaped}\\s+=>.*\\n`, 'gm'), '')
  return `${kept.trimEnd()}\n\n// The mutant's view of ${module} (cluster/binaries/mutants.ts).\nreplace ${module} => ${viewDir}\n`
}
