// The few API calls `up` needs to know the cluster is fit: readiness of the
// API server, the node, the add-ons, and one pod that proves DNS and storage.
import * as k8s from '@kubernetes/client-node'
import { readFile } from 'node:fs/promises'
import { request } from 'node:https'
import { apiServer, images } from '../base/config.ts'
import type { NodeSpec } from '../base/shape.ts'
import { nsenter } from '../nodes/network.ts'
import { pkiPath } from '../nodes/pki.ts'
import { $ } from '../base/sh.ts'

export interface Poll {
  what: string
  timeoutMs: number
  // Returns undefined while not there yet, with a description of what it sees.
  check: () => Promise<{ done: true } | { done: false; seen: string }>
  // Throws if something it depends on has died meanwhile.
  guard?: () => Promise<void>
}

// Deadline-bounded poll: used where no watch can be had yet (the API server
// itself) or where a watch would cost more than it saves during bootstrap.
export async function poll({ what, timeoutMs, check, guard }: Poll): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let seen = 'nothing yet'
  for (;;) {
    await guard?.()
    try {
      const r = await check()
      if (r.done) return
      seen = r.seen
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) throw err
      seen = (err as Error).message
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${seen}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export async function apiReadyz(): Promise<{ done: true } | { done: false; seen: string }> {
  const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(pkiPath(f))))
  return new Promise((resolve, reject) => {
    const req = request(`${apiServer}/readyz`, { ca, cert, key, timeout: 2000 }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => resolve(res.statusCode === 200 ? { done: true } : { done: false, seen: `HTTP ${res.statusCode}: ${body.slice(0, 300)}` }))
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 2s')))
    req.on('error', reject)
    req.end()
  })
}

// What GET /version of the API server says it is (gitVersion, v1.36.3).
export async function apiVersion(c: Clients): Promise<string> {
  return (await c.version.getCode()).gitVersion
}

// A component's own health endpoint (the controller manager's /healthz, the scheduler's /readyz,
// kube-proxy's /healthz), which listen on 127.0.0.1 of their node's network namespace.
export async function componentHealthy(node: NodeSpec, url: string): Promise<{ done: true } | { done: false; seen: string }> {
  const r = await $({ nothrow: true, timeout: '5s' })`${nsenter(node.netns)} curl -sk --max-time 2 -o /dev/null -w ${'%{http_code}'} ${url}`
  return r.stdout.trim() === '200' ? { done: true } : { done: false, seen: `${url}: ${r.stdout.trim() || r.stderr.trim() || `exit ${r.exitCode}`}` }
}

export function clients(kubeconfigPath: string) {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    policy: kc.makeApiClient(k8s.PolicyV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
    storage: kc.makeApiClient(k8s.StorageV1Api),
    version: kc.makeApiClient(k8s.VersionApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  }
}
export type Clients = ReturnType<typeof clients>

// Applies a manifest file; `shape` may change an object or drop it (undefined).
export async function applyFile<T extends k8s.KubernetesObject>(c: Clients, file: string, shape: (obj: T) => T | undefined = (o) => o): Promise<void> {
  const docs = k8s.loadAllYaml(await readFile(file, 'utf8')) as T[]
  for (const doc of docs.filter(Boolean)) {
    const obj = shape(doc)
    if (obj) await c.objects.patch(obj, undefined, undefined, 'stateful-conformance-cluster', true, k8s.PatchStrategy.ServerSideApply)
  }
}

// Every node registered and Ready.
export async function nodesReady(c: Clients, nodes: NodeSpec[]) {
  const listed = (await c.core.listNode()).items
  const notReady = nodes.map((n) => {
    const node = listed.find((l) => l.metadata?.name === n.name)
    const ready = node?.status?.conditions?.find((x) => x.type === 'Ready')
    return !node ? `${n.name} not registered` : ready?.status === 'True' ? '' : `${n.name} Ready=${ready?.status ?? 'unknown'}: ${ready?.message ?? ''}`
  }).filter(Boolean)
  return notReady.length ? { done: false as const, seen: notReady.join('; ') } : { done: true as const }
}

// What kubeadm does after a node joins: the role label (a kubelet may not set
// node-role.kubernetes.io labels on itself) and the node's pod range, which
// here is fixed per node by its CNI configuration.
export async function completeNodes(c: Clients, nodes: NodeSpec[]): Promise<void> {
  for (const n of nodes) {
    const labels: Record<string, string> = n.role === 'control-plane'
      ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }
      : {}
    await c.objects.patch(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels }, spec: { podCIDR: n.podCidr, podCIDRs: n.podCidrs } } as k8s.KubernetesObject,
      undefined, undefined, 'stateful-conformance-cluster', true, k8s.PatchStrategy.ServerSideApply,
    )
  }
}

export async function deploymentAvailable(c: Clients, namespace: string, name: string) {
  const d = await c.apps.readNamespacedDeployment({ namespace, name })
  const available = d.status?.availableReplicas ?? 0
  if (available >= (d.spec?.replicas ?? 1)) return { done: true as const }
  const pods = await c.core.listNamespacedPod({ namespace, labelSelector: Object.entries(d.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') })
  return { done: false as const, seen: `${namespace}/${name} available ${available}; pods: ${pods.items.map(describePod).join('; ') || 'none'}` }
}

export function describePod(p: k8s.V1Pod): string {
  const waiting = p.status?.containerStatuses?.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).filter(Boolean)
  return `${p.metadata?.name} ${p.status?.phase}${waiting?.length ? ` (${waiting.join(',')})` : ''}`
}

// One pod, on a claim of the default class, that resolves the API server's
// name through the cluster DNS and writes to its volume.
// The pod meets the restricted Pod Security level, so it runs under either.
export async function fitnessCheck(c: Clients, namespace: string, clusterDomain: string, timeoutMs: number): Promise<void> {
  await c.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'stateful-conformance/cluster-check': 'true' } } } })
  try {
    await c.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: { metadata: { name: 'check' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } },
    })
    // A new namespace's default ServiceAccount comes from kube-controller-manager, which may lag (just
    // restarted, say): the pod is refused until it exists, so the pod is created once it does.
    await poll({
      what: `the default ServiceAccount of namespace ${namespace}`,
      timeoutMs,
      check: () => c.core.readNamespacedServiceAccount({ namespace, name: 'default' }).then(() => ({ done: true }), () => ({ done: false, seen: 'not yet' })),
    })
    await c.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'check' },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'check', image: images.busybox,
            command: ['sh', '-c', `nslookup kubernetes.default.svc.${clusterDomain} && echo ok > /data/ok && cat /data/ok`],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'check' } }],
        },
      },
    })
    await poll({
      what: 'a pod to resolve kubernetes.default through the cluster DNS and write to a volume of the default StorageClass',
      timeoutMs,
      check: async () => {
        const p = await c.core.readNamespacedPod({ namespace, name: 'check' })
        if (p.status?.phase === 'Succeeded') return { done: true }
        if (p.status?.phase === 'Failed') {
          const logs = await c.core.readNamespacedPodLog({ namespace, name: 'check' }).catch(() => '')
          throw Object.assign(new Error(`check pod failed:\n${logs}`), { fatal: true })
        }
        const pvc = await c.core.readNamespacedPersistentVolumeClaim({ namespace, name: 'check' })
        return { done: false, seen: `pod ${describePod(p)}, claim ${pvc.status?.phase}` }
      },
    })
  } finally {
    await c.core.deleteNamespace({ name: namespace }).catch(() => undefined)
  }
}
