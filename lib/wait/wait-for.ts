// The one wait every other is built on. Waits are watches: they say what they wait for, show what they currently
// see while waiting, and throw with the last observed state on timeout. The timeout ends a wait that sees no
// progress (what `describe` says stays the same) for its named, scaled length; a wait that keeps seeing changes
// goes on, up to three times that.
import type { KubernetesObject } from '@kubernetes/client-node'
import { describeExpiry, progressDeadline } from '../k8s/deadline.ts'
import type { Kube } from '../k8s/kube.ts'
import { onClaimStopped, progress } from '../k8s/claim-context.ts'
import { timeout as namedTimeout, type TimeoutName } from '../k8s/timeouts.ts'
import type { Query, Resource } from '../k8s/watch.ts'
import { watchObjectSet } from './object-set.ts'
import type { WaitScope } from './stall-signs.ts'
import { describeStall, guardAgainstStalls, type Stall, stallConcerns } from './stalls.ts'

export class WaitTimeout extends Error {
  override name = 'WaitTimeout'
}

// A wait given up before its timeout: the component that should act does not (stalls.ts).
export class ComponentNotActing extends WaitTimeout {
  override name = 'ComponentNotActing'
  constructor(what: string, stall: Stall) {
    super(`gave up waiting for ${what}: ${describeStall(stall)}`)
  }
}

// Where a wait looks: the kube, the namespace, and what it watches there.
type StallScope = WaitScope & { kube: Kube; namespace?: string }

// While a wait on objects of a namespace runs, the namespace is checked for a component
// that does not act on what the wait watches.
export function stallGuard(scope: StallScope | undefined, what: string, fail: (err: Error) => void): () => void {
  if (!scope?.namespace) return () => {}
  return guardAgainstStalls(scope.kube, scope.namespace, stallConcerns(scope), ([stall]) => {
    progress(`${what}: ${describeStall(stall!)}`)
    fail(new ComponentNotActing(what, stall!))
    return false
  })
}

const nameIn = (fieldSelector: string | undefined) => /(?:^|,)metadata\.name=([^,]+)/.exec(fieldSelector ?? '')?.[1]

export interface WaitSpec<T, R> {
  what: string
  timeout: TimeoutName
  resource: Resource
  query: Query
  // Evaluated on every change; a value other than undefined/false ends the wait.
  until: (objects: T[]) => R | undefined | false
  describe: (objects: T[]) => string
  // What, if anything, now waits for room on the nodes (a pod the scheduler leaves Pending for want of
  // cpu, memory or pod slots). Such a pod waits its turn behind the run's other claims, which the run's
  // gate backs off for: it is not stuck, so the idle limit does not run while it waits; the cap still does.
  waitingForRoom?: (objects: T[]) => string | undefined
}

// A wait on the one object of that name: until `until` holds for it. `describe`
// says what it currently is; `absent`, what the wait says while there is none.
export interface NamedWaitSpec<T> {
  what: string
  timeout: TimeoutName
  resource: Resource
  namespace?: string
  name: string
  until: (object: T) => boolean
  describe: (object: T) => string
  absent: string
  // The object is known to exist (the caller just acted on it): its absence is an outcome, not "not yet".
  absentIsFinal?: boolean
  waitingForRoom?: (object: T) => string | undefined
}

export function waitForNamed<T extends KubernetesObject>(kube: Kube, spec: NamedWaitSpec<T>): Promise<T> {
  return waitFor<T, T>(kube, {
    what: spec.what, timeout: spec.timeout, resource: spec.resource,
    query: { namespace: spec.namespace, fieldSelector: `metadata.name=${spec.name}` },
    until: ([o]) => {
      if (!o && spec.absentIsFinal) throw new Error(`${spec.what}: ${spec.absent}; it is gone, so it never will`)
      return o && spec.until(o) ? o : undefined
    },
    describe: ([o]) => (o ? spec.describe(o) : spec.absent),
    waitingForRoom: spec.waitingForRoom && (([o]) => (o ? spec.waitingForRoom!(o) : undefined)),
  })
}

// A wait that still sees changes is not stuck: it may outlast its named timeout up to this many times.
export const waitCapFactor = 3

export function waitFor<T extends KubernetesObject, R>(kube: Kube, spec: WaitSpec<T, R>): Promise<R> {
  const limit = namedTimeout(spec.timeout)
  const started = Date.now()
  let seenObjects: T[] = []
  const objects = () => seenObjects
  progress(`waiting for ${spec.what} (up to ${limit / 1000}s without a change, ${(waitCapFactor * limit) / 1000}s in all; ${spec.timeout})`)

  return new Promise<R>((resolve, reject) => {
    let finished = false
    let stop: (() => void) | undefined
    let unlisten: (() => void) | undefined
    const finish = (err: Error | undefined, value?: R) => {
      if (finished) return
      finished = true
      deadline.stop()
      clearInterval(heartbeat)
      unguard()
      unlisten?.()
      stop?.()
      if (err) reject(err)
      else resolve(value as R)
    }
    // The first view is where the wait starts; every later change of it is progress.
    let seen: string | undefined
    const evaluate = () => {
      try {
        const now = spec.describe(objects())
        if (seen !== undefined && now !== seen) deadline.touch(now)
        seen = now
        const r = spec.until(objects())
        if (r !== undefined && r !== false) finish(undefined, r)
      } catch (err) {
        finish(err as Error)
      }
    }
    const deadline = progressDeadline({
      idleMs: limit, capMs: waitCapFactor * limit,
      onExpire: (e) => finish(new WaitTimeout(`timed out waiting for ${spec.what}: ${describeExpiry(e, 'change')} (${spec.timeout})\nlast observed: ${spec.describe(objects())}`)),
    })
    const heartbeat = setInterval(() => {
      const room = spec.waitingForRoom?.(objects())
      const last = deadline.last()
      const pace = room ? `waiting for room on the nodes, which does not count against the ${limit / 1000}s allowed without a change; ${(waitCapFactor * limit) / 1000}s in all`
        : `${last.what === undefined ? 'no change yet' : `last change ${Math.round(last.agoMs / 1000)}s ago`}, ${limit / 1000}s allowed without one`
      progress(`… still waiting for ${spec.what} (${Math.round((Date.now() - started) / 1000)}s; ${pace}): ${spec.describe(objects())}`)
      if (room) deadline.touch(room)
    }, 10_000)
    const unguard = stallGuard({ kube, namespace: spec.query.namespace, kind: spec.resource.kind, name: nameIn(spec.query.fieldSelector), labelSelector: spec.query.labelSelector }, spec.what, finish)
    // The claim stopped (its test timed out, the run was interrupted): the wait ends at once, saying what it last saw.
    unlisten = onClaimStopped((e) => finish(new Error(`stopped waiting for ${spec.what}: ${e.message}\nlast observed: ${spec.describe(objects())}`, { cause: e })))
    if (finished) return
    stop = watchObjectSet<T>(kube, spec.resource, spec.query, {
      onChange: (now) => {
        seenObjects = now
        evaluate()
      },
      onError: (err) => finish(err),
    })
    if (finished) stop() // decided on the first list, before the watch's stop was known
  })
}
