// A deadline that ends a step which stopped making progress, not one that is
// slow: every sign of progress (new exec output, a wait's view that changed)
// restarts the idle limit; a cap bounds the whole, so that nothing that keeps
// changing without ever arriving runs forever.

export interface Expiry {
  // 'idle': no progress for idleMs; 'cap': still progressing when capMs ran out.
  kind: 'idle' | 'cap'
  idleMs: number
  capMs: number
  elapsedMs: number
  // The last progress seen, and how long before the expiry (none: only the start).
  last?: string
  sinceLastMs: number
}

export interface ProgressDeadline {
  // Progress: the idle limit starts again. `what` is kept to say what the last progress was.
  touch(what?: string): void
  stop(): void
  // How long since the last progress (or the start), and what it was.
  last(): { what?: string; agoMs: number }
}

// onExpire runs once, unless stop() came first. One timer at a time: it is
// re-armed for the rest of the idle limit when it fires early, so a touch costs no timer.
export function progressDeadline(o: { idleMs: number; capMs: number; onExpire: (e: Expiry) => void }): ProgressDeadline {
  const started = Date.now()
  let lastAt = started
  let lastWhat: string | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const capMs = Math.max(o.capMs, o.idleMs)
  const check = () => {
    timer = undefined
    const now = Date.now()
    const elapsedMs = now - started
    const sinceLastMs = now - lastAt
    if (elapsedMs >= capMs || sinceLastMs >= o.idleMs) {
      o.onExpire({ kind: sinceLastMs >= o.idleMs ? 'idle' : 'cap', idleMs: o.idleMs, capMs, elapsedMs, last: lastWhat, sinceLastMs })
      return
    }
    timer = setTimeout(check, Math.min(o.idleMs - sinceLastMs, capMs - elapsedMs))
  }
  timer = setTimeout(check, Math.min(o.idleMs, capMs))
  return {
    touch(what) {
      lastAt = Date.now()
      if (what !== undefined) lastWhat = what
    },
    stop() {
      clearTimeout(timer)
      timer = undefined
    },
    last: () => ({ what: lastWhat, agoMs: Date.now() - lastAt }),
  }
}

const s = (ms: number) => `${Math.round(ms / 1000)}s`

// "no progress for 30s (last: 'HTTP/1.1 200 OK', 31s ago)", or "still changing after 300s, the cap (last change 2s ago: …)".
export function describeExpiry(e: Expiry, progressWord = 'progress'): string {
  const last = e.last === undefined ? `no ${progressWord} since the start` : `last ${progressWord} ${s(e.sinceLastMs)} ago: ${e.last}`
  return e.kind === 'idle'
    ? `no ${progressWord} for ${s(e.sinceLastMs)} (the limit is ${s(e.idleMs)} without ${progressWord}); ${last}`
    : `still not done after ${s(e.elapsedMs)}, its cap (${s(e.capMs)}), though never idle that long; ${last}`
}
