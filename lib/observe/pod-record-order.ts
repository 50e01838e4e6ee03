// An update's order read from the pods' own record, where a watch could not
// see it whole (a gap: the API server restarted under it, DR-04). A
// StatefulSet's pod of a given name exists once at a time, so the pods left
// after a rolling update are its replacements, each with its creation time
// and the time it last became Ready, both to the second. "Each replaced and
// Ready before the next was terminated" implies, for pods in update order,
// that each pod was created no earlier than the one before it became Ready
// (the next one's predecessor was deleted only after that, and its
// replacement made after the deletion). A pod created before its predecessor
// in the order was Ready is a violation seen in the record, whatever the gap
// hid. Times equal to the second are taken as in order: the record cannot tell.
import type { V1Pod } from '@kubernetes/client-node'

export interface RecordedReplacement {
  pod: string
  created: number
  ready?: number
}

export function replacementsOf(pods: V1Pod[], order: string[]): RecordedReplacement[] {
  return order.map((name) => {
    const p = pods.find((x) => x.metadata?.name === name)
    const created = p?.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).getTime() : Number.NaN
    const cond = p?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')
    return { pod: name, created, ...(cond?.lastTransitionTime ? { ready: new Date(cond.lastTransitionTime).getTime() } : {}) }
  })
}

// The violations of the order in the record: one line each; none when it holds.
export function orderViolations(replacements: RecordedReplacement[]): string[] {
  const out: string[] = []
  const at = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? 'never' : new Date(ms).toISOString().slice(11, 19))
  for (const r of replacements) {
    if (Number.isNaN(r.created)) out.push(`${r.pod}: no such pod`)
    else if (r.ready === undefined) out.push(`${r.pod}: not Ready`)
  }
  for (let i = 1; i < replacements.length; i++) {
    const prev = replacements[i - 1]!
    const next = replacements[i]!
    if (prev.ready !== undefined && !Number.isNaN(next.created) && next.created < prev.ready) {
      out.push(`${next.pod} was created at ${at(next.created)}, before ${prev.pod} was Ready at ${at(prev.ready)}`)
    }
  }
  return out
}

export const describeReplacements = (replacements: RecordedReplacement[]) =>
  replacements.map((r) => `${r.pod} created ${new Date(r.created).toISOString().slice(11, 19)}, Ready ${r.ready !== undefined ? new Date(r.ready).toISOString().slice(11, 19) : 'never'}`).join('; ')
