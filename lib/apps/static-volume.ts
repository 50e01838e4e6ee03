// Quest 001's static volume ("when to use a static PV?", fixtures/001/static-pv.yaml):
// a PersistentVolume made by hand on a node's directory (hostPath), a claim that
// asks for exactly that volume, and a pod writing through the claim. Volumes are
// cluster-wide, so each test renames the volume and its directory after its namespace.
import type { KubernetesObject, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node'
import { execOk } from '../k8s/exec.ts'
import type { Kube } from '../k8s/kube.ts'
import { applyObjects, loadManifest } from '../k8s/manifests.ts'
import { managedBy } from '../k8s/namespaces.ts'
import { createPodFromFixture, findPod } from '../resources/pods.ts'
import { waitForPodReady } from '../wait/pods.ts'
import { readFileIn } from './files.ts'

export interface StaticVolume {
  namespace: string
  pv: string
  // The volume's directory on the node it is used on.
  dir: string
}

export const staticVolumeOf = (namespace: string): StaticVolume =>
  ({ namespace, pv: `sandwich-static-${namespace}`, dir: `/tmp/stateful-conformance-static/${namespace}` })

// Applies the fixture's objects of one kind, made the test's own: the volume
// (named and labelled like the suite's namespaces, so that `npm run clean`
// finds it after a killed run), the claim asking for it, or the pod.
export async function applyStaticVolumePart(kube: Kube, v: StaticVolume, kind: 'PersistentVolume' | 'PersistentVolumeClaim' | 'Pod'): Promise<void> {
  const own = (o: KubernetesObject) => {
    if (o.kind === 'PersistentVolume') {
      o.metadata!.name = v.pv
      o.metadata!.labels = { ...o.metadata!.labels, ...managedBy }
      ;(o as V1PersistentVolume).spec!.hostPath!.path = v.dir
    }
    if (o.kind === 'PersistentVolumeClaim') (o as V1PersistentVolumeClaim).spec!.volumeName = v.pv
  }
  await applyObjects(kube, v.namespace, (await loadManifest('001/static-pv.yaml', { patch: own })).filter((o) => o.kind === kind))
}

// The pod potato-inspector mounts the node's static-volume folder directly,
// without the claim (fixtures/001/potato-inspector.yaml): what is left on the node.
const inspector = { pod: 'potato-inspector', mount: '/static-volumes' }

async function inspectNode(kube: Kube, v: StaticVolume, node: string): Promise<void> {
  if (!(await findPod(kube, v.namespace, inspector.pod))) {
    await createPodFromFixture(kube, v.namespace, '001/potato-inspector.yaml', inspector.pod, (p) => { p.spec!.nodeName = node })
  }
  await waitForPodReady(kube, v.namespace, inspector.pod)
}

// A file of the volume's directory on `node`, read without the claim.
export async function readOnNode(kube: Kube, v: StaticVolume, node: string, file: string): Promise<string> {
  await inspectNode(kube, v, node)
  return readFileIn(kube, v.namespace, inspector.pod, `${inspector.mount}/${v.namespace}/${file}`)
}

// Retain means nobody else removes the data: the test removes the directory from the node itself.
export async function removeFromNode(kube: Kube, v: StaticVolume, node: string): Promise<void> {
  await inspectNode(kube, v, node)
  await execOk(kube, v.namespace, inspector.pod, ['rm', '-rf', `${inspector.mount}/${v.namespace}`])
}
