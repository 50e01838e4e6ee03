import { describe, expect, test } from 'vitest'
import { runUpgrade, type UpgradeActions } from './upgrade.ts'

const [from, to] = ['v1.35.4', 'v1.36.3']
const nodes = ['embedded-control-plane', 'embedded-worker', 'embedded-worker2']

// Actions that only write down what they were asked, in order; `runs` says what each component runs now.
function fakes(runs: (component: string, node: string) => string | undefined = () => from, drained: Record<string, string[]> = {}, cordonedBefore: string[] = []) {
  const calls: string[] = []
  const actions: UpgradeActions = {
    runs,
    cordonedByOthers: async (n) => cordonedBefore.includes(n),
    restartControlPlane: async (c, target) => { calls.push(`restart ${c} ${target}`) },
    cordon: async (n) => { calls.push(`cordon ${n}`) },
    drain: async (n) => { calls.push(`drain ${n}`); return { evicted: [`ns/pod-on-${n}`], leftInPlace: drained[n] ?? [] } },
    restartNode: async (n, target) => { calls.push(`kubelet and kube-proxy ${n} ${target}`) },
    nodeReady: async (n, target) => { calls.push(`ready ${n} ${target}`) },
    uncordon: async (n) => { calls.push(`uncordon ${n}`) },
  }
  return { calls, actions }
}

describe('cluster:upgrade', () => {
  test('the API server first, then the controller manager and the scheduler; then node by node, the control plane\'s first: cordon, drain, restart, Ready, uncordon', async () => {
    const { calls, actions } = fakes()
    const lines: string[] = []
    const report = await runUpgrade(nodes, to, actions, (l) => lines.push(l))
    expect(calls).toEqual([
      `restart kube-apiserver ${to}`, `restart kube-controller-manager ${to}`, `restart kube-scheduler ${to}`,
      ...nodes.flatMap((n) => [`cordon ${n}`, `drain ${n}`, `kubelet and kube-proxy ${n} ${to}`, `ready ${n} ${to}`, `uncordon ${n}`]),
    ])
    expect(report).toMatchObject({ from: [from], target: to, leftInPlace: [] })
    expect(report.parts.map((p) => p.part)).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', ...nodes.map((n) => `node ${n}`)])
    // A progress line as each part starts and as it ends, with its duration.
    expect(lines).toContainEqual(`kube-apiserver: ${from} → ${to}: restarting from the new binary, then waiting for it to be healthy …`)
    expect(lines).toContainEqual(expect.stringMatching(/^node embedded-worker: drained \(1 pod evicted\); restarting kubelet and kube-proxy from v1\.36\.3$/))
    expect(lines).toContainEqual(expect.stringMatching(/^node embedded-worker2: Ready on v1\.36\.3, uncordoned, done in \d+ms$/))
  })

  test('what already runs the target is left alone (a run that stopped halfway, run again), but a node left cordoned is uncordoned', async () => {
    const done = new Set(['kube-apiserver@embedded-control-plane', 'kubelet@embedded-control-plane', 'kube-proxy@embedded-control-plane'])
    const { calls, actions } = fakes((c, n) => (done.has(`${c}@${n}`) ? to : from))
    await runUpgrade(nodes, to, actions, () => undefined)
    expect(calls).toEqual([
      `restart kube-controller-manager ${to}`, `restart kube-scheduler ${to}`,
      'uncordon embedded-control-plane',
      ...nodes.slice(1).flatMap((n) => [`cordon ${n}`, `drain ${n}`, `kubelet and kube-proxy ${n} ${to}`, `ready ${n} ${to}`, `uncordon ${n}`]),
    ])
  })

  test('a node cordoned before the upgrade by someone else is upgraded and left cordoned, and the upgrade says so', async () => {
    const { calls, actions } = fakes(undefined, {}, ['embedded-worker'])
    const lines: string[] = []
    await runUpgrade(nodes, to, actions, (l) => lines.push(l))
    expect(calls.filter((x) => x.endsWith('embedded-worker'))).toEqual(['cordon embedded-worker', 'drain embedded-worker'])
    expect(calls).toContain(`kubelet and kube-proxy embedded-worker ${to}`)
    expect(calls).toContain('uncordon embedded-worker2')
    expect(lines).toContainEqual('node embedded-worker: cordoned before the upgrade, not by it: left cordoned')
    expect(lines).toContainEqual(expect.stringMatching(/^node embedded-worker: Ready on v1\.36\.3, left cordoned as it was, done in \d+ms$/))
  })

  test('pods a drain left in place are reported, node by node', async () => {
    const { actions } = fakes(undefined, { 'embedded-worker': ['ns/keeper-2'] })
    const lines: string[] = []
    const report = await runUpgrade(nodes, to, actions, (l) => lines.push(l))
    expect(report.leftInPlace).toEqual(['ns/keeper-2'])
    expect(lines).toContainEqual('node embedded-worker: drained (1 pod evicted, ns/keeper-2 upgraded in place); restarting kubelet and kube-proxy from v1.36.3')
  })

  test('a step that fails stops the upgrade there: nothing after it runs', async () => {
    const { calls, actions } = fakes()
    actions.drain = async (n) => { calls.push(`drain ${n}`); if (n === 'embedded-worker') throw new Error('drain of embedded-worker: refused'); return { evicted: [], leftInPlace: [] } }
    await expect(runUpgrade(nodes, to, actions, () => undefined)).rejects.toThrow(/refused/)
    expect(calls.slice(-2)).toEqual(['cordon embedded-worker', 'drain embedded-worker'])
  })
})
