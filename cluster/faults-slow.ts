// The healthy-but-slow faults of the catalogue (cluster/faults.ts): a component
// restarted mid-run. The cluster still does all it should, later; each must fail
// no claim (claims.md: a slow cluster is not a broken one).
import { nodesReady, poll } from './api.ts'
import { start, stop } from './node.ts'
import { ensureRunning, procsNamed, restartApiServer, wait } from './fault-actions.ts'
import { type Fault, quests } from './fault-types.ts'

export const slowFaults: Fault[] = [
  {
    name: 'kubelet-restart',
    component: 'kubelet',
    breaks: 'every kubelet stopped 30 s into the run and started 10 s later: running pods keep running, exec and logs pause; the suite must ride it out with no failed claim',
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('000-podinfo-deployment-vs-statefulset', '001a-claim-and-pod'),
    whySpecs: 'claims that exec into pods, restart containers and recreate pods (000), and pods on claims (001a)',
    at: 30_000,
    slow: true,
    inject: async (ctx) => {
      const kubelets = procsNamed(ctx, 'kubelet')
      for (const p of kubelets) await stop(p)
      await wait(10_000)
      for (const p of kubelets) await start(p, ctx.shape)
      await poll({ what: 'every node Ready after the kubelet restart', timeoutMs: 120_000, check: () => nodesReady(ctx.c, ctx.nodes) })
    },
    restore: (ctx) => ensureRunning(ctx, 'kubelet'),
  },
  {
    name: 'apiserver-restart',
    component: 'kube-apiserver',
    breaks: 'kube-apiserver restarted 30 s into the run: watches break and requests fail for a few seconds; the suite must resume its watches, retry its requests and give no failed claim',
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('000-podinfo-deployment-vs-statefulset', '003b-update-strategies'),
    whySpecs: 'order claims read from watch recordings (Q0-10, Q3-08, Q3-09) and claims that exec and port-forward through the API server',
    at: 30_000,
    slow: true,
    inject: (ctx) => restartApiServer(ctx, []),
    restore: (ctx) => ensureRunning(ctx, 'kube-apiserver'),
  },
]
