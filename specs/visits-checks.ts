// specs/visits-checks.ts — the steps quests 003 and 004 share about their
// visits app (lib/apps/visits.ts): visits sent through the Service, then each
// pod's own record file checked against who served what. Not a spec itself.
import type { ClusterClient } from '../lib/apps/cluster-client.ts'
import { auditVisitLogs, describeAudit, type SentVisits, type VisitAudit, visitThroughService } from '../lib/apps/visits.ts'
import { expect, type Kube } from '../lib/harness/fixtures.ts'
import { And, Then, When } from '../lib/harness/steps.ts'

export const whenVisitsAreSent = (kube: Kube, ns: string, client: ClusterClient, count: number): Promise<SentVisits> =>
  When(`${count} visits, each with a unique id, are sent to the Service's cluster IP from a pod in the cluster`, () =>
    visitThroughService(kube, ns, client, 'visits', count))

// Returns the audit, and the line that describes it for the checks that follow.
export const thenEachPodRecordedOnlyWhatItServed = (kube: Kube, ns: string, pods: string[], sent: SentVisits, storageClass: string) =>
  Then('each pod\'s /data/visits.log, read with exec, holds only the visits that pod served', async () => {
    const audit = await auditVisitLogs(kube, ns, pods, sent)
    const context = `${ns} (class ${storageClass}): ${describeAudit(audit, sent.ids.length)}`
    expect(audit.misplaced, context).toEqual([])
    return { audit, context }
  })

export const andEveryVisitIsInExactlyOneFile = (audit: VisitAudit, context: string) =>
  And('every visit is in exactly one file: none missing, none twice, none unknown', () => {
    expect(audit.missing, context).toEqual([])
    expect(audit.duplicated, context).toEqual([])
    expect(audit.unexpected, context).toEqual([])
  })
