/**
 * The bound on sockets held at once, across all addresses, so the process stays under its descriptor limit
 * (EMFILE would fail accepts, file reads and Redis reconnects alike). At the bound the oldest socket that never
 * said hello makes room: it does nothing for anyone, while a socket with a session is someone's page.
 */
import { readFileSync } from 'node:fs';
import type { WebSocket } from 'ws';

export class ConnectionGate {
  readonly max: number;
  readonly #open = new Set<WebSocket>();
  /** Insertion order is age: the first is the one that has waited longest without a hello. */
  readonly #silent = new Set<WebSocket>();

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Whether one more socket may come in; at the bound it cuts the oldest silent socket to make room. */
  admit(): boolean {
    if (this.#open.size < this.max) return true;
    const oldest = this.#silent.values().next().value;
    if (!oldest) return false;
    this.#forget(oldest);
    oldest.terminate();
    return true;
  }

  opened(ws: WebSocket): void {
    this.#open.add(ws);
    this.#silent.add(ws);
    ws.once('close', () => this.#forget(ws));
  }

  saidHello(ws: WebSocket): void {
    this.#silent.delete(ws);
  }

  #forget(ws: WebSocket): void {
    this.#open.delete(ws);
    this.#silent.delete(ws);
  }
}

/** The process's soft limit on open descriptors (Linux); null where it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!line) return null;
    return line[1] === 'unlimited' ? Infinity : Number(line[1]);
  } catch {
    return null;
  }
}

/**
 * Four fifths of the descriptor limit: the rest is for connections before their upgrade, the store, files and
 * logs. Capped at 100,000 (each socket costs memory too); 8,000 where the limit cannot be read.
 */
export function defaultMaxConnections(limit: number | null = openFileLimit()): number {
  if (limit === null) return 8000;
  return Math.max(16, Math.min(100_000, Math.floor(limit * 0.8)));
}
