/**
 * The way to send at a replay bound without losing anything: what the session refuses waits here, in order, and
 * goes out on the session's `drain`. Bounded: a client that sends and never reads cannot grow it for ever; past
 * the bound its session is closed (4000) with a reason rather than silently dropping replies.
 */
import { CloseCode } from '../protocol/close-codes.js';
import type { Session, SessionData } from './session.js';

/** Bytes (as JSON) one session's waiting replies may hold. */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024;
/** The same across every queue of the process. */
export const MAX_TOTAL_WAITING_BYTES = 256 * 1024 * 1024;

let totalWaiting = 0;

export class ReplyQueue {
  readonly #session: Session;
  readonly #waiting: { data: SessionData; bytes: number }[] = [];
  #head = 0;
  #bytes = 0;

  constructor(session: Session) {
    this.#session = session;
    session.on('drain', () => this.#flush());
  }

  /** Messages waiting for the session to take them. */
  get size(): number {
    return this.#waiting.length - this.#head;
  }

  /** Sends `data` now, or after everything that waits before it. */
  push(data: SessionData): void {
    const session = this.#session;
    if (session.closed) return;
    if (this.size === 0 && session.trySend(data) !== null) return;
    // Measured only on this slow path; the JSON length is close to what the frame will hold.
    const bytes = data instanceof Uint8Array ? data.byteLength : JSON.stringify(data).length;
    if (this.#bytes + bytes > MAX_WAITING_BYTES || totalWaiting + bytes > MAX_TOTAL_WAITING_BYTES) {
      this.clear();
      session.close(CloseCode.sessionClosed, 'the client is not reading its replies');
      return;
    }
    this.#waiting.push({ data, bytes });
    this.#bytes += bytes;
    totalWaiting += bytes;
  }

  /** Forgets what waits (the session ended). */
  clear(): void {
    totalWaiting -= this.#bytes;
    this.#bytes = 0;
    this.#waiting.length = 0;
    this.#head = 0;
  }

  #flush(): void {
    const session = this.#session;
    while (this.size > 0 && !session.closed) {
      const next = this.#waiting[this.#head]!;
      if (session.trySend(next.data) === null) break;
      this.#head++;
      this.#bytes -= next.bytes;
      totalWaiting -= next.bytes;
    }
    // Shifting one at a time would copy the array once per reply: drop the sent part in one go.
    this.#waiting.splice(0, this.#head);
    this.#head = 0;
  }
}
