// npm run -s rbac:namespace -- <namespace> [<name>]
//
// Prints, as YAML for `kubectl apply -f -`, what a user limited to one
// namespace needs for SC_NAMESPACE mode: a Role in that namespace and a
// read-only ClusterRole, as lib/harness/namespace-rbac.ts derives them from
// fixtures/rbac.yaml (the same list global setup checks). Bind them to the user:
//   kubectl create rolebinding stateful-conformance -n <namespace> --role=<name> --user=<you>
//   kubectl create clusterrolebinding stateful-conformance-<namespace> --clusterrole=<name>-reads --user=<you>
import { stringify } from 'yaml'
import { namespaceRoles } from '../lib/harness/namespace-rbac.ts'

const [namespace, name = 'stateful-conformance'] = process.argv.slice(2)
if (!namespace || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
  console.error('usage: npm run -s rbac:namespace -- <namespace> [<role name>]')
  process.exit(2)
}
const { role, clusterRole } = namespaceRoles(namespace, name)
process.stdout.write(`# SC_NAMESPACE=${namespace}: what the suite needs in that namespace, and the reads it needs outside it.\n${stringify(role)}---\n${stringify(clusterRole)}`)
