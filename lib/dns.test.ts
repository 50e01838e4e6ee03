import { expect, test } from 'vitest'
import { parseNslookup } from './dns.ts'

test('reads the answers after the Name line, not the server address', () => {
  const out = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb-0.web.ns.svc.cluster.local\nAddress: 10.244.0.7\n'
  expect(parseNslookup(out, 0)).toMatchObject({ status: 'ok', addresses: ['10.244.0.7'] })
})

test('reads several answers and the older "Address 1:" form', () => {
  const out = 'Server: 10.96.0.10\nAddress 1: 10.96.0.10 kube-dns\n\nName: web\nAddress 1: 10.244.0.9 web-1\nAddress 2: 10.244.0.8 web-0\n'
  expect(parseNslookup(out, 0)).toMatchObject({ status: 'ok', addresses: ['10.244.0.8', '10.244.0.9'] })
})

test('NXDOMAIN is its own status', () => {
  const out = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web-1.web: NXDOMAIN\n"
  expect(parseNslookup(out, 1).status).toBe('nxdomain')
})

test('no answer at all is an error, not a success', () => {
  expect(parseNslookup(';; connection timed out; no servers could be reached\n', 1).status).toBe('error')
})
