// Which cluster a run (or `npm run clean`) uses: the kubeconfig's context when
// one is configured — KUBECONFIG, SC_CONTEXT, or ~/.kube/config with a
// current context — otherwise the embedded cluster. SC_CLUSTER forces either.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { loadKubeConfig } from '../k8s/kube.ts'
import type { Options } from './options.ts'

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
