/**
 * SHA-256 and constant-time comparison from Bun's native crypto rather than node:crypto, whose
 * module costs about 6 ms of every cold start while the bridge only hashes tokens and keys; and
 * FNV-1a, a fast non-cryptographic hash for spreading keys (never for secrets).
 */

/** SHA-256 of a UTF-8 string, as bytes. */
export const sha256 = (s: string): Buffer => new Bun.CryptoHasher('sha256').update(s, 'utf8').digest()

/** SHA-256 of a UTF-8 string, encoded. */
export const sha256Text = (s: string, encoding: 'hex' | 'base64' | 'base64url'): string => new Bun.CryptoHasher('sha256').update(s, 'utf8').digest(encoding)

/** Compares two equal-length digests in constant time. */
export const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => (crypto as unknown as { timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean }).timingSafeEqual(a, b)

/**
 * FNV-1a (32 bit) of the UTF-16 code units of `s` from index `from` on: stable across processes,
 * versions and platforms (NATS partitions depend on it), and cheap enough for a per-call lookup.
 */
export function fnv1a(s: string, from = 0): number {
  let h = 0x811c9dc5
  for (let i = from; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
