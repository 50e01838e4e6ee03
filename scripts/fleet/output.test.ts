import { expect, test } from 'vitest'
import { failureReason, labelPrefix, lineSplitter, type OutputLine, outputTail, startedItsCleanUp } from './output.ts'

test('chunks become whole lines, a line split across chunks included; flush hands over the last one', () => {
  const lines: string[] = []
  const split = lineSplitter((l) => lines.push(l))
  split.push('stateful-conformance: testing con')
  split.push(Buffer.from('text "a"\r\n ✓ specs/000.spec.ts\n\npartial'))
  expect(lines).toEqual(['stateful-conformance: testing context "a"', ' ✓ specs/000.spec.ts', ''])
  split.flush()
  split.flush()
  expect(lines.at(-1)).toBe('partial')
  expect(lines).toHaveLength(4)
})

test('the tail keeps the last lines, without colours or blank lines', () => {
  const tail = outputTail(3)
  for (const text of ['one', '', '\u001b[31mtwo\u001b[39m', 'three   ', 'four']) tail.add({ stream: 'out', text })
  expect(tail.lines()).toEqual([{ stream: 'out', text: 'two' }, { stream: 'out', text: 'three' }, { stream: 'out', text: 'four' }])
})

const out = (text: string): OutputLine => ({ stream: 'out', text })
const err = (text: string): OutputLine => ({ stream: 'err', text })

test('a refused setup is its one stateful-conformance line on stderr, not the informative lines before it', () => {
  const tail = [
    out('stateful-conformance: no kubeconfig context configured: starting the embedded cluster'),
    err('stateful-conformance: the cluster of context "prod-eu" at https://10.0.0.1:6443: unreachable: connect ECONNREFUSED 10.0.0.1:6443'),
    out(' RUN  v5.1.1 /work/main'),
  ]
  expect(failureReason(tail)).toBe('the cluster of context "prod-eu" at https://10.0.0.1:6443: unreachable: connect ECONNREFUSED 10.0.0.1:6443')
})

test('without that line: the last error lines on stderr without stack frames; else the last lines of all', () => {
  expect(failureReason([
    err('Error: Cannot find module \'/work/main/lib/harness/global-setup.ts\''),
    err('    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)'),
    err(' ❯ lib/harness/global-setup.ts:3:1'),
    out('something on stdout'),
  ])).toBe('Error: Cannot find module \'/work/main/lib/harness/global-setup.ts\'')
  expect(failureReason([out('a'), err('No test files found, exiting with code 1'), err('filter: -t Q9-99')]))
    .toBe('No test files found, exiting with code 1 | filter: -t Q9-99')
  expect(failureReason([out('one'), out('two'), out('three'), out('four')])).toBe('two | three | four')
  expect(failureReason([])).toBe('it printed nothing')
  expect(failureReason([err(`stateful-conformance: ${'x'.repeat(600)}`)])).toHaveLength(501)
})

test('labels are padded to one width', () => {
  expect(labelPrefix('a', 6)).toBe('[a]      ')
  expect(labelPrefix('prod-eu', 6)).toBe('[prod-eu] ')
})

test('a run that started its clean-up on Ctrl-C said so in global setup\'s words', () => {
  expect(startedItsCleanUp([err('stateful-conformance: SIGINT: removing what run m3x-1a2b made, in the background (npm run clean does it again if needed)')])).toBe(true)
  expect(startedItsCleanUp([err('stateful-conformance: SIGTERM: removing what run m3x-1a2b made, in the background')])).toBe(true)
  expect(startedItsCleanUp([out('stateful-conformance: testing context "a"')])).toBe(false)
})
