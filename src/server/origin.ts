/** Which browser origins may open a socket: secure by default (same host only). */
import type { IncomingMessage } from 'node:http';

export type OriginPolicy = string[] | ((origin: string | undefined, req: IncomingMessage) => boolean);

export function originAllowed(policy: OriginPolicy | undefined, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof policy === 'function') return policy(origin, req);
  // Non-browser clients send no Origin; browsers always do, so CSWSH needs one that matches.
  if (origin === undefined) return true;
  if (Array.isArray(policy)) return policy.includes(origin) || policy.includes('*');
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
