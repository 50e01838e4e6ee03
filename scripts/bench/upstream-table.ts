// The peer: upstream's e2e tests that cover claims of ours, the one table from
// their names to our claim IDs, and the per-claim comparison of their times
// with ours. Pure: upstream-run.ts runs e2e.test.
import type { ClaimEntry } from '../../lib/report/claims.ts'

// What a test needs beyond the cluster: agnhost (both tags), the e2e busybox,
// and DNS tools (dig and getent in agnhost and in glibc-dns-testing).
export type UpstreamNeed = 'agnhost' | 'busybox' | 'dns-tools'

export interface UpstreamTest {
  // Ginkgo's full text (containers and leaf joined by spaces), without the
  // trailing tags such as [Slow] [Conformance].
  name: string
  claims: string[]
  needs: UpstreamNeed[]
}

const ss = '[sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic]'
const retention = '[sig-apps] StatefulSet Non-retain StatefulSetPersistentVolumeClaimPolicy'
const protection = '[sig-storage] PVC Protection'

// From kubernetes v1.36.3: test/e2e/apps/statefulset.go, test/e2e/storage/pvc_protection.go, test/e2e/network/dns.go.
export const upstreamTests: UpstreamTest[] = [
  { name: `${ss} should provide basic identity`, claims: ['Q0-07', 'Q1-10', 'Q2-03', 'Q2-06'], needs: ['agnhost'] },
  { name: `${ss} should perform rolling updates and roll backs of template modifications`, claims: ['Q0-10', 'Q3-09'], needs: ['agnhost'] },
  { name: `${ss} should perform rolling updates and roll backs of template modifications with PVCs`, claims: ['Q0-10', 'Q3-09'], needs: ['agnhost'] },
  { name: `${ss} should perform canary updates and phased rolling updates of template modifications`, claims: ['Q3-09'], needs: ['agnhost'] },
  {
    name: `${ss} should perform canary updates and phased rolling updates of template modifications for partiton1 and delete pod-0 without failing container`,
    claims: ['Q3-09'], needs: ['agnhost'],
  },
  {
    name: `${ss} should perform canary updates and phased rolling updates of template modifications for partiton1 and delete pod-0 with failing container`,
    claims: ['Q3-09'], needs: ['agnhost', 'busybox'],
  },
  { name: `${ss} should implement legacy replacement when the update strategy is OnDelete`, claims: ['Q3-08'], needs: ['agnhost'] },
  { name: `${ss} Scaling should happen in predictable order and halt if any stateful pod is unhealthy`, claims: ['Q1-11', 'Q1-17', 'Q3-07'], needs: ['agnhost'] },
  { name: `${ss} Burst scaling should run to completion even with unhealthy pods`, claims: ['Q3-01', 'Q3-07', 'Q4-02'], needs: ['agnhost'] },
  { name: `${retention} should delete PVCs with a WhenDeleted policy`, claims: ['Q1-15'], needs: ['agnhost'] },
  { name: `${retention} should delete PVCs with a OnScaledown policy`, claims: ['Q1-15'], needs: ['agnhost'] },
  { name: `${protection} Verify "immediate" deletion of a PVC that is not in active use by a pod`, claims: ['Q1-08'], needs: ['busybox'] },
  { name: `${protection} Verify that PVC in active use by a pod is not removed immediately`, claims: ['Q1-08'], needs: ['busybox'] },
  // Part of upstream's PVC protection; no claim of ours says it.
  { name: `${protection} Verify that scheduling of a pod that uses PVC that is being deleted fails and the pod becomes Unschedulable`, claims: [], needs: ['busybox'] },
  { name: '[sig-network] DNS should provide DNS for pods for Hostname', claims: ['Q0-08', 'Q1-12'], needs: ['agnhost', 'dns-tools'] },
  { name: '[sig-network] DNS should provide DNS for pods for Subdomain', claims: ['Q1-12', 'Q1-14'], needs: ['agnhost', 'dns-tools'] },
]

const trailingTags = /(?: \[[^\]]+\])+$/
export const withoutTags = (fullText: string) => fullText.replace(trailingTags, '')

// The same escapes serve JavaScript's regular expressions and Go's RE2.
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// --ginkgo.focus (Go RE2) for exactly these tests, whatever tags follow their names. Not
// anchored at the start: ginkgo matches "Kubernetes e2e suite <name>", the suite's name first.
export function ginkgoFocus(tests: UpstreamTest[]): string {
  return `(?:${tests.map((t) => escapeRegExp(t.name)).join('|')})(?: \\[[^\\]]+\\])*$`
}

// Which tests can run with what could be assembled; the others with why not.
export function selectRunnable(tests: UpstreamTest[], missing: Partial<Record<UpstreamNeed, string>>): { run: UpstreamTest[]; leftOut: { name: string; why: string }[] } {
  const run: UpstreamTest[] = []
  const leftOut: { name: string; why: string }[] = []
  for (const t of tests) {
    const why = t.needs.map((n) => missing[n]).filter((w): w is string => !!w)
    if (why.length) leftOut.push({ name: t.name, why: why.join('; ') })
    else run.push(t)
  }
  return { run, leftOut }
}

// The part of ginkgo's --json-report the bench reads (RunTime in nanoseconds).
export type GinkgoJson = {
  SpecReports?: { ContainerHierarchyTexts?: string[] | null; LeafNodeText: string; LeafNodeType: string; State: string; RunTime: number }[] | null
}[]

export interface UpstreamSpec {
  name: string
  state: string
  runTimeMs: number
  claims: string[]
}

// The specs that ran (ginkgo lists every spec of the suite, the others "skipped"), mapped to our claims.
export function upstreamSpecs(report: GinkgoJson, tests: UpstreamTest[] = upstreamTests): UpstreamSpec[] {
  const byName = new Map(tests.map((t) => [t.name, t]))
  return report.flatMap((suite) => suite.SpecReports ?? [])
    .filter((s) => s.LeafNodeType === 'It' && s.State !== 'skipped' && s.State !== 'pending')
    .map((s) => {
      const name = withoutTags([...(s.ContainerHierarchyTexts ?? []), s.LeafNodeText].join(' '))
      return { name, state: s.State, runTimeMs: Math.round(s.RunTime / 1e6), claims: byName.get(name)?.claims ?? [] }
    })
}

export interface ClaimComparison {
  id: string
  // Our claim's duration (the longest of its storage classes).
  oursMs: number
  // The upstream tests covering it, added up: what it takes upstream to check this claim.
  upstreamMs: number
  upstream: string[]
  // upstream / ours: how many times faster we are.
  ratio: number
}

// Per covered claim, the claims that both sides ran: only upstream specs that
// passed count (a failed one may have stopped early), and only our claim
// entries that ran (not skipped).
export function compareClaims(specs: UpstreamSpec[], ours: Pick<ClaimEntry, 'id' | 'status' | 'durationMs'>[]): ClaimComparison[] {
  const ids = [...new Set(specs.flatMap((s) => s.claims))].sort()
  const out: ClaimComparison[] = []
  for (const id of ids) {
    const covering = specs.filter((s) => s.claims.includes(id) && s.state === 'passed')
    const mine = ours.filter((c) => c.id === id && c.status !== 'skipped')
    if (!covering.length || !mine.length) continue
    const oursMs = Math.max(...mine.map((c) => c.durationMs))
    const upstreamMs = covering.reduce((sum, s) => sum + s.runTimeMs, 0)
    out.push({ id, oursMs, upstreamMs, upstream: covering.map((s) => s.name), ratio: oursMs ? upstreamMs / oursMs : Number.POSITIVE_INFINITY })
  }
  return out
}
