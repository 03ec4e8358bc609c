/** The sessions this process holds: by ID, counted per client address, and the IDs it expired lately. */
import { CloseCode } from '../protocol/close-codes.js';
import { AddressCounter } from './address.js';
import type { Session } from './session.js';

/** Expired IDs remembered; past it the oldest are forgotten (their late clients hear "unknown"). */
const EXPIRED_MEMORY = 10_000;

export class SessionRegistry {
  readonly maxSessions: number;
  readonly #sessions = new Map<string, Session>();
  readonly #byAddress = new AddressCounter();
  /** Recently expired IDs, so a late client hears "expired" rather than "unknown". */
  readonly #expired = new Set<string>();

  constructor(maxSessions: number) {
    this.maxSessions = maxSessions;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  values(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /** Whether `pending` more sessions (resumes on their way to adopting one) would leave no room for another. */
  full(pending = 0): boolean {
    return this.#sessions.size + pending >= this.maxSessions;
  }

  /** Sessions created by (or read back for) `address`. */
  countAt(address: string): number {
    return this.#byAddress.get(address);
  }

  add(session: Session): void {
    this.#sessions.set(session.id, session);
    this.#byAddress.add(session.address);
  }

  /** Removes `session` if it is still the one held under its ID (a newer copy may have replaced it). */
  forget(session: Session): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    this.#byAddress.remove(session.address);
    this.#expired.add(session.id);
    if (this.#expired.size > EXPIRED_MEMORY) this.#expired.delete(this.#expired.values().next().value!);
  }

  /** Ends every session of `user` (close 4000, `signed out`); returns how many. */
  signOut(user: string): number {
    let ended = 0;
    for (const session of [...this.#sessions.values()]) {
      if (session.user !== user) continue;
      session.close(CloseCode.sessionClosed, 'signed out');
      ended++;
    }
    return ended;
  }

  wasExpired(id: string): boolean {
    return this.#expired.has(id);
  }
}
