// The instance's network: a LAN bridge in a namespace of its own, each node a
// network namespace on it, the host joined by one veth; pods routed between nodes.
import { existsSync } from 'node:fs'
import { net } from '../base/config.ts'
import { $, netnsPath } from '../base/sh.ts'
import type { NodeSpec } from '../base/shape.ts'

export const nsenter = (netns: string) => ['nsenter', `--net=${netnsPath(netns)}`, '--']

export function netnsExists(netns = controlPlaneNetns()): boolean {
  return existsSync(netnsPath(netns))
}
const controlPlaneNetns = () => net.netnsBase

// Every namespace of this instance, whatever shape made it.
export async function ourNetns(): Promise<string[]> {
  const listed = (await $`ip netns list`).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean)
  const ours = new RegExp(`^${net.netnsBase}(-lan|-worker\\d*)?$`)
  return listed.filter((n) => ours.test(n))
}

// The LAN: a bridge in a namespace of its own, so that traffic between nodes
// never passes the host's iptables. The host joins it with one veth.
export async function createNetwork(nodes: NodeSpec[]): Promise<void> {
  const lan = net.lanNetns
  await $`ip netns add ${lan}`
  await $`ip -n ${lan} link set lo up`
  await $`ip -n ${lan} link add ${net.lanBridge} type bridge`
  await $`ip -n ${lan} link set ${net.lanBridge} up`
  // Bridged frames skip iptables here (where the sysctl is per namespace): this namespace has no rules anyway.
  await $`${nsenter(lan)} sh -c ${'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e "$f" ] && echo 0 > "$f"; done; true'}`
  await $`ip link add ${net.hostIf} type veth peer name host netns ${lan}`
  await $`ip -n ${lan} link set host master ${net.lanBridge} up`
  await $`ip addr add ${net.hostIp}/${net.linkPrefix} dev ${net.hostIf}`
  await $`ip link set ${net.hostIf} up`
  await Promise.all(nodes.map(async (node) => {
    const port = `n${node.index}`
    await $`ip netns add ${node.netns}`
    await $`ip -n ${lan} link add ${port} type veth peer name ${net.nodeIf} netns ${node.netns}`
    await $`ip -n ${lan} link set ${port} master ${net.lanBridge} up`
    await $`ip -n ${node.netns} addr add ${node.ip}/${net.linkPrefix} dev ${net.nodeIf}`
    // A dual-stack node's IPv6 address, usable at once (no duplicate address detection on a LAN of our own).
    for (const ip6 of node.ips.slice(1)) await $`ip -n ${node.netns} addr add ${ip6}/${net.lan6Prefix} dev ${net.nodeIf} nodad`
    await $`ip -n ${node.netns} link set ${net.nodeIf} up`
    await $`ip -n ${node.netns} link set lo up`
    // No default route on purpose: nothing in the cluster can reach beyond this machine.
    // Service IPs need a route for the first lookup before kube-proxy's DNAT applies.
    await $`ip -n ${node.netns} route add ${net.serviceCidr} dev ${net.nodeIf}`
    if (node.ips.length > 1) await $`ip -n ${node.netns} route add ${net.serviceCidr6} dev ${net.nodeIf}`
    // Pods on other nodes: straight to their node over the LAN, in each family.
    for (const other of nodes.filter((o) => o !== node)) {
      for (const [i, cidr] of other.podCidrs.entries()) await $`ip -n ${node.netns} route add ${cidr} via ${other.ips[i]!} dev ${net.nodeIf}`
    }
    // These sysctls are per network namespace: the host's own settings stay as they are.
    await $`${nsenter(node.netns)} sh -c ${[
      'echo 1 > /proc/sys/net/ipv4/ip_forward',
      ...(node.ips.length > 1 ? ['echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'] : []),
      'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet',
      'for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables; do [ -e "$f" ] && echo 1 > "$f"; done; true',
    ].join('; ')}`
  }))
}

export async function deleteNetwork(): Promise<string[]> {
  const removed = await ourNetns()
  for (const n of removed) await $`ip netns delete ${n}`
  // The host end of the veth goes with its peer; make sure.
  await $({ nothrow: true })`ip link delete ${net.hostIf}`
  return removed
}

// Is the instance's link network free on this host (no other address or route in it)?
export async function linkNetworkInUse(): Promise<string | undefined> {
  const routes = (await $`ip -4 route show`).stdout.split('\n')
  const prefix = net.linkNet.split('.').slice(0, 3).join('.') + '.'
  return routes.find((r) => r.startsWith(prefix) && !r.includes(` dev ${net.hostIf} `))
}
