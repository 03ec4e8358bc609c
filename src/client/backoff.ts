/** Reconnect delay schedule and jitter: pure functions, so the schedule can be tested without time. */

export const DEFAULT_DELAYS: readonly number[] = [1000, 2000, 4000, 8000, 16000, 32000];
export const DEFAULT_MAX_ATTEMPTS = 6;
export const DEFAULT_JITTER = 0.5;

/** Base delay before attempt `attempt` (1-based); attempts past the list reuse its last entry. */
export function baseDelay(attempt: number, delays: readonly number[]): number {
  if (delays.length === 0) return 0;
  const index = Math.min(Math.max(attempt, 1), delays.length) - 1;
  return delays[index]!;
}

/** Spreads `base` uniformly over ±`jitter` of itself, so clients do not all return at once. */
export function withJitter(base: number, jitter: number, random: () => number = Math.random): number {
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

/** A geometric schedule: initial, initial·factor, … capped at max, `count` entries long. */
export function geometricDelays(initial: number, max: number, factor: number, count: number): number[] {
  const delays: number[] = [];
  let delay = initial;
  for (let i = 0; i < count; i++) {
    delays.push(Math.min(Math.round(delay), max));
    delay *= factor;
  }
  return delays;
}

/** A server's retry hint: wait `afterMs`, plus a uniform share of `spreadMs`. */
export function hintDelay(afterMs: number, spreadMs: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(afterMs + spreadMs * random()));
}
