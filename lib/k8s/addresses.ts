// IP addresses compared per family, so that a check holds on IPv4, IPv6 and
// dual-stack clusters alike: a dual-stack pod has an address of each family,
// and a DNS answer lists both (A and AAAA records).
import { isIP } from 'node:net'

export type Family = 'IPv4' | 'IPv6'

export function familyOf(address: string): Family | undefined {
  const v = isIP(address)
  return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined
}

// The addresses of the given families, told by their syntax (a Service's spec.ipFamilies: a
// single-stack Service on a dual-stack cluster holds one address of each pod, not both).
// No families known: all of them.
export function ofFamilies(addresses: string[], families: readonly string[] | undefined): string[] {
  return families?.length ? addresses.filter((a) => families.includes(familyOf(a) ?? '')) : addresses
}

export const isIpAddress = (text: string | undefined): boolean => !!text && familyOf(text) !== undefined

// The same address may be written differently in IPv6 (fd00::0:1, fd00::1).
export function normalizeAddress(address: string): string {
  if (familyOf(address) !== 'IPv6') return address
  const [head = '', tail = ''] = address.toLowerCase().split('::')
  const parts = (s: string) => (s ? s.split(':') : [])
  const h = parts(head)
  const t = parts(tail)
  const full = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  return full.map((g) => Number.parseInt(g, 16).toString(16)).join(':')
}

// The addresses of each family as written, sorted; compare them with sameFamilyAddresses.
export function byFamily(addresses: string[]): Record<Family, string[]> {
  const out: Record<Family, string[]> = { IPv4: [], IPv6: [] }
  for (const a of addresses) {
    const f = familyOf(a)
    if (f) out[f].push(a)
  }
  const key = (a: string) => normalizeAddress(a)
  out.IPv4.sort((x, y) => key(x).localeCompare(key(y)))
  out.IPv6.sort((x, y) => key(x).localeCompare(key(y)))
  return out
}

const sameFamilyAddresses = (a: string[], b: string[]) =>
  a.length === b.length && a.map(normalizeAddress).sort().join() === b.map(normalizeAddress).sort().join()

// Where two address lists differ, family by family ("IPv6: answered fd00::5, expected fd00::7"),
// or undefined when they hold the same addresses.
export function addressDifference(answered: string[], expected: string[]): string | undefined {
  const a = byFamily(answered)
  const e = byFamily(expected)
  const diffs = (['IPv4', 'IPv6'] as const).filter((f) => !sameFamilyAddresses(a[f], e[f]))
    .map((f) => `${f}: answered ${a[f].join(', ') || 'none'}, expected ${e[f].join(', ') || 'none'}`)
  return diffs.length ? diffs.join('; ') : undefined
}

// An address as the host of a URL: IPv6 in brackets ("http://[fd00::5]:8080/").
export const urlHost = (address: string): string => (familyOf(address) === 'IPv6' ? `[${address}]` : address)

// Whether an answer includes one of the expected addresses (a resolver that prints only one).
export const includesAny = (answered: string[], expected: string[]): boolean => {
  const want = new Set(expected.map(normalizeAddress))
  return answered.some((a) => want.has(normalizeAddress(a)))
}
