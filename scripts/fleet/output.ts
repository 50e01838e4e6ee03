// A child's output as the fleet handles it: split into lines as it arrives, printed with the
// cluster's label, its last lines kept, and from those, why a run ended without its report.
import { stripVTControlCharacters } from 'node:util'

export interface OutputLine {
  stream: 'out' | 'err'
  text: string
}

// Feeds whole lines to onLine as chunks arrive; flush() hands over a last line without its newline.
export function lineSplitter(onLine: (text: string) => void): { push: (chunk: Buffer | string) => void; flush: () => void } {
  let rest = ''
  return {
    push(chunk) {
      const lines = (rest + chunk.toString()).split(/\r?\n/)
      rest = lines.pop()!
      for (const line of lines) onLine(line)
    },
    flush() {
      if (rest) onLine(rest)
      rest = ''
    },
  }
}

// The last lines of a child's output, without colours, for the reason a run ended early.
export function outputTail(keep = 60): { add: (line: OutputLine) => void; lines: () => OutputLine[] } {
  const lines: OutputLine[] = []
  return {
    add(line) {
      const text = stripVTControlCharacters(line.text).trimEnd()
      if (!text.trim()) return
      lines.push({ stream: line.stream, text })
      if (lines.length > keep) lines.shift()
    },
    lines: () => [...lines],
  }
}

const prefix = 'stateful-conformance: '
const stackFrame = /^\s+at\s|^\s*[❯⎯]|^\s*\d+\s*\|/
const longest = 500

// Global setup ends a bad setup with one line on stderr, "stateful-conformance: <why>" (lib/harness/
// global-setup.ts), and exits 2: that line is the reason. Otherwise the last error lines on stderr
// (vitest's own, a crash), without stack frames; or, with none, the last lines of all.
export function failureReason(tail: OutputLine[]): string {
  const errors = tail.filter((l) => l.stream === 'err')
  const setup = errors.findLast((l) => l.text.startsWith(prefix))
  const cut = (s: string) => (s.length > longest ? `${s.slice(0, longest)}…` : s)
  if (setup) return cut(setup.text.slice(prefix.length).trim())
  const last = (lines: OutputLine[]) => lines.filter((l) => !stackFrame.test(l.text)).slice(-3).map((l) => l.text.trim())
  const said = last(errors.filter((l) => /error|fail|refus|denied|cannot|unable/i.test(l.text)))
  const lines = said.length ? said : last(errors.length ? errors : tail)
  return lines.length ? cut(lines.join(' | ')) : 'it printed nothing'
}

// A run's global setup says this when Ctrl-C starts its clean-up (installSignalCleanup); it installs
// that only once its setup is done, so a run stopped earlier never says it.
export const startedItsCleanUp = (tail: OutputLine[]) => tail.some((l) => /^stateful-conformance: SIG[A-Z]+: removing what run \S+ made/.test(l.text))

// "[prod-eu] " with the labels padded to one width, so that the clusters' lines align.
export const labelPrefix = (label: string, width: number) => `[${label}]${' '.repeat(Math.max(0, width - label.length))} `
