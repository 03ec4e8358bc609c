/**
 * What a wrong resume token costs its sender. The right token always resumes, however many wrong ones came first
 * (session IDs are not secret and addresses are shared behind NATs and carriers, so a lockout would hand anyone
 * who shares an owner's address the power to end the owner's session). A 256-bit token cannot be guessed; the
 * limit only makes guessing slow: past `maxPerMinute` wrong tokens for one session from one address, each further
 * wrong answer is held back for `delayMs`, which ties up one of that address's few sockets per guess.
 */
const WINDOW_MS = 60_000;
/** Keys remembered at most; the oldest go first, so a flood of keys cannot grow memory. */
const MAX_KEYS = 10_000;

export class TokenLimiter {
  readonly #maxPerMinute: number;
  readonly #delayMs: number;
  readonly #now: () => number;
  readonly #counts = new Map<string, { count: number; since: number }>();

  constructor(maxPerMinute: number, delayMs: number, now: () => number = Date.now) {
    this.#maxPerMinute = maxPerMinute;
    this.#delayMs = delayMs;
    this.#now = now;
  }

  /** Counts a wrong token for `address` and `sid`; returns how long to hold the answer back (0 within the limit). */
  wrong(address: string, sid: string): number {
    const key = `${address} ${sid}`;
    const now = this.#now();
    let entry = this.#counts.get(key);
    if (!entry || now - entry.since > WINDOW_MS) {
      this.#counts.delete(key);
      entry = { count: 0, since: now };
      this.#counts.set(key, entry);
      if (this.#counts.size > MAX_KEYS) this.#counts.delete(this.#counts.keys().next().value!);
    }
    entry.count++;
    return entry.count > this.#maxPerMinute ? this.#delayMs : 0;
  }

  /** Keys held (for tests of the bound). */
  get size(): number {
    return this.#counts.size;
  }
}
