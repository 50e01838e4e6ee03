import type { V1PodSpec } from '@kubernetes/client-node'
import { describe, expect, test } from 'vitest'
import { assignNamespaceIds, idsForNamespace, parseIdRange } from './pod-ids.ts'

describe('ids for a namespace, from the range OpenShift assigns it', () => {
  test('"first/size" and "first-last"; of several blocks, the first; anything else is no range', () => {
    expect(parseIdRange('1000680000/10000')).toEqual({ first: 1000680000, size: 10000 })
    expect(parseIdRange('1000680000-1000689999')).toEqual({ first: 1000680000, size: 10000 })
    expect(parseIdRange('1000680000/10000,1000700000/10000')).toEqual({ first: 1000680000, size: 10000 })
    expect(parseIdRange(undefined)).toBeUndefined()
    expect(parseIdRange('')).toBeUndefined()
    expect(parseIdRange('lots')).toBeUndefined()
  })

  test('uid from the uid range; groups from the supplemental groups, else from the uid range', () => {
    expect(idsForNamespace({ 'openshift.io/sa.scc.uid-range': '1000680000/10000', 'openshift.io/sa.scc.supplemental-groups': '1000690000/10000' }))
      .toMatchObject({ uid: 1000680000, gid: 1000690000, otherGid: 1000690001 })
    expect(idsForNamespace({ 'openshift.io/sa.scc.uid-range': '1000680000/10000' })).toMatchObject({ uid: 1000680000, gid: 1000680000, otherGid: 1000680001 })
  })

  test('a namespace without a range (any cluster but OpenShift): none, the fixtures keep their ids', () => {
    expect(idsForNamespace(undefined)).toBeUndefined()
    expect(idsForNamespace({ 'stateful-conformance/test': 'Q0-01' })).toBeUndefined()
  })

  test('every pod shape lands inside the range: podinfo 100/101, busybox 1000/1000, SC-03\'s fsGroup 2345 apart from its group', () => {
    const ids = idsForNamespace({ 'openshift.io/sa.scc.uid-range': '1000680000/10000', 'openshift.io/sa.scc.supplemental-groups': '1000680000/10000' })!
    const podinfo: V1PodSpec = { containers: [{ name: 'podinfo' }], securityContext: { runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, fsGroup: 101 } }
    const sc03: V1PodSpec = { containers: [{ name: 'c', securityContext: { runAsUser: 1000 } }], securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2345 } }
    assignNamespaceIds(podinfo, ids)
    assignNamespaceIds(sc03, ids)
    expect(podinfo.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000680000, runAsGroup: 1000680000, fsGroup: 1000680000 })
    expect(sc03.securityContext).toEqual({ runAsUser: 1000680000, runAsGroup: 1000680000, fsGroup: 1000680001 })
    expect(sc03.containers[0]!.securityContext).toEqual({ runAsUser: 1000680000 })
  })
})
