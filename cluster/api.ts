// The few API calls `up` needs to know the cluster is fit: readiness of the
// API server, the node, the add-ons, and one pod that proves DNS and storage.
import * as k8s from '@kubernetes/client-node'
import { readFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { apiServer, nodeName } from './config.ts'
import { pkiPath } from './pki.ts'

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

export function clients(kubeconfigPath: string) {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(kubeconfigPath)
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  }
}
export type Clients = ReturnType<typeof clients>

export async function applyFile(c: Clients, file: string): Promise<void> {
  const docs = k8s.loadAllYaml(await readFile(file, 'utf8')) as k8s.KubernetesObject[]
  for (const obj of docs.filter(Boolean)) {
    await c.objects.patch(obj, undefined, undefined, 'stateful-conformance-cluster', true, k8s.PatchStrategy.ServerSideApply)
  }
}

export async function nodeReady(c: Clients) {
  const node = await c.core.readNode({ name: nodeName })
  const ready = node.status?.conditions?.find((x) => x.type === 'Ready')
  return ready?.status === 'True' ? { done: true as const } : { done: false as const, seen: `Ready=${ready?.status ?? 'unknown'}: ${ready?.message ?? ''}` }
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
export async function fitnessCheck(c: Clients, namespace: string, timeoutMs: number): Promise<void> {
  await c.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'stateful-conformance/cluster-check': 'true' } } } })
  try {
    await c.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: { metadata: { name: 'check' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } },
    })
    await c.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'check' },
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'check', image: 'docker.io/library/busybox:1.35.0',
            command: ['sh', '-c', 'nslookup kubernetes.default.svc.cluster.local && echo ok > /data/ok && cat /data/ok'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
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

export const addonFile = (name: string) => join(import.meta.dirname, 'addons', name)
