// specs/000-quest.ts — what the claims of quest 000 (shared/quests/000_e92d5665c24ee214.txt,
// specs/000-podinfo-deployment-vs-statefulset.spec.ts) share: the quest's own values, podinfo as a
// Deployment and as a StatefulSet, port-forwards to it. Not a spec itself (vitest runs only *.spec.ts).
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node'
import { listFilesIn } from '../lib/apps/files.ts'
import { storeOn } from '../lib/apps/podinfo.ts'
import { applyFixture, type Cleanup, type Kube } from '../lib/harness/fixtures.ts'
import { Given } from '../lib/harness/steps.ts'
import { type Forward, portForward } from '../lib/resources/pods.ts'
import { ofClass } from '../lib/resources/storage.ts'
import { waitForReadyReplicas } from '../lib/wait/pods.ts'

export const quest = {
  body: '{"application": "stateful"}',
  hash: '60551111de9edc71337c0d121f83aaf80c776f43',
  pod0: { body: '{"pod index": "0"}', hash: '98b746746c95976ebf7333cebc5eea3e904c7faa' },
  pod1: { body: '{"pod index": "1"}', hash: 'dd91cc7b3c6cfa1a03c69a306049af275429f00d' },
}

export async function forwardTo(kube: Kube, ns: string, pod: string, cleanup: Cleanup): Promise<Forward> {
  const pf = await portForward(kube, ns, pod, 9000)
  cleanup.add(`port-forward to ${pod}`, () => pf.close())
  return pf
}

// A port-forward to the pod, with `body` stored through it.
export async function storeThroughForward(kube: Kube, ns: string, pod: string, cleanup: Cleanup, body: string): Promise<Forward> {
  const pf = await forwardTo(kube, ns, pod, cleanup)
  await storeOn(pf, body)
  return pf
}

// The Deployment's single pod, once Ready.
export async function givenDeploymentPod(kube: Kube, ns: string): Promise<string> {
  return Given('podinfo as a one-replica Deployment with an emptyDir at /data', async () => {
    await applyFixture(kube, ns, '000/deployment.yaml')
    const [pod] = await waitForReadyReplicas(kube, ns, 'app=podinfo', 1)
    return pod!.metadata!.name!
  })
}

// Its pods, once Ready.
export async function givenStatefulSet(kube: Kube, ns: string, storageClass?: string): Promise<V1Pod[]> {
  return Given(`podinfo as a two-replica StatefulSet with a claim per pod${ofClass(storageClass)}`, async () => {
    await applyFixture(kube, ns, '000/statefulset.yaml', { storageClass })
    return waitForReadyReplicas(kube, ns, 'app=podinfo', 2)
  })
}

export const lsData = (kube: Kube, ns: string, pod: string) => listFilesIn(kube, ns, pod, '/data')

// The podinfo container's spec and status in a pod.
export const podinfoContainer = (p: V1Pod) => ({
  spec: p.spec?.containers.find((c) => c.name === 'podinfo'),
  status: p.status?.containerStatuses?.find((c) => c.name === 'podinfo'),
})

// Both incarnations of a pod around an update, for assertion messages.
export function describeUpdate(ns: string, sts: V1StatefulSet, old: V1Pod, now: V1Pod): string {
  const one = (p: V1Pod) => `uid ${p.metadata?.uid}, revision ${p.metadata?.labels?.['controller-revision-hash']}, image ${podinfoContainer(p).spec?.image} ` +
    `(running ${podinfoContainer(p).status?.image} ${podinfoContainer(p).status?.imageID}${podinfoContainer(p).status?.ready ? ', ready' : ', not ready'})`
  return `pod ${ns}/${now.metadata?.name} before the update: ${one(old)}; after: ${one(now)}; ` +
    `StatefulSet ${ns}/podinfo: currentRevision ${sts.status?.currentRevision}, updateRevision ${sts.status?.updateRevision}`
}
