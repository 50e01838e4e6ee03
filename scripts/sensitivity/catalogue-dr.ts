// Semantic mutants for the DR claims that need more than a component restarted from another build:
// DR-03 (a zone lost and back, through the embedded cluster's zone commands) and DR-05 (an upgrade
// to a release with a bug). The others' (DR-01, DR-02, DR-04) are in catalogue-mutants.ts.
import { buildMutant } from '../../cluster/binaries/build.ts'
import { mutantNamed, patchSummary, patchText } from '../../cluster/binaries/mutants.ts'
import { versions } from '../../cluster/base/config.ts'
import { restartFromBinary } from '../../cluster/faults/actions.ts'
import { cliCommand, disruptCommand, mutantFault } from './catalogue-mutants.ts'
import type { Fault } from './fault-claims.ts'

const budgetMutant = mutantNamed('eviction-ignores-budget')
const upgradeFault = 'upgrade-eviction-ignores-budget'
const upgradeWhy = 'the upgrade moves the API server first, so every drain after it goes through the mutant\'s Eviction API, which answers no 429. '
  + 'Each keeper pod evicted from a node has its node-local volume there, so it cannot be Ready again before that node is uncordoned, and the next node\'s drain begins at once: '
  + 'its keeper pod is evicted while the one before is still starting; where one node holds two keeper pods (the spread is ScheduleAnyway), both go at once. '
  + 'Either way two of the three are unavailable at one moment, and the Then step sees fewer than 2 Ready'

export const drFaults: Fault[] = [
  mutantFault({
    mutant: 'sts-lost-pods-new-claims',
    mustFail: {
      'DR-03': 'once the lost zone\'s worker is marked not Ready, the node lifecycle controller marks the zoned pod there not Ready (no reason); the controller deletes its claim (held by pvc-protection only until the pod goes) and the pod with no grace, then makes the claim anew: another uid, unbound (the class binds on first use, and the new pod has no node in the lost zone). The Then step reads every claim after its 30 s hold and sees that claim made anew',
    },
    specs: ['specs/disruption/dr-zone.spec.ts'],
    whySpecs: 'dr-zone.spec.ts holds DR-03 alone, run as npm run test:disruption runs it, with the embedded cluster\'s zone commands given as a user\'s SC_DISRUPT_ZONE_STOP/START',
    suite: 'disruption',
    env: { SC_DISRUPT_ZONE_STOP: disruptCommand('zone-stop "$1"'), SC_DISRUPT_ZONE_START: disruptCommand('zone-start "$1"') },
    // A control-plane node and a worker in each of two zones: the cloud shape.
    needs: { nodes: 3 },
  }),
  {
    name: upgradeFault,
    kind: 'mutant',
    component: `kube-apiserver (mutant ${budgetMutant.name}, as the release the cluster is upgraded to)`,
    breaks: `An upgrade to a release with a bug: cluster:upgrade --mutant=${budgetMutant.name} moves the API server to the mutant's build of ${versions.kubernetes}. ${patchSummary(patchText(budgetMutant))}`,
    mustBreak: ['DR-05'],
    mustFail: { 'DR-05': upgradeWhy },
    mustLeaveAlone: 'all others',
    specs: ['specs/disruption/dr-upgrade.spec.ts'],
    whySpecs: 'dr-upgrade.spec.ts holds DR-05 alone, with the upgrade given as a user\'s SC_DISRUPT_UPGRADE; the cluster must run the previous minor when the fault starts (it is upgraded once, by the claim)',
    suite: 'disruption',
    env: { SC_DISRUPT_UPGRADE: cliCommand(`upgrade --mutant=${budgetMutant.name}`) },
    needs: { nodes: 2 },
    at: 'before',
    // Nothing changes before the run: the mutant comes with the upgrade. Built here, and the cluster
    // checked to run the previous minor, else DR-05 would have nothing to upgrade and show nothing.
    inject: async (ctx) => {
      if (ctx.shape.kubernetes === versions.kubernetes) {
        throw new Error(`${upgradeFault} needs the cluster started on the previous minor (it runs ${versions.kubernetes}): npm run cluster:down, then SC_CLUSTER_VERSION=1.35 SC_CLUSTER_SHAPE=cloud npm run sensitivity -- --fault=${upgradeFault}`)
      }
      await buildMutant(budgetMutant)
    },
    // The API server back on the release's own build of the version the upgrade left it on.
    restore: (ctx) => restartFromBinary(ctx, 'kube-apiserver', undefined),
  },
]
