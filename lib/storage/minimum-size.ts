// A class's minimum volume size, read from the provisioner's refusal of a claim
// smaller than it (GKE hyperdisk: 4 GiB; EBS io1/io2: 4 GiB; st1/sc1: 125 GiB).
// Drivers that do not round a request up refuse it with words like
//   "size must be at least 4Gi", "requested size 16Mi is less than the minimum 1Gi",
//   "InvalidParameterValue: The parameter Size must be at least 1 GiB",
//   "Disk size must be between 4 GiB and 65536 GiB".
// Cloud messages write GB and G for GiB: read as GiB, never less than meant.
import { claimSizeFor } from '../k8s/quantity.ts'

export { claimSizeFor, quantityOf } from '../k8s/quantity.ts'
import type { Capabilities } from './capabilities.ts'

// The least any claim of the suite asks for (the fixtures' 16Mi): the probe's claims ask that, so a
// class refusing any claim of the run for its size refuses a probe first and its minimum is learned.
// (Probed at 1Gi, a class whose minimum was 1Gi accepted every probe and refused the run's 100Mi claims.)
export const leastClaimSize = '16Mi'

const unitBytes: Record<string, number> = { '': 1, b: 1, byte: 1, bytes: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 }

const minimumPhrase = /\b(?:at least|(?:less|smaller) than(?: the)? min(?:imum)?(?: (?:size|volume size|disk size|capacity))?(?: of)?|min(?:imum)?(?: (?:volume |disk )?(?:size|capacity))?(?: (?:is|of|allowed|required))?|between)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(bytes?|[KMGTP](?:i?B|i)?|B)(?![a-z/]|ps)/i

// The minimum the message names, in bytes; undefined where it names none (a number
// without a unit is not taken: "at least 1 node" is no size; nor a rate: "at least 125 MiB/s").
export function minimumSizeIn(message: string | undefined): number | undefined {
  const m = minimumPhrase.exec(message ?? '')
  if (!m) return undefined
  const unit = m[2]!.toLowerCase()
  const scale = unitBytes[unit.startsWith('byte') ? unit : unit.replace(/i?b$/, '').replace(/i$/, '') || 'b']
  return scale === undefined ? undefined : Math.ceil(Number(m[1]) * scale)
}

// The least a claim of each class asks for in the run: the larger of the class's minimum
// (learned by the probe) and SC_MIN_CLAIM_SIZE. A claim naming no class gets the default
// class's; a static claim ("") none: it binds to a volume of the size it names.
export function claimMinimumOf(capabilities: Record<string, Pick<Capabilities, 'isDefault' | 'minimumSize'>>, minClaimSize?: string) {
  return (storageClass: string | undefined): string | undefined => {
    if (storageClass === '') return undefined
    const c = storageClass === undefined ? Object.values(capabilities).find((x) => x.isDefault) : capabilities[storageClass]
    const learned = c?.minimumSize?.size
    return learned === undefined ? minClaimSize : claimSizeFor(learned, minClaimSize)
  }
}
