// The images the specs use, by their usual upstream names (the embedded
// cluster imports them under the same names). Air-gapped clusters override
// them: SC_IMAGE_REGISTRY moves all to a mirror, SC_IMAGE_<NAME> replaces one.
import type { ImageOverrides } from '../options/options.ts'

export const upstreamImages = {
  podinfo: 'ghcr.io/stefanprodan/podinfo:6.7.0',
  // The release the update claims start from: the Go module proxy serves only
  // 6.7.0 and 6.9.2 of podinfo, so the rollout goes from 6.9.2 to 6.7.0.
  podinfo_previous: 'ghcr.io/stefanprodan/podinfo:6.9.2',
  busybox: 'docker.io/library/busybox:1.35.0',
  // SC-10's fio: the image kubestr itself runs its fio benchmarks in (Alpine
  // 3.19 with Alpine's fio package, sh and sleep from busybox), published by
  // Kasten from the kubestr repository for amd64, arm64 and ppc64le, pinned to
  // a release tag. Teams validating storage often have it mirrored already.
  fio: 'ghcr.io/kastenhq/kubestr:v0.4.49',
} as const
export type ImageName = keyof typeof upstreamImages

export function moveToRegistry(image: string, registry: string): string {
  const [first, ...rest] = image.split('/')
  // "busybox:1" has no registry part; "ghcr.io/x/y" does (a dot, a colon or localhost in the first part).
  const hasRegistry = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost')
  return `${registry}/${hasRegistry ? rest.join('/') : image}`
}

export function resolveImages(o: ImageOverrides): Record<ImageName, string> {
  const out = {} as Record<ImageName, string>
  for (const [name, image] of Object.entries(upstreamImages) as [ImageName, string][]) {
    out[name] = o.byName[name] ?? (o.registry ? moveToRegistry(image, o.registry) : image)
  }
  return out
}

// Rewrites every upstream image reference in a manifest to the one in use.
export function rewriteImages(text: string, images: Record<ImageName, string>): string {
  let out = text
  for (const [name, image] of Object.entries(upstreamImages) as [ImageName, string][]) {
    if (images[name] !== image) out = out.replaceAll(image, images[name])
  }
  return out
}
