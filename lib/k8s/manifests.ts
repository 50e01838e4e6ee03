// Manifests from fixtures/: plain YAML a reader can `kubectl apply -n NS -f`
// by hand. The suite applies them the same way (server-side apply), after
// swapping in the images in use, giving containers that set none requests
// equal to limits (pod-resources.ts) and, for [sc] claims, the storage class.
import * as k8s from '@kubernetes/client-node'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { type MinimumOf, runSettings } from './claim-context.ts'
import { markDefaultContainer } from './containers.ts'
import { claimSizeFor } from './quantity.ts'
import { describeApiError, type Kube, retryTransient } from './kube.ts'
import { labelForGiven, refuseUnlessOwn } from './given-namespace.ts'
import { namespaceIds } from './namespaces.ts'
import { assignNamespaceIds } from './pod-ids.ts'
import { addContainerResources, podSpecOf, suiteContainerResources } from './pod-resources.ts'

export const fixturesDir = resolve(import.meta.dirname, '..', '..', 'fixtures')

// Every manifest under fixtures/ the suite applies ("001/lunchbox.yaml"), sorted; not rbac.yaml, which the user applies.
export async function fixtureFiles(): Promise<string[]> {
  const entries = await readdir(fixturesDir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.name !== 'rbac.yaml')
    .map((e) => relative(fixturesDir, join(e.parentPath, e.name))).sort()
}

// What the suite asks of a class for a claim of `size`: more where the class's minimum is more.
export function claimRequestFor(size: string, storageClass: string | undefined): string {
  return claimSizeFor(size, runSettings().claimMinimumOf(storageClass))
}

export interface ManifestOptions {
  // Sets storageClassName on every claim and claim template; null leaves
  // them as written; unset, claims that name no class get the run's first class.
  storageClass?: string | null
  // Small edits before applying, e.g. a replica count or a policy.
  patch?: (obj: k8s.KubernetesObject) => void
}

type ClaimSpec = { storageClassName?: string; resources?: { requests?: Record<string, string> } }
type WithClaims = k8s.KubernetesObject & { spec?: ClaimSpec & { volumeClaimTemplates?: { spec?: ClaimSpec }[] } }

const claimSpecs = (obj: k8s.KubernetesObject): ClaimSpec[] => {
  const o = obj as WithClaims
  return [...(o.kind === 'PersistentVolumeClaim' && o.spec ? [o.spec] : []), ...(o.spec?.volumeClaimTemplates ?? []).flatMap((t) => (t.spec ? [t.spec] : []))]
}

// Every claim and claim template asks for at least its class's minimum: a class that
// does not round a small request up refuses it. What the claim writes stays as small.
export function raiseClaimSizes(obj: k8s.KubernetesObject, minimumOf: MinimumOf): void {
  for (const spec of claimSpecs(obj)) {
    const requested = spec.resources?.requests?.storage
    if (requested !== undefined) spec.resources!.requests!.storage = claimSizeFor(requested, minimumOf(spec.storageClassName))
  }
}

// Sets the class of every claim and claim template in the object; with
// `onlyUnnamed`, only of those that name none (a static claim's "" stays).
export function setStorageClass(obj: k8s.KubernetesObject, storageClass: string, onlyUnnamed = false): void {
  for (const spec of claimSpecs(obj)) {
    if (!onlyUnnamed || spec.storageClassName === undefined) spec.storageClassName = storageClass
  }
}

export async function loadManifest(file: string, opts: ManifestOptions = {}): Promise<k8s.KubernetesObject[]> {
  const settings = runSettings()
  const text = settings.rewriteFixture(await readFile(join(fixturesDir, file), 'utf8'))
  const objects = (k8s.loadAllYaml(text) as k8s.KubernetesObject[]).filter(Boolean)
  const resources = suiteContainerResources()
  for (const obj of objects) {
    addContainerResources(podSpecOf(obj), resources)
    if (opts.storageClass) setStorageClass(obj, opts.storageClass)
    // Unnamed, the run's first class (a spec testing the default class itself passes `storageClass: null`).
    else if (opts.storageClass === undefined && settings.defaultClaimClass) setStorageClass(obj, settings.defaultClaimClass, true)
    markDefaultContainer(obj)
    opts.patch?.(obj)
    raiseClaimSizes(obj, settings.claimMinimumOf)
  }
  return objects
}

// Applies the objects in the namespace; pods and pod templates get the
// namespace's ids where it has an assigned range (OpenShift, pod-ids.ts), and
// in SC_NAMESPACE mode the run's labels (given-namespace.ts).
export async function applyObjects(kube: Kube, namespace: string, objects: k8s.KubernetesObject[]): Promise<k8s.KubernetesObject[]> {
  const applied: k8s.KubernetesObject[] = []
  const ids = await namespaceIds(kube, namespace)
  for (const given of objects) {
    const obj = labelForGiven(kube, namespace, given)
    obj.metadata = { ...obj.metadata, namespace }
    await refuseUnlessOwn(kube, namespace, `apply ${obj.kind} ${namespace}/${obj.metadata.name}`, () => kube.objects.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata?.name ?? '', namespace } }))
    if (ids) assignNamespaceIds(podSpecOf(obj), ids)
    applied.push(await retryTransient(`apply ${obj.kind} ${obj.metadata.name}`, () =>
      kube.objects.patch(obj, undefined, undefined, 'stateful-conformance', true, k8s.PatchStrategy.ServerSideApply),
    ).catch((err: unknown) => {
      throw new Error(`apply ${obj.kind} ${namespace}/${obj.metadata?.name}: ${describeApiError(err)}`)
    }))
  }
  return applied
}

// Loads fixtures/<file> and applies it in the namespace.
export async function applyFixture(kube: Kube, namespace: string, file: string, opts: ManifestOptions = {}): Promise<k8s.KubernetesObject[]> {
  return applyObjects(kube, namespace, await loadManifest(file, opts))
}
