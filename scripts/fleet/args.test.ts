import { expect, test } from 'vitest'
import { BadInput } from '../diff/load.ts'
import { childEnv, cleanCommand, describeTarget, parseFleetArgs } from './args.ts'

test('--contexts, --embedded and --out are the fleet\'s; everything else goes to vitest in its order', () => {
  expect(parseFleetArgs(['--contexts=kind-a,prod-eu', 'specs/000-podinfo-deployment-vs-statefulset.spec.ts', '-t', 'Q0-10', '--embedded', 'dev', '--out', 'fleet'], {})).toEqual({
    targets: [{ label: 'kind-a', context: 'kind-a' }, { label: 'prod-eu', context: 'prod-eu' }, { label: 'embedded-dev', embedded: 'dev' }],
    out: 'fleet',
    vitestArgs: ['specs/000-podinfo-deployment-vs-statefulset.spec.ts', '-t', 'Q0-10'],
  })
  expect(parseFleetArgs(['--embedded=dev,prod', '--reporter=verbose', '--', '--contexts=x'], {})).toEqual({
    targets: [{ label: 'embedded-dev', embedded: 'dev' }, { label: 'embedded-prod', embedded: 'prod' }],
    vitestArgs: ['--reporter=verbose', '--contexts=x'],
  })
})

test('SC_CONTEXTS names the contexts when the command line does not; --contexts wins over it', () => {
  expect(parseFleetArgs([], { SC_CONTEXTS: ' a , b,' }).targets).toEqual([{ label: 'a', context: 'a' }, { label: 'b', context: 'b' }])
  expect(parseFleetArgs(['--contexts=c'], { SC_CONTEXTS: 'a,b' }).targets).toEqual([{ label: 'c', context: 'c' }])
  expect(parseFleetArgs(['--embedded=dev'], { SC_CONTEXTS: 'a' }).targets.map((t) => t.label)).toEqual(['a', 'embedded-dev'])
})

test('a context whose name is no folder name gets a label that is one, and two that read alike are told apart', () => {
  const { targets } = parseFleetArgs(['--contexts=arn:aws:eks:eu-west-1:1234:cluster/prod,gke_p_z_c,a/b,a:b,.hidden'], {})
  expect(targets.map((t) => t.label)).toEqual(['arn_aws_eks_eu-west-1_1234_cluster_prod', 'gke_p_z_c', 'a_b', 'a_b-2', 'hidden'])
  expect(targets[0]).toEqual({ label: 'arn_aws_eks_eu-west-1_1234_cluster_prod', context: 'arn:aws:eks:eu-west-1:1234:cluster/prod' })
  expect(describeTarget(targets[0]!)).toBe('context "arn:aws:eks:eu-west-1:1234:cluster/prod"')
  expect(describeTarget({ label: 'embedded-dev', embedded: 'dev' })).toBe('the embedded cluster\'s instance dev')
})

test('bad input is one line saying what is wrong', () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [[], {}, /^no clusters named; usage: npm run fleet -- --contexts=a,b/],
    [['--contexts='], { SC_CONTEXTS: 'a' }, /^--contexts needs a value;/],
    [['--out'], { SC_CONTEXTS: 'a' }, /^--out needs a value;/],
    [['--contexts', '-t'], {}, /^--contexts needs a value;/],
    [['--contexts=a,b,a'], {}, /^named twice: a \(each cluster runs once\)$/],
    [['--embedded=Dev'], {}, /^--embedded: Dev: expected 1 to 12 lower-case letters and digits/],
    [['--contexts=a', '--project', 'unit'], {}, /^--project: the fleet runs the specs project on every cluster;/],
  ]
  for (const [argv, env, message] of cases) {
    const thrown = (() => { try { parseFleetArgs(argv, env) } catch (e) { return e } })()
    expect(thrown, argv.join(' ')).toBeInstanceOf(BadInput)
    expect((thrown as Error).message).toMatch(message)
  }
})

test('each child gets the caller\'s environment with its own cluster and reports folder', () => {
  const env = { PATH: '/bin', SC_STORAGE_CLASSES: 'all', SC_CONTEXT: 'other', SC_CLUSTER: 'embedded', SC_CLUSTER_NAME: 'x', SC_REPORTS_DIR: 'r', SC_CONTEXTS: 'a' }
  expect(childEnv({ label: 'a', context: 'a' }, env, '/out/a')).toEqual({
    PATH: '/bin', SC_STORAGE_CLASSES: 'all', SC_CONTEXTS: 'a', SC_CLUSTER: 'current', SC_CONTEXT: 'a', SC_REPORTS_DIR: '/out/a',
  })
  expect(childEnv({ label: 'embedded-dev', embedded: 'dev' }, env, '/out/embedded-dev')).toEqual({
    PATH: '/bin', SC_STORAGE_CLASSES: 'all', SC_CONTEXTS: 'a', SC_CLUSTER: 'embedded', SC_CLUSTER_NAME: 'dev', SC_REPORTS_DIR: '/out/embedded-dev',
  })
})

test('the clean-up command names the cluster and the folder where its run kept its records, quoted for a shell', () => {
  expect(cleanCommand({ label: 'prod-eu', context: 'prod-eu' }, '/r/fleet/prod-eu')).toBe('SC_CONTEXT=prod-eu SC_REPORTS_DIR=/r/fleet/prod-eu npm run clean')
  expect(cleanCommand({ label: 'embedded-dev', embedded: 'dev' }, '/r/fleet/embedded-dev')).toBe('SC_CLUSTER=embedded SC_CLUSTER_NAME=dev SC_REPORTS_DIR=/r/fleet/embedded-dev npm run clean')
  expect(cleanCommand({ label: 'it_s', context: "it's mine" }, '/r/my fleet/it_s')).toBe("SC_CONTEXT='it'\\''s mine' SC_REPORTS_DIR='/r/my fleet/it_s' npm run clean")
})
