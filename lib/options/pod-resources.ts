// SC_POD_RESOURCES: the requests (equal to limits) of every container the
// suite makes that sets none itself, parsed here with the other options;
// lib/k8s/pod-resources.ts gives them to the containers.
export interface ContainerResources {
  cpu: string
  memory: string
}

export const defaultContainerResources: ContainerResources = { cpu: '100m', memory: '64Mi' }

const quantity = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/

// "cpu=100m,memory=128Mi" (either may be left out, keeping the default); throws naming what is wrong.
export function parsePodResources(value: string | undefined): ContainerResources {
  const out = { ...defaultContainerResources }
  if (!value?.trim()) return out
  for (const term of value.split(',').map((t) => t.trim()).filter(Boolean)) {
    const [key, v] = term.split('=').map((x) => x.trim())
    if ((key !== 'cpu' && key !== 'memory') || !v || !quantity.test(v)) {
      throw new Error(`SC_POD_RESOURCES=${value}: expected cpu=<quantity>,memory=<quantity> (e.g. cpu=100m,memory=128Mi), not "${term}"`)
    }
    out[key] = v
  }
  return out
}

