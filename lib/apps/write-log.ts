// DR-06's write log (fixtures/dr/wal.yaml): records "<n> <sha256 of n as 8
// digits>", one per line, each fsynced before the writer prints "ack <n>".
// After a kill, every acknowledged record must be there, whole, in order;
// records after the last acknowledgement may be missing, and only the very
// last line may be cut short (a write the kill interrupted, never acknowledged).
import { createHash } from 'node:crypto'
import { execOk } from '../k8s/exec.ts'
import type { Kube } from '../k8s/kube.ts'
import { timeout } from '../k8s/timeouts.ts'
import { readPodLog } from '../resources/pods.ts'
import { pollPause } from '../k8s/claim-context.ts'

export const recordSum = (n: number) => createHash('sha256').update(String(n).padStart(8, '0')).digest('hex')

// The write log as the file holds it, byte for byte: its last newline is what
// says the last record is whole, so nothing is trimmed (readFileIn trims).
export const readWriteLog = (kube: Kube, namespace: string, pod: string, path: string): Promise<string> =>
  execOk(kube, namespace, pod, ['cat', path])

// The highest "ack <n>" in a stretch of the writer's log; 0 if none.
export function lastAck(log: string): number {
  let last = 0
  for (const m of log.matchAll(/^ack (\d+)$/gm)) last = Math.max(last, Number(m[1]))
  return last
}

export interface WriteLogCheck {
  // Acknowledged records not found whole at their place.
  lost: number[]
  // Lines that are not a whole record, or a record out of order, with their line number.
  torn: string[]
  // Whole records in the file, acknowledged or not.
  records: number
  // The file's last line was cut short after the acknowledged records (allowed: never acknowledged).
  cutTail: boolean
}

export function checkWriteLog(text: string, acknowledged: number): WriteLogCheck {
  const lines = text.split('\n')
  const endsWhole = text === '' || text.endsWith('\n')
  if (lines.at(-1) === '') lines.pop()
  const torn: string[] = []
  const whole = new Set<number>()
  let cutTail = false
  lines.forEach((line, i) => {
    const m = /^(\d+) ([0-9a-f]{64})$/.exec(line)
    const last = i === lines.length - 1
    if (m && Number(m[1]) === i + 1 && m[2] === recordSum(i + 1) && (!last || endsWhole)) {
      whole.add(i + 1)
      return
    }
    if (last && i + 1 > acknowledged) {
      cutTail = true
      return
    }
    torn.push(`line ${i + 1}: ${JSON.stringify(line.slice(0, 80))}${m ? ` (expected record ${i + 1} with sum ${recordSum(i + 1).slice(0, 12)}…)` : ''}`)
  })
  const lost: number[] = []
  for (let n = 1; n <= acknowledged; n++) if (!whole.has(n)) lost.push(n)
  return { lost, torn, records: whole.size, cutTail }
}

// "records 31…40 lost (10 of 40 acknowledged)", one line per kind of damage.
export function describeWriteLogCheck(c: WriteLogCheck, acknowledged: number): string {
  const parts = [`${c.records} whole records in the file, ${acknowledged} acknowledged before the kill`]
  if (c.lost.length) parts.push(`record${c.lost.length > 1 ? `s ${c.lost[0]}…${c.lost.at(-1)}` : ` ${c.lost[0]}`} lost (${c.lost.length} of ${acknowledged} acknowledged)`)
  if (c.torn.length) parts.push(`${c.torn.length} torn: ${c.torn.slice(0, 3).join('; ')}`)
  if (c.cutTail) parts.push('the last line was cut short by the kill (never acknowledged)')
  return parts.join('; ')
}

// Waits until the writer has acknowledged `count` records: a poll of its log, whose deadline follows
// progress (each new acknowledgement restarts it), as a log cannot be watched.
export async function waitForAcknowledgements(kube: Kube, ns: string, pod: string, count: number): Promise<number> {
  const idleMs = timeout('exec')
  let seen = 0
  let lastProgress = Date.now()
  for (;;) {
    const now = lastAck(await readPodLog(kube, ns, pod, 20))
    if (now >= count) return now
    if (now > seen) [seen, lastProgress] = [now, Date.now()]
    if (Date.now() - lastProgress > idleMs) {
      throw new Error(`pod ${ns}/${pod} acknowledged ${seen} of ${count} records and no more for ${idleMs / 1000}s; its log ends:\n${await readPodLog(kube, ns, pod, 5)}`)
    }
    await pollPause(500)
  }
}
