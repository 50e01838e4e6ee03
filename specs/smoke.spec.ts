// specs/smoke.spec.ts — is this cluster fit for the suite at all?
// Not a quest: the basic mechanics every claim relies on (pods run, exec,
// port-forward, cluster DNS, Services, dynamic provisioning). When one of
// these fails, the claims that follow cannot be trusted either.
import { readFileIn, writeFileIn } from '../lib/apps/files.ts'
import { podinfoField } from '../lib/apps/podinfo.ts'
import { applyFixture, describe, expect, removeIfRetained, storageTest, test } from '../lib/harness/fixtures.ts'
import { Given, Then, When } from '../lib/harness/steps.ts'
import { execOk, includesAny, podIps, podNames, portForward } from '../lib/resources/pods.ts'
import { deletePvc, getPv } from '../lib/resources/storage.ts'
import { deletePodAndWaitGone, recreatePodFromFixture, waitForPodReady, waitForReadyReplicas } from '../lib/wait/pods.ts'
import { waitForPv, waitForPvcBound, waitForPvGone } from '../lib/wait/storage.ts'

describe('smoke: the cluster can run the suite', () => {
  test('SMOKE pods run, exec works and a port-forward reaches podinfo over HTTP', async ({ kube, ns, cleanup }) => {
    await Given('a podinfo pod behind a headless Service', async () => {
      await applyFixture(kube, ns, 'smoke/podinfo-statefulset.yaml')
      await waitForPodReady(kube, ns, 'named-0')
    })
    await Then('exec in it prints its hostname', async () => {
      expect((await execOk(kube, ns, 'named-0', ['cat', '/etc/hostname'])).trim()).toBe('named-0')
    })
    await Then('a port-forward answers GET / with the pod\'s own hostname', async () => {
      const pf = await portForward(kube, ns, 'named-0', 9898)
      cleanup.add('port-forward', () => pf.close())
      const res = await pf.request('/')
      expect(res.status).toBe(200)
      expect(res.json<{ hostname: string }>().hostname).toBe('named-0')
    })
  })

  test('SMOKE cluster DNS resolves the API server and a headless-service pod name', async ({ kube, ns, client }) => {
    const pod = await Given('a podinfo pod behind the headless Service "named"', async () => {
      await applyFixture(kube, ns, 'smoke/podinfo-statefulset.yaml')
      return waitForPodReady(kube, ns, 'named-0')
    })
    // The API server's Service IP as the kubelet hands it to every pod: the
    // suite reads nothing it did not create (see fixtures/rbac.yaml).
    await Then('kubernetes.default.svc.<cluster domain> answers the API server\'s Service IP (the pod\'s KUBERNETES_SERVICE_HOST)', async () => {
      const apiIp = (await execOk(kube, ns, 'named-0', ['sh', '-c', 'echo "$KUBERNETES_SERVICE_HOST"'])).trim()
      const name = `kubernetes.default.svc.${await client.clusterDomain()}`
      const r = await client.nslookup(name)
      expect(r.status === 'ok' ? includesAny(r.addresses, [apiIp]) : r, `nslookup ${name}: ${r.output} (KUBERNETES_SERVICE_HOST in ${ns}/named-0: ${apiIp})`).toBe(true)
    })
    await Then('named-0.named resolves to the pod\'s IP', async () => {
      const r = await client.waitForResolution('named-0.named', `answers ${podIps(pod).join(' or ')}`, (x) => x.status === 'ok')
      expect(r.status === 'ok' && includesAny(r.addresses, podIps(pod)), r.output).toBe(true)
    })
  })

  test('SMOKE a ClusterIP Service routes to its pods', async ({ kube, ns, client }) => {
    const pods = await Given('two podinfo replicas behind the ClusterIP Service "web"', async () => {
      await applyFixture(kube, ns, 'smoke/web.yaml')
      return waitForReadyReplicas(kube, ns, 'app=web', 2)
    })
    await Then('GET http://web/ answers from one of those pods', async () => {
      const res = await client.http('http://web/')
      expect(res.status, res.raw).toBe(200)
      expect(podNames(pods)).toContain(podinfoField(res, 'hostname', 'http://web/'))
    })
  })

  storageTest('SMOKE a claim binds, keeps a file across pod recreation, and its volume follows the reclaim policy', async ({ kube, ns, storageClass, cleanup }) => {
    const { volume, reclaim } = await Given(`a pod writing to a claim of class ${storageClass}`, async () => {
      await applyFixture(kube, ns, 'smoke/volume.yaml', { storageClass })
      await waitForPodReady(kube, ns, 'writer')
      const pv = (await waitForPvcBound(kube, ns, 'data')).spec?.volumeName ?? ''
      await writeFileIn(kube, ns, 'writer', '/data/file', 'kept')
      return { volume: pv, reclaim: (await getPv(kube, pv)).spec?.persistentVolumeReclaimPolicy }
    })
    // A Retain class keeps the volume: the test removes what it caused.
    removeIfRetained(cleanup, kube, volume, reclaim)
    await When('the pod is deleted and created again', async () => {
      await recreatePodFromFixture(kube, ns, 'writer', 'smoke/volume.yaml')
      await waitForPodReady(kube, ns, 'writer')
    })
    await Then('the file is still there', async () => {
      expect(await readFileIn(kube, ns, 'writer', '/data/file')).toBe('kept')
    })
    await When('the pod and then the claim are deleted', async () => {
      await deletePodAndWaitGone(kube, ns, 'writer', 0)
      await deletePvc(kube, ns, 'data')
    })
    if (reclaim === 'Retain') {
      await Then(`its volume ${volume} stays, Released (reclaim policy Retain)`, () =>
        waitForPv(kube, volume, 'to be Released', (pv) => pv?.status?.phase === 'Released', 'pvDeleted'))
    } else {
      await Then(`its volume ${volume} goes away (reclaim policy ${reclaim})`, () => waitForPvGone(kube, volume))
    }
  })
})
