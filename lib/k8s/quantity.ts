// Kubernetes resource quantities ("20Mi", "1Gi", "1.5G", "20971520") as
// bytes, so that a capacity can be compared with a request: 20Mi = 20971520.
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
const decimal: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }

export function bytesOf(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(m|k|M|G|T|P|E)?)$/.exec(quantity.trim())
  if (!m) throw new Error(`not a Kubernetes quantity: "${quantity}"`)
  const [, number, bin, exponent, dec] = m
  const value = Number(number)
  if (bin) return value * binary[bin]!
  if (exponent) return value * 10 ** Number(exponent.slice(1))
  return value * decimal[dec ?? '']!
}

// "1Gi (1073741824 bytes)": what a message shows of a quantity.
export const describeQuantity = (quantity: string | number | undefined) =>
  quantity === undefined ? 'none' : `${quantity} (${bytesOf(quantity)} bytes)`

// A request for at least `bytes`: "4Gi", or whole Mi above it ("1536Mi").
export function quantityOf(bytes: number): string {
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}Gi`
  return `${Math.ceil(bytes / 2 ** 20)}Mi`
}

// What a claim asks of a class with a minimum: the larger of the two. The data a
// claim writes stays what it needs; only the request grows.
export function claimSizeFor(requested: string, minimum: string | undefined): string {
  return minimum !== undefined && bytesOf(minimum) > bytesOf(requested) ? minimum : requested
}
