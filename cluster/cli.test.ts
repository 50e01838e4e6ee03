import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { versions } from './base/config.ts'
import { buildArgs, statusLines } from './cli.ts'
import type { ClusterStatus } from './lifecycle.ts'

const healthy: ClusterStatus = {
  healthy: true, instance: 'stateful-conformance', kubernetes: 'v1.36.3', shape: 'cloud: 3 nodes',
  api: { ready: true, at: 'https://10.250.0.2:6443' },
  nodes: [{
    name: 'embedded-control-plane', ip: '10.250.0.2', zone: '-', ready: 'True', taints: ['node-role.kubernetes.io/control-plane:NoSchedule'],
    processBytes: 512 * 2 ** 20, podBytes: 40 * 2 ** 20, procs: [{ component: 'kubelet', pid: 4242, rssBytes: 90.4 * 2 ** 20 }, { component: 'kube-proxy' }],
  }],
  host: [{ component: 'ext4-provisioner', pid: 77, rssBytes: 12 * 2 ** 20 }],
  memoryBytes: 700 * 2 ** 20, kubeconfig: '/repo/.cluster/kubeconfig', leftovers: [], missingBuilds: [], binaryCache: '/cache/bin',
}

test('a healthy cluster: its API, each node with its processes (pid and memory, or not running), the host\'s, the kubeconfig to use', () => {
  expect(statusLines(healthy)).toEqual([
    'embedded cluster stateful-conformance (Kubernetes v1.36.3, cloud: 3 nodes)',
    '  api ready at https://10.250.0.2:6443',
    '  node embedded-control-plane   10.250.0.2   zone -       Ready=True    memory 512 MiB processes + 40 MiB pods  taint node-role.kubernetes.io/control-plane:NoSchedule',
    '    kubelet                  pid 4242     90 MiB',
    '    kube-proxy               not running',
    '  host ext4-provisioner         pid 77       12 MiB',
    '  memory of the cluster: 700 MiB',
    '  KUBECONFIG=/repo/.cluster/kubeconfig',
    '  binaries: cached in /cache/bin',
  ])
})

test('a cluster that is not up says what the API answered, what down would remove and which binaries are not built, and offers no kubeconfig', () => {
  const down: ClusterStatus = {
    healthy: false, instance: 'dev', kubernetes: 'v1.36.3', api: { ready: false, seen: 'not set up' }, nodes: [], host: [],
    leftovers: ['network namespace sc-dev', '3 mounts'], missingBuilds: ['kubelet', 'kube-proxy'], binaryCache: '/cache/bin',
  }
  expect(statusLines(down)).toEqual([
    'embedded cluster dev (Kubernetes v1.36.3)',
    '  api not ready (not set up)',
    '  leftovers (npm run cluster:down removes them): network namespace sc-dev, 3 mounts',
    '  binaries: not built yet: kubelet, kube-proxy',
  ])
})

// As a DR claim's user command runs it: node cluster/cli.ts disrupt WHAT TARGET. Input errors are one
// line and exit 2, before anything looks for a cluster.
test('disrupt refuses an unknown disruption, or a node disruption without its node, with one line and exit 2', { timeout: 30_000 }, () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [fileURLToPath(new URL('./cli.ts', import.meta.url)), ...args], { encoding: 'utf8' })
  const missing = cli('disrupt', 'node-stop')
  expect({ code: missing.status, err: missing.stderr }).toEqual({ code: 2, err: expect.stringMatching(/^cluster:disrupt: disrupt node-stop needs a node name; usage: .*disrupt node-stop\|node-start NODE/) })
  const unknown = cli('disrupt', 'node-reboot', 'n1')
  expect({ code: unknown.status, err: unknown.stderr }).toEqual({ code: 2, err: expect.stringMatching(/^cluster:disrupt: no disruption node-reboot; usage: /) })
  expect(missing.stderr.trim().split('\n')).toHaveLength(1)
})

test('halfway through an upgrade, status names the release each Kubernetes component runs', () => {
  const mixed: ClusterStatus = { ...healthy, nodes: [{ ...healthy.nodes[0]!, procs: [{ component: 'kubelet', pid: 4242, rssBytes: 90.4 * 2 ** 20, version: 'v1.36.3' }, { component: 'kube-proxy', version: 'v1.35.4' }] }] }
  expect(statusLines(mixed).slice(3, 5)).toEqual([
    '    kubelet                  pid 4242     90 MiB   v1.36.3',
    '    kube-proxy               not running           v1.35.4',
  ])
})

test('build --version=1.35 builds that release beside the pinned one; another release is refused', () => {
  expect(buildArgs([])).toEqual({ mutants: [] })
  expect(buildArgs(['--version=1.35', 'sts-partition-ignored'])).toEqual({ release: versions.previousKubernetes, mutants: ['sts-partition-ignored'] })
  expect(buildArgs(['--version=1.30'])).toEqual({ refused: '--version=1.30: no such release to build; accepted: 1.36|1.35' })
})

test('upgrade takes only --mutant=NAME of a control-plane mutant: anything else is one line and exit 2, before anything looks for a cluster', { timeout: 30_000 }, () => {
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./cli.ts', import.meta.url)), 'upgrade', ...args], { encoding: 'utf8' })
    return { code: r.status, err: r.stderr.trim() }
  }
  expect(run('--version=1.37')).toEqual({ code: 2, err: 'cluster:upgrade: upgrade takes only --mutant=NAME (--version=1.37): it moves the running cluster to the pinned release' })
  expect(run('--mutant=kubelet-restart-count-doubled')).toMatchObject({ code: 2, err: expect.stringMatching(/^cluster:upgrade: --mutant=kubelet-restart-count-doubled: not a mutant of a control-plane component; those are .*eviction-ignores-budget/) })
  expect(run('--mutant=no-such')).toMatchObject({ code: 2, err: expect.stringMatching(/^cluster:upgrade: --mutant=no-such: not a mutant/) })
})
