// The cluster's Kubernetes versions, as the cluster reports them: the API server's
// (GET /version) and each node's kubelet (status.nodeInfo.kubeletVersion). An
// upgrade is read from them, before and after (DR-05), not from what the upgrade says it did.
import * as k8s from '@kubernetes/client-node'
import { apiCall, type Kube } from '../k8s/kube.ts'

export interface ClusterVersions {
  api: string
  kubelets: Record<string, string> // node → kubelet version
}

export async function clusterVersions(kube: Kube): Promise<ClusterVersions> {
  const [v, nodes] = await Promise.all([
    apiCall('GET /version', () => kube.kc.makeApiClient(k8s.VersionApi).getCode()),
    apiCall('list nodes', () => kube.core.listNode()),
  ])
  return { api: v.gitVersion, kubelets: Object.fromEntries(nodes.items.map((n) => [n.metadata?.name ?? '?', n.status?.nodeInfo?.kubeletVersion ?? 'unknown'])) }
}

// [major, minor] of "v1.35.4" (and of a vendor's "v1.35.4-gke.1200"); undefined for what is not a version.
export function minorVersion(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version)
  return m ? [Number(m[1]), Number(m[2])] : undefined
}

// <0 when a is an older minor release than b, 0 the same minor, >0 newer; NaN when either is not a version.
export function compareMinor(a: string, b: string): number {
  const [x, y] = [minorVersion(a), minorVersion(b)]
  if (!x || !y) return Number.NaN
  return x[0] !== y[0] ? x[0] - y[0] : x[1] - y[1]
}

// "API server v1.35.4, kubelets v1.35.4 (node-a, node-b), v1.36.3 (node-c)".
export function describeVersions(v: ClusterVersions): string {
  const byVersion = new Map<string, string[]>()
  for (const [node, kubelet] of Object.entries(v.kubelets).sort()) byVersion.set(kubelet, [...(byVersion.get(kubelet) ?? []), node])
  return `API server ${v.api}, kubelet${Object.keys(v.kubelets).length === 1 ? '' : 's'} ${[...byVersion].map(([kubelet, nodes]) => `${kubelet} (${nodes.join(', ')})`).join(', ') || 'none'}`
}

// Why an upgrade to `target` cannot be shown on this cluster: the API server or a kubelet already on
// its minor release or a newer one. Undefined when every one of them is older.
export function notOlderThan(v: ClusterVersions, target: string): string | undefined {
  const current = [v.api, ...Object.values(v.kubelets)].filter((x) => !(compareMinor(x, target) < 0))
  return current.length ? `the cluster runs ${describeVersions(v)}: not all older than ${target}, the release the upgrade moves to` : undefined
}

// What an upgrade by one minor release changed, read before and after: undefined when the API server
// went from minor N to N+1 and every kubelet is on N+1; otherwise what is not so.
export function notUpgradedByOneMinor(before: ClusterVersions, after: ClusterVersions): string | undefined {
  const step = compareMinor(after.api, before.api)
  if (!(step === 1)) return `the API server went from ${before.api} to ${after.api}, not to the next minor release`
  const behind = Object.entries(after.kubelets).filter(([, k]) => compareMinor(k, after.api) !== 0).map(([n, k]) => `${n} (${k})`)
  return behind.length ? `the API server went from ${before.api} to ${after.api}, but the kubelets of ${behind.join(', ')} did not follow` : undefined
}
