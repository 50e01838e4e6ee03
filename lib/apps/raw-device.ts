// A raw Block device as a pod finds it (the capability probe and SC-07): is it
// a block device, which group owns it (read with stat, never assumed: root:disk
// is gid 6 on Debian and RHEL, other groups elsewhere, and containerd's
// device_ownership_from_security_context hands it to the pod's own ids), and
// can the pod open it and read its first 4 KiB block.

export interface RawDeviceAccess {
  block: boolean
  // The device's group and octal mode, from stat -c '%g %a'; undefined when stat failed.
  group?: number
  mode?: string
  read: 'ok' | 'denied' | 'failed'
  // dd's first line of complaint, when the read failed.
  error?: string
  // The pod's own groups (id -G).
  groups: number[]
}

// The in-pod shell script: one "key: value" line each, read by parseRawDeviceAccess.
export function rawDeviceAccessScript(device: string): string {
  const d = `'${device.replace(/'/g, `'\\''`)}'`
  return [
    `if [ -b ${d} ]; then echo 'block: yes'; else echo 'block: no'; fi`,
    `echo "stat: $(stat -c '%g %a' ${d} 2>&1 | head -n 1)"`,
    `if e=$(dd if=${d} of=/dev/null bs=4096 count=1 2>&1); then echo 'read: ok'; else echo "read: $(printf '%s' "$e" | head -n 1)"; fi`,
    'echo "groups: $(id -G)"',
  ].join('\n')
}

const deniedWords = /Permission denied|Operation not permitted/i

// The script's report; undefined when the text is not one (a pod that ended without writing it).
export function parseRawDeviceAccess(out: string): RawDeviceAccess | undefined {
  const lines = new Map(out.split('\n').map((l) => l.match(/^(block|stat|read|groups): ?(.*)$/)).filter((m) => !!m).map((m) => [m[1]!, m[2]!.trim()]))
  if (!lines.has('block') || !lines.has('read')) return undefined
  const stat = (lines.get('stat') ?? '').match(/^(\d+) ([0-7]+)$/)
  const read = lines.get('read')!
  return {
    block: lines.get('block') === 'yes',
    ...(stat ? { group: Number(stat[1]), mode: stat[2] } : {}),
    read: read === 'ok' ? 'ok' : deniedWords.test(read) ? 'denied' : 'failed',
    ...(read === 'ok' ? {} : { error: read }),
    groups: (lines.get('groups') ?? '').split(/\s+/).filter((g) => /^\d+$/.test(g)).map(Number),
  }
}

// The group a pod must join (supplementalGroups) to open the device: the
// device's own, when the read was denied and the pod is not in it yet.
export function groupToJoin(a: RawDeviceAccess): number | undefined {
  if (a.read !== 'denied' || a.group === undefined || a.groups.includes(a.group)) return undefined
  return a.group
}

// "block device, group 6, mode 660, read ok" — for messages and the capability table.
export function describeRawDeviceAccess(a: RawDeviceAccess): string {
  return [
    a.block ? 'block device' : 'not a block device',
    a.group === undefined ? 'group unknown (stat failed)' : `group ${a.group}, mode ${a.mode}`,
    a.read === 'ok' ? 'a 4 KiB block read' : `not read (${a.error})`,
    `the pod's groups ${a.groups.join(' ') || 'unknown'}`,
  ].join(', ')
}

// SC-07's check that the pod has a raw device it can read; the failure says what it found.
export function rawDeviceProblem(a: RawDeviceAccess, where: string): string | undefined {
  if (a.block && a.read === 'ok') return undefined
  return `${where}: expected a block device the pod can read, found: ${describeRawDeviceAccess(a)}`
}
