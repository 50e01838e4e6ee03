// What a DR claim's timeline shows beside its pods (issue 26): when each disruption began and
// ended, as the spec's When steps ran it, and a PodDisruptionBudget's allowed disruptions as a
// watch on it saw them change. A picture, not a check: no verdict reads these.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node'
import type { Kube } from '../k8s/kube.ts'
import { resources, watchObjects } from '../k8s/watch.ts'

export interface DisruptionWindow {
  label: string
  from: number
  // Unset while the disruption lasts (and in a picture taken then).
  to?: number
}

export interface BudgetSeries {
  name: string
  // Each change of status.disruptionsAllowed, from the first listing on; null: the budget was gone
  // or had no status yet.
  points: { at: number; allowed: number | null }[]
}

export class DisruptionNotes {
  readonly windows: DisruptionWindow[] = []
  readonly budgets: BudgetSeries[] = []

  // Runs `fn` as the disruption `label`: its window opens now and closes when `fn` settles, failed or not.
  async during<T>(label: string, fn: () => Promise<T>, now: () => number = Date.now): Promise<T> {
    const w: DisruptionWindow = { label, from: now() }
    this.windows.push(w)
    try {
      return await fn()
    } finally {
      w.to = now()
    }
  }

  // A value of budget `name` as seen at `at`; kept only where it differs from the last one seen.
  budgetSeen(name: string, allowed: number | null, at = Date.now()): void {
    let series = this.budgets.find((b) => b.name === name)
    if (!series) this.budgets.push(series = { name, points: [] })
    if (series.points.at(-1)?.allowed !== allowed) series.points.push({ at, allowed })
  }
}

// Watches PodDisruptionBudget `name` into `notes` until the returned stop is called. A watch that
// ends leaves the series as it was (a picture may lack the tail; it never invents one).
export function watchBudget(kube: Kube, namespace: string, name: string, notes: DisruptionNotes): Promise<() => void> {
  const seen = (b: V1PodDisruptionBudget | undefined) => notes.budgetSeen(name, b?.status?.disruptionsAllowed ?? null)
  return watchObjects<V1PodDisruptionBudget>(kube, resources.podDisruptionBudgets, { namespace, fieldSelector: `metadata.name=${name}` }, {
    onSync: (budgets) => seen(budgets[0]),
    onEvent: (type, b) => seen(type === 'DELETED' ? undefined : b),
    onError: (err) => console.warn(`budget watch (${namespace}/${name}) stopped: ${err.message}`),
  })
}
