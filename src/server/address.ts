/** The client address every per-address limit counts by, and the counters themselves. */
import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * `trustProxy`: 0 = the socket's address; N = the Nth address from the right of X-Forwarded-For (the one the
 * outermost trusted proxy saw); Infinity = the leftmost. An IPv6 address counts by its /64: one host holds them all.
 */
export function clientAddress(req: IncomingMessage, trustProxy: number): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  const header = req.headers['x-forwarded-for'];
  if (trustProxy > 0 && typeof header === 'string' && header.length <= 4096) {
    const hops = header
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h.length > 0);
    const pick = trustProxy === Infinity ? hops[0] : hops[Math.max(0, hops.length - trustProxy)];
    if (pick) address = pick;
  }
  return addressKey(address);
}

export function addressKey(address: string): string {
  const bare = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!isIPv6(bare)) return bare.slice(0, 64);
  const groups = expandIPv6(bare);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : bare;
}

function expandIPv6(address: string): string[] | null {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (right.some((g) => g.includes('.')) || left.some((g) => g.includes('.'))) return null;
  const missing = 8 - left.length - right.length;
  if (missing < 0) return null;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** Counts per address, forgetting an address at zero so the map holds only addresses with something open. */
export class AddressCounter {
  readonly #counts = new Map<string, number>();

  get(address: string): number {
    return this.#counts.get(address) ?? 0;
  }

  add(address: string): void {
    this.#counts.set(address, this.get(address) + 1);
  }

  remove(address: string): void {
    const n = this.get(address) - 1;
    if (n > 0) this.#counts.set(address, n);
    else this.#counts.delete(address);
  }

  get size(): number {
    return this.#counts.size;
  }
}
