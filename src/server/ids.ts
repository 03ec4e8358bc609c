/** Session IDs and resume tokens: random, unguessable, compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 bits: an ID may appear in attributes and logs, so it only needs to be unguessable. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** 256 bits: the secret that proves a client owns a session; rotated on every resume. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
