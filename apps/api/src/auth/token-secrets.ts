// Minting and checking token secrets. A token is `sf1_<id>_<secret>` with 64 random bits of
// id and 256 of secret; the database keeps SHA-256(secret). Comparisons are constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface MintedToken {
  id: string;
  token: string;
  secretSha256: Buffer;
}

export const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function mintToken(): MintedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `sf1_${id}_${secret}`, secretSha256: sha256(secret) };
}

/** True when SHA-256(presented) equals `expected`, in time independent of where they differ. */
export function secretMatches(presented: string, expected: Buffer): boolean {
  const h = sha256(presented);
  return h.length === expected.length && timingSafeEqual(h, expected);
}
