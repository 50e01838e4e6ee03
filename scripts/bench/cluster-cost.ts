// npm run cluster:bench [-- cluster:up options]: what the embedded cluster costs,
// measured, never asserted: a warm `cluster:up` (binaries and images cached),
// the memory of the running cluster, and `cluster:down`. Runs on the instance
// SC_CLUSTER_NAME names; refuses to take down a cluster it did not start.
import { instance } from '../../cluster/base/config.ts'
import { clusterMemory, down, isUp, up } from '../../cluster/lifecycle.ts'
import { describeShape, parseShape } from '../../cluster/base/shape.ts'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const shape = parseShape(argv, process.env)
  if (await isUp()) throw new Error(`the ${instance} cluster is already up: bench measures a cluster it starts itself (npm run cluster:down, or SC_CLUSTER_NAME=another)`)
  const t0 = performance.now()
  await up(argv)
  const upMs = performance.now() - t0
  // A few seconds for the components to settle after Ready.
  await new Promise((r) => setTimeout(r, 5000))
  const memory = clusterMemory()
  const t1 = performance.now()
  await down()
  const downMs = performance.now() - t1
  const gib = (b: number) => (b / 2 ** 30).toFixed(2)
  console.log(`cluster:bench ${instance} (${describeShape(shape)}):`)
  console.log(`  warm cluster:up   ${(upMs / 1000).toFixed(1)} s`)
  console.log(`  memory when up    ${gib(memory.total)} GiB (${memory.perNode.map((n) => `${n.name} ${gib(n.bytes)}`).join(', ')}${memory.host ? `, host processes ${gib(memory.host)}` : ''})`)
  console.log(`  cluster:down      ${(downMs / 1000).toFixed(1)} s`)
}

main().catch((err: Error) => {
  console.error(`cluster:bench: ${err.message}`)
  process.exitCode = 1
})
