// One-line descriptions of objects, for wait messages and assertion context.
import type { V1Pod } from '@kubernetes/client-node'

export function describePod(p: V1Pod): string {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
  const statuses = p.status?.containerStatuses ?? []
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0)
  const reasons = statuses.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).filter(Boolean)
  const pending = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')
  return [
    `${p.metadata?.name}: ${p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown')}`,
    ready ? 'Ready' : 'not Ready',
    restarts ? `${restarts} restarts` : '',
    reasons.length ? `(${reasons.join(', ')})` : '',
    pending ? `unschedulable: ${pending.message ?? pending.reason}` : '',
    p.status?.podIP ? `ip ${p.status.podIP}` : '',
    p.spec?.nodeName ? `on ${p.spec.nodeName}` : '',
  ].filter(Boolean).join(' ')
}

export function describePods(pods: V1Pod[]): string {
  if (!pods.length) return 'no pods'
  return [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')).map(describePod).join('; ')
}
