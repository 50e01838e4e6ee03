import { describe, expect, test } from 'vitest'
import { describeRefusal, podShapesOf, suitePodShapes } from './admission.ts'

describe('pod shapes dry-run before the claims', () => {
  test('a manifest\'s Pods, and a pod per workload template; Services and claims make none', () => {
    const shapes = podShapesOf('fixtures/x.yaml', [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lunchbox' }, spec: { containers: [] } } as never,
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } } } as never,
    ])
    expect(shapes.map((s) => s.source)).toEqual(['fixtures/x.yaml Pod lunchbox', 'fixtures/x.yaml StatefulSet web'])
    expect(shapes[1]!.pod).toMatchObject({ kind: 'Pod', metadata: { labels: { app: 'web' } }, spec: { containers: [] } })
  })

  test('a refusal names the shape, the policy and the fields, in one line', () => {
    const err = { code: 403, body: { message: 'pods "shape-3" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "lunchbox" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "lunchbox" must set securityContext.runAsNonRoot=true)' } }
    const line = describeRefusal({ source: 'fixtures/001/lunchbox.yaml Pod lunchbox', pod: {} }, err)
    expect(line).toMatch(/^fixtures\/001\/lunchbox.yaml Pod lunchbox: .*violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "lunchbox"/)
    expect(line).not.toContain('\n')
  })

  test('every pod shape of the suite is ready for the restricted level: non-root with numeric ids, no escalation, no capabilities, RuntimeDefault seccomp, Linux nodes', async () => {
    const shapes = await suitePodShapes('docker.io/library/busybox:1.35.0')
    expect(shapes.length).toBeGreaterThan(20)
    const unfit = shapes.filter(({ pod }) => {
      const s = pod.spec!
      const sc = s.securityContext ?? {}
      const containersFit = [...(s.initContainers ?? []), ...s.containers].every((c) => c.securityContext?.allowPrivilegeEscalation === false &&
        (c.securityContext?.capabilities?.drop ?? []).includes('ALL') && !(c.securityContext?.capabilities?.add ?? []).length)
      return !(sc.runAsNonRoot === true && (sc.runAsUser ?? 0) > 0 && sc.seccompProfile?.type === 'RuntimeDefault' && containersFit &&
        s.nodeSelector?.['kubernetes.io/os'] === 'linux' && !(s.volumes ?? []).some((v) => v.hostPath))
    }).map((s) => s.source)
    expect(unfit, 'pod shapes the restricted Pod Security level would refuse').toEqual([])
  })

  test('every container of every pod shape (fixtures, the client pod, the probe\'s pod) has cpu and memory requests equal to limits, as a policy engine or quota may require', async () => {
    const shapes = await suitePodShapes('docker.io/library/busybox:1.35.0')
    const unfit = shapes.flatMap(({ source, pod }) => [...(pod.spec!.initContainers ?? []), ...pod.spec!.containers]
      .filter((c) => !c.resources?.requests?.cpu || !c.resources.requests.memory || JSON.stringify(c.resources.limits) !== JSON.stringify(c.resources.requests))
      .map((c) => `${source} container ${c.name}`))
    expect(unfit, 'containers without requests equal to limits').toEqual([])
  })
})
