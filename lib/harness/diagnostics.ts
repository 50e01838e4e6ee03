// What a failed test leaves for its reader in reports/<test>/: the
// namespace's events sorted by time, every pod's status, container logs
// (previous ones too), claims and volumes, and the recorded timelines.
// Collected before the namespace is deleted; never decides the test's fate.
import type { V1Pod } from '@kubernetes/client-node'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kube } from '../k8s/kube.ts'
import type { Timeline } from '../observe/timeline.ts'
import { formatEvents } from '../resources/events.ts'
import { describePod } from '../resources/pods.ts'

export function reportDirName(title: string): string {
  return title.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 120)
}

async function logsOf(kube: Kube, namespace: string, pod: V1Pod): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const previous of [false, true]) {
      const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name)
      if (previous && !status?.restartCount) continue
      const text = await kube.core.readNamespacedPodLog({ namespace, name: pod.metadata!.name!, container: c.name, previous, tailLines: 500 })
        .catch((err: Error) => `(no log: ${err.message})`)
      out.push([`${pod.metadata?.name}.${c.name}${previous ? '.previous' : ''}.log`, text])
    }
  }
  return out
}

export async function dumpNamespace(kube: Kube, namespace: string, dir: string, timelines: { selector: string; timeline: Timeline }[] = []): Promise<string> {
  await mkdir(join(dir, 'logs'), { recursive: true })
  const [events, pods, pvcs] = await Promise.all([
    kube.core.listNamespacedEvent({ namespace }).then((l) => l.items, () => []),
    kube.core.listNamespacedPod({ namespace }).then((l) => l.items, () => []),
    kube.core.listNamespacedPersistentVolumeClaim({ namespace }).then((l) => l.items, () => []),
  ])
  await writeFile(join(dir, 'events.txt'), formatEvents(events) + '\n')
  await writeFile(join(dir, 'pods.txt'), pods.map((p) => [
    describePod(p),
    ...(p.status?.conditions ?? []).map((c) => `  condition ${c.type}=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`),
    ...(p.status?.containerStatuses ?? []).map((s) => `  container ${s.name}: image ${s.image}, restarts ${s.restartCount}, state ${JSON.stringify(s.state)}`),
  ].join('\n')).join('\n\n') + '\n')
  await writeFile(join(dir, 'claims.txt'), pvcs.map((c) =>
    `${c.metadata?.name}: ${c.status?.phase}, class ${c.spec?.storageClassName}, volume ${c.spec?.volumeName || 'none'}, finalizers ${c.metadata?.finalizers?.join(',') || 'none'}`,
  ).join('\n') + '\n')
  for (const pod of pods) {
    for (const [file, text] of await logsOf(kube, namespace, pod)) await writeFile(join(dir, 'logs', file), text)
  }
  if (timelines.length) {
    await writeFile(join(dir, 'timelines.txt'), timelines.map((t) => t.timeline.describe(`pods ${t.selector}`)).join('\n\n') + '\n')
  }
  return dir
}
