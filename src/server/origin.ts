/** Which browser origins may open a socket: secure by default (same host, and only hosts DNS cannot rebind). */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type OriginPolicy = string[] | ((origin: string | undefined, req: IncomingMessage) => boolean);

export function originAllowed(policy: OriginPolicy | undefined, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof policy === 'function') return policy(origin, req) === true;
  // Non-browser clients send no Origin; browsers always do, so CSWSH needs one that matches.
  if (origin === undefined) return true;
  if (Array.isArray(policy)) return policy.includes(origin) || policy.includes('*');
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.host === req.headers.host && rebindProof(url.hostname);
}

/**
 * A page on a domain name its owner pointed at this server (DNS rebinding) sends an Origin equal to the Host it
 * connects to, so same-host proves nothing for names. An IP literal cannot be rebound, and browsers resolve
 * `localhost` and `*.localhost` themselves; any other name must be listed in `allowedOrigins`.
 */
export function rebindProof(hostname: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0 || bare === 'localhost' || bare.endsWith('.localhost');
}
