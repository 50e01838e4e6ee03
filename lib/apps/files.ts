// Files inside a pod's container, read and written with exec the way the
// quests do by hand (`kubectl exec <pod> -- sh -c 'echo … > file'`, `cat`, `ls -A`).
import { execIn, execOk, type ExecResult } from '../k8s/exec.ts'
import type { Kube } from '../k8s/kube.ts'

// `echo "<text>" > <path>; cat <path>`: returns the file as read back right
// after the write. Text and path go to the shell as arguments, never as code.
export async function writeFileIn(kube: Kube, namespace: string, pod: string, path: string, text: string): Promise<string> {
  return (await execOk(kube, namespace, pod, ['sh', '-c', 'echo "$1" > "$2" && cat "$2"', 'sh', text, path])).trim()
}

// `cat <path>`, trimmed; a missing file is an error that says so.
export async function readFileIn(kube: Kube, namespace: string, pod: string, path: string): Promise<string> {
  return (await execOk(kube, namespace, pod, ['cat', path])).trim()
}

// `cat <path>` as it ended, for a claim about a file that should not be there.
export const catIn = (kube: Kube, namespace: string, pod: string, path: string): Promise<ExecResult> =>
  execIn(kube, namespace, pod, ['cat', path])

// Whether `cat` (or `ls`) failed because the path does not exist, and for no other reason.
export const isNoSuchFile = (r: ExecResult): boolean => r.exitCode !== 0 && /No such file or directory/.test(r.stderr + r.stdout)

// `ls -A <dir>`: every entry, hidden ones too, but the filesystem's own
// metadata: a freshly formatted ext4 volume (EBS, PD, Azure Disk, a loop
// device) holds lost+found, and is still "empty" to the application.
export async function listFilesIn(kube: Kube, namespace: string, pod: string, dir: string): Promise<string[]> {
  return withoutFilesystemMetadata(parseLs(await execOk(kube, namespace, pod, ['ls', '-A', dir])))
}

export const parseLs = (output: string): string[] => output.split('\n').map((s) => s.trim()).filter(Boolean)

export const filesystemMetadata = ['lost+found'] as const
export const withoutFilesystemMetadata = (entries: string[]): string[] => entries.filter((e) => !(filesystemMetadata as readonly string[]).includes(e))
