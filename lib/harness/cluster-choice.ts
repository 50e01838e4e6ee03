// Which cluster a run (or `npm run clean`) uses: the kubeconfig's context when
// one is configured — KUBECONFIG, SC_CONTEXT, or ~/.kube/config with a
// current context — otherwise the embedded cluster. SC_CLUSTER forces either.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { loadKubeConfig } from '../k8s/kube.ts'
import type { Options } from '../options/options.ts'

// Inside a pod, its service account is a configured cluster: the one the pod runs in.
export const inClusterServiceAccount = '/var/run/secrets/kubernetes.io/serviceaccount/token'

export function kubeconfigConfigured(o: Pick<Options, 'kubeconfig' | 'context'>, home = homedir(), env: Record<string, string | undefined> = process.env, serviceAccount = inClusterServiceAccount): boolean {
  if (o.kubeconfig || o.context) return true
  const file = join(home, '.kube', 'config')
  if (!existsSync(file)) return !!env.KUBERNETES_SERVICE_HOST && existsSync(serviceAccount)
  try {
    return !!loadKubeConfig(file, undefined).getCurrentContext()
  } catch {
    return false
  }
}

export function usesEmbeddedCluster(o: Pick<Options, 'cluster' | 'kubeconfig' | 'context'>, home = homedir()): boolean {
  return o.cluster === 'embedded' || (o.cluster === 'auto' && !kubeconfigConfigured(o, home))
}

// An API server on this machine's loopback (kind, minikube, k3d publish theirs there).
export const isLoopbackServer = (server: string) => /^https?:\/\/(127\.|localhost[:/]|\[::1\])/.test(server)

// A cluster on this machine, one of the local tools' clusters, or this suite's embedded one: tested without asking.
export function isLocalCluster(context: string | null, server: string): boolean {
  if (isLoopbackServer(server)) return true
  return /^(kind-|k3d-|minikube$|docker-desktop$|rancher-desktop$|orbstack$|colima|embedded$)/.test(context ?? '')
}

// Whatever context is current may be production: a cluster that is not local is
// tested only when named (SC_CONTEXT) or confirmed (SC_YES=1); inside a pod, the
// pod was put there to test its cluster.
export function consentMissing(o: { context?: string; yes?: boolean }, context: string | null, server: string): string | undefined {
  if (o.context || o.yes || context === 'inClusterContext' || isLocalCluster(context, server)) return undefined
  return `the current context "${context}" (${server}) is not a local cluster: name it to test it (SC_CONTEXT=${context}) or confirm with SC_YES=1; the suite creates and deletes namespaces, pods and volumes there`
}
