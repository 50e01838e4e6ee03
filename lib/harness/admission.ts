// Before any claim runs: every pod shape the suite uses (each Pod and pod
// template of fixtures/, the client pod, the capability probe's pod) is
// created as a server-side dry run in a namespace of the run. A cluster whose
// admission refuses one (Pod Security at restricted, a policy engine) stops
// the run with one line naming the shape, the policy and the fields, rather
// than failing claims one by one with pods that never appear.
import type { KubernetesObject, V1PersistentVolumeClaim, V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node'
import { clientPod } from '../apps/cluster-client.ts'
import { describeApiError, type Kube } from '../k8s/kube.ts'
import { fixtureFiles, loadManifest } from '../k8s/manifests.ts'
import { createNamespace, deleteNamespace, namespaceIds, type NamespaceRun } from '../k8s/namespaces.ts'
import { assignNamespaceIds } from '../k8s/pod-ids.ts'
import { timeout } from '../k8s/timeouts.ts'
import { podFor } from '../storage/probe.ts'

export interface PodShape {
  // Where it comes from: "fixtures/001/lunchbox.yaml Pod lunchbox", "the client pod".
  source: string
  pod: V1Pod
}

const workloadKinds = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job']

// The pods a manifest makes: its Pods, and a pod per workload template.
export function podShapesOf(file: string, objects: KubernetesObject[]): PodShape[] {
  return objects.flatMap((o) => {
    const name = o.metadata?.name ?? '?'
    if (o.kind === 'Pod') return [{ source: `${file} Pod ${name}`, pod: o as V1Pod }]
    const spec = (o as { spec?: { template?: V1PodTemplateSpec; volumeClaimTemplates?: V1PersistentVolumeClaim[] } }).spec
    const template = spec?.template
    if (workloadKinds.includes(o.kind ?? '') && template?.spec) {
      // A StatefulSet's pods get a volume per claim template, as its controller adds them.
      const claimVolumes = (spec?.volumeClaimTemplates ?? []).map((t) => ({ name: t.metadata?.name ?? '', persistentVolumeClaim: { claimName: `${t.metadata?.name}-${name}-0` } }))
      const podSpec = { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claimVolumes] }
      return [{ source: `${file} ${o.kind} ${name}`, pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: template.metadata?.labels }, spec: podSpec } }]
    }
    return []
  })
}

export async function suitePodShapes(busybox: string): Promise<PodShape[]> {
  const shapes: PodShape[] = []
  for (const file of await fixtureFiles()) shapes.push(...podShapesOf(`fixtures/${file}`, await loadManifest(file, { storageClass: null })))
  shapes.push({ source: 'the client pod (lib/apps/cluster-client.ts)', pod: clientPod('client', busybox) })
  shapes.push({ source: 'the capability probe\'s pod (lib/storage/probe.ts)', pod: podFor({ name: 'probe', kind: 'ReadWriteOnce' }, busybox) })
  return shapes
}

// "violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container …)": the policy and its fields.
export function describeRefusal(shape: PodShape, err: unknown): string {
  const message = describeApiError(err).replace(/^pods? "[^"]*" is forbidden: /, '')
  return `${shape.source}: ${message}`
}

// Whether the API answered that the namespace's default ServiceAccount does not exist yet (a new namespace).
const noServiceAccountYet = (err: unknown) => /serviceaccount.*not found|service account .* not found/i.test(describeApiError(err))

// Dry-runs every shape in a fresh namespace of the run; returns the refusals, one line each.
export async function admissionRefusals(kube: Kube, run: NamespaceRun, shapes: PodShape[], timeoutMs = timeout('apiCall')): Promise<string[]> {
  const namespace = await createNamespace(kube, 'admission dry run', run)
  try {
    // With the ids the suite's pods get in a namespace of this cluster (OpenShift's assigned range), as they will run.
    const ids = await namespaceIds(kube, namespace)
    const refusals: string[] = []
    const deadline = Date.now() + timeoutMs
    for (const [i, shape] of shapes.entries()) {
      const body: V1Pod = { ...structuredClone(shape.pod), metadata: { ...shape.pod.metadata, name: `shape-${i}`, namespace } }
      if (ids) assignNamespaceIds(body.spec, ids)
      for (;;) {
        const err = await kube.core.createNamespacedPod({ namespace, body, dryRun: 'All' }).then(() => undefined, (e: unknown) => e)
        if (err === undefined) break
        // The ServiceAccount controller makes "default" a moment after the namespace: a deadline-bounded retry.
        if (noServiceAccountYet(err) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200)) // poll interval of a deadline-bounded poll
          continue
        }
        refusals.push(describeRefusal(shape, err))
        break
      }
    }
    return refusals
  } finally {
    await deleteNamespace(kube, namespace).catch(() => undefined)
  }
}
