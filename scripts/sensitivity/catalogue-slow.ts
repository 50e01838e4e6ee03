// The healthy-but-slow faults of the catalogue (catalogue.ts): a component
// restarted or paused, capacity that arrives late, a provisioner that takes a
// minute, a machine whose cores are busy. The cluster still does all it should,
// later; each must fail no claim (claims.md: a slow cluster is not a broken one).
import { availableParallelism } from 'node:os'
import { nodesReady, poll } from '../../cluster/api/client.ts'
import { start, stop } from '../../cluster/nodes/node.ts'
import {
  delayedScript, ensureRunning, pauseComponent, procsNamed, restartApiServer, resumeComponent, setLocalPathScripts, setUnschedulable,
  startCpuBurners, stopCpuBurners, usualLocalPathScripts, wait,
} from '../../cluster/faults/actions.ts'
import { type Fault, quests } from './fault-claims.ts'

// About what a cloud disk takes to be created; under the two minutes local-path gives a helper pod before it retries.
export const provisioningDelaySeconds = 60
export const cordonedMs = 60_000
export const controllerManagerPause = { pauseMs: 25_000, gapMs: 40_000, times: 2 }

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
  {
    name: 'slow-provisioning',
    component: 'local-path-provisioner (setup script)',
    breaks: `local-path's setup script waits ${provisioningDelaySeconds} s before it makes the volume's folder, as a cloud backend that takes a minute to create a disk: each claim of standard (and shared-immediate) gets its Provisioning event at once, its helper pod runs for a minute, then the claim binds to a correct, empty volume. local-path works on 4 claims at a time (its provisioner library's default), so a burst of claims queues and the later ones hear nothing until a worker is free. Nothing is broken: the suite must see the claims in progress and wait, within its deadlines, and fail nothing`,
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('001a-claim-and-pod', '001b-statefulset'),
    whySpecs: '001a makes claims and pods on them by hand, 001b StatefulSets whose every pod waits for its own new claim (OrderedReady: one minute per ordinal), both on the default class standard, which local-path serves',
    at: 'before',
    slow: true,
    inject: async (ctx) => {
      const usual = await usualLocalPathScripts()
      await setLocalPathScripts(ctx, { setup: delayedScript(usual.setup, provisioningDelaySeconds), teardown: usual.teardown })
    },
    restore: (ctx) => setLocalPathScripts(ctx, undefined),
  },
  {
    name: 'cordoned-nodes',
    component: 'every node (spec.unschedulable)',
    breaks: `every node cordoned 20 s into the run and uncordoned ${cordonedMs / 1000} s later, as capacity that a cluster autoscaler adds late: running pods keep running; each pod made in that minute stays Pending, the scheduler saying why (PodScheduled False, Unschedulable), and a WaitForFirstConsumer claim waits with its pod; once the nodes take pods again they are placed and start. Nothing is broken: the suite must wait and fail nothing`,
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('000-podinfo-deployment-vs-statefulset', '001b-statefulset'),
    whySpecs: '000 makes pods throughout (a Deployment\'s replacement pod, a StatefulSet rolled one pod at a time), 001b StatefulSet pods one after another, each with a claim that binds only once its pod is placed; neither lists nodes to choose one (001a\'s Q1-05 and storage-advanced do, and would take cordoned nodes for absent ones: a partial, not a slowness)',
    at: 20_000,
    slow: true,
    inject: async (ctx) => {
      await setUnschedulable(ctx, true)
      await wait(cordonedMs)
      await setUnschedulable(ctx, false)
    },
    restore: (ctx) => setUnschedulable(ctx, false),
  },
  {
    name: 'controller-manager-pauses',
    component: 'kube-controller-manager (paused)',
    breaks: `kube-controller-manager frozen (SIGSTOP) for ${controllerManagerPause.pauseMs / 1000} s, ${controllerManagerPause.times} times, ${controllerManagerPause.gapMs / 1000} s apart, from 30 s into the run, as a leader change leaves the controllers without a leader for a while: what the StatefulSet, Deployment, ReplicaSet, EndpointSlice, PV and garbage-collector controllers should do in a pause is done after it (SIGCONT; the process resumes its watches, listing again where the API server dropped them). Nothing is broken: the suite must wait through both pauses and fail nothing, and the order it records must still be one pod at a time`,
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('001b-statefulset', '003b-update-strategies', '004-records-and-update-strategies'),
    whySpecs: '001b scales StatefulSets and recreates their pods, 003b updates them (OnDelete, RollingUpdate with a partition) and reads the order from watch recordings, 004 rolls Deployments (surge and unavailability bounds, Recreate, a canary): every step waits on a controller',
    at: 30_000,
    slow: true,
    inject: async (ctx) => {
      for (let i = 0; i < controllerManagerPause.times; i++) {
        if (i) await wait(controllerManagerPause.gapMs)
        await pauseComponent(ctx, 'kube-controller-manager', controllerManagerPause.pauseMs)
      }
    },
    restore: async (ctx) => {
      resumeComponent(ctx, 'kube-controller-manager')
      await ensureRunning(ctx, 'kube-controller-manager')
    },
  },
  {
    name: 'cpu-starved',
    component: 'the host\'s CPU (every node and the suite share it)',
    breaks: 'one busy loop per core (sh: while :; do :; done) at normal priority for the whole run, on the host every node of the embedded cluster and the suite itself run on: each component, pod, probe and client gets a share of the cores instead of all of them, so API calls, pod starts, execs and probes take longer. Nothing is broken: a suite that fails because its own machine is busy is wrong',
    mustBreak: [],
    mustLeaveAlone: 'all others',
    specs: quests('000-podinfo-deployment-vs-statefulset', '003a-parallel-statefulset'),
    whySpecs: '000 execs into pods, restarts a container through HTTP and rolls a StatefulSet; 003a starts pods in parallel behind readiness probes and sends visits through a Service: all of it is timed, and all of it slows down',
    at: 'before',
    slow: true,
    inject: () => startCpuBurners(availableParallelism()),
    restore: () => stopCpuBurners(),
  },
]
