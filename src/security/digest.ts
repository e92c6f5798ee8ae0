/**
 * SHA-256 and constant-time comparison from Bun's native crypto rather than node:crypto, whose
 * module costs about 6 ms of every cold start while the bridge only hashes tokens and keys.
 */

/** SHA-256 of a UTF-8 string, as bytes. */
export const sha256 = (s: string): Buffer => new Bun.CryptoHasher('sha256').update(s, 'utf8').digest()

/** SHA-256 of a UTF-8 string, encoded. */
export const sha256Text = (s: string, encoding: 'hex' | 'base64' | 'base64url'): string => new Bun.CryptoHasher('sha256').update(s, 'utf8').digest(encoding)

/** Compares two equal-length digests in constant time. */
export const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => (crypto as unknown as { timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean }).timingSafeEqual(a, b)
