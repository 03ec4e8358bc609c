/**
 * When the next attempt comes: the attempt counter, the delays with their jitter, the maximum,
 * the server's retry hints and the attempt a manual retry leaves owed. It arms no timer and
 * reads the clock only through `now`, so the client keeps the one timer and the status, and
 * tests can walk the schedule without waiting.
 */
import { CloseCode, isRetryCode, parseRetryHint, type RetryHint } from '../protocol/close-codes.js';
import type { ClientConfig } from '../config.js';
import { baseDelay, hintDelay, withJitter } from './backoff.js';

export type ScheduleConfig = Pick<ClientConfig, 'delays' | 'jitter' | 'maxAttempts'>;

export interface ScheduleClock {
  now(): number;
  random(): number;
}

export class ReconnectSchedule {
  readonly #clock: ScheduleClock;

  #attempt = 0;
  #delayMs: number | null = null;
  #nextAttemptAt: number | null = null;
  /** Before this time (epoch ms) the server asked not to come back; wake-ups wait for it, retryNow() does not. */
  #hintUntil: number | null = null;
  #hintDelayMs = 0;
  /** Deadline of the automatic attempt the schedule owes; a manual attempt (retryNow, a wake-up) leaves it be. */
  #owedAt: number | null = null;
  #owedHintUntil: number | null = null;
  /** The socket in flight is a manual attempt made while an automatic one was owed. */
  #manual = false;
  /** The server's `retry` frame on the current socket, for the close that follows it. */
  #retryHint: RetryHint | null = null;
  #retryCode: number = CloseCode.serviceRestart;
  /**
   * Protocol closes (1002, or a gap the client saw) since the server last acknowledged a message of
   * ours: a protocol bug would otherwise open, break and resume forever.
   */
  #strikes = 0;

  constructor(clock: ScheduleClock) {
    this.#clock = clock;
  }

  /** Number of the current or next attempt; 0 outside a reconnect cycle. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Epoch ms of the next attempt; null while none is scheduled. */
  get nextAttemptAt(): number | null {
    return this.#nextAttemptAt;
  }

  /** The wait before the next attempt, while one is scheduled. */
  get delayMs(): number | null {
    return this.#nextAttemptAt === null ? null : this.#delayMs;
  }

  /** A fresh cycle (`connect()`, or a retry after `failed`): nothing counted, nothing owed. */
  restart(): void {
    this.#attempt = 0;
    this.#strikes = 0;
    this.#owedAt = null;
  }

  /** Counting starts again without forgetting protocol strikes (a new URL, back from the cache). */
  resetAttempts(): void {
    this.#attempt = 0;
  }

  /** No attempt is scheduled any more: one starts now, or the wait is paused or stopped. */
  cancel(): void {
    this.#nextAttemptAt = null;
  }

  /** A socket is being opened; `manual` (a retry or a wake-up) must not spend the attempt the schedule owes. */
  attempting(manual: boolean): void {
    this.#manual = manual && this.#attempt > 0;
    if (this.#manual) this.#owedHintUntil = this.#hintUntil;
    else this.#owedAt = null;
    this.#hintUntil = null;
  }

  /** A successful open ends the cycle. */
  opened(): void {
    this.#attempt = 0;
    this.#nextAttemptAt = null;
    this.#owedAt = null;
    this.#manual = false;
    this.#retryHint = null;
  }

  /** The server acknowledged messages of ours: the protocol works, whatever closed sockets before. */
  acked(): void {
    this.#strikes = 0;
  }

  retry(hint: RetryHint, code: number = CloseCode.serviceRestart): void {
    this.#retryHint = hint;
    this.#retryCode = code;
  }

  /**
   * The close the server meant: after its `retry` frame, a 1006 is an engine that dropped the code (WebKitGTK
   * turns 1012–1014 into 1006 with no reason), so the frame's code stands in for it.
   */
  closeCode(code: number | null): number | null {
    return code === CloseCode.abnormal && this.#retryHint ? this.#retryCode : code;
  }

  /**
   * A socket was lost. Losing an open one starts counting again, except after a protocol close:
   * resuming replays the gap, but protocol closes without progress in between count as attempts
   * even across opens, and end in failed.
   */
  lost(wasOpen: boolean, protocol: boolean): void {
    if (wasOpen) this.#attempt = protocol ? this.#strikes : 0;
    if (protocol) this.#strikes++;
  }

  /** The server's word on when to come back after closing with `code`; the retry frame is used up either way. */
  takeHint(code: number | null, reason: string): RetryHint | null {
    const hint = isRetryCode(code) ? (this.#retryHint ?? parseRetryHint(reason)) : null;
    this.#retryHint = null;
    return hint;
  }

  /** The delay before the next attempt, counting it; null when the attempts are spent. */
  next(config: ScheduleConfig, hint: RetryHint | null, offline: boolean): number | null {
    const now = this.#clock.now();
    if (this.#manual && !hint) {
      // A failed manual attempt: the same attempt stays owed, at its old deadline while that is ahead,
      // else after its full delay again; the schedule neither shortens nor moves on.
      this.#manual = false;
      const ahead = this.#owedAt === null ? 0 : this.#owedAt - now;
      const delay = ahead > 0 ? ahead : this.#jittered(config);
      this.#hintUntil = this.#owedHintUntil;
      this.#hintDelayMs = this.#hintUntil === null ? 0 : delay;
      return delay;
    }
    const max = config.maxAttempts;
    // Time offline spends no attempts: the last one still comes once the network is back. Nor does a
    // server that said when to come back (a drain longer than max-attempts cycles must not end in failed).
    if (this.#attempt >= max && !offline && !hint) return null;
    if (this.#attempt === 0 || (this.#attempt < max && !hint)) this.#attempt++;
    const delay = hint ? hintDelay(hint.afterMs, hint.spreadMs, this.#clock.random) : this.#jittered(config);
    this.#hintUntil = hint ? now + delay : null;
    this.#hintDelayMs = delay;
    return delay;
  }

  /** The next attempt is due `delay` ms from now. */
  wait(delay: number): void {
    this.#delayMs = delay;
    this.#nextAttemptAt = this.#clock.now() + delay;
    this.#owedAt = this.#nextAttemptAt;
  }

  /**
   * What is left of the wait when its timer fires: deadlines come from the clock, so a throttled or
   * early timer cannot shift the schedule. 0 means attempt now.
   */
  remaining(): number {
    const at = this.#nextAttemptAt;
    const left = at === null ? 0 : at - this.#clock.now();
    // More left than was ever scheduled means the clock went back: waiting it out could take hours.
    return left > 0 && left <= (this.#delayMs ?? 0) ? left : 0;
  }

  /**
   * How long a wake-up must still hold off: a draining server spread its clients out, and coming
   * back early would undo that. Capped by the hint itself: a clock set back must not stretch the wait.
   */
  held(): number {
    return this.#hintUntil === null ? 0 : Math.min(this.#hintUntil - this.#clock.now(), this.#hintDelayMs);
  }

  #jittered({ delays, jitter }: ScheduleConfig): number {
    return withJitter(baseDelay(this.#attempt, delays), jitter, this.#clock.random);
  }
}
