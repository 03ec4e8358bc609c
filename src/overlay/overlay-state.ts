/** Which notification the overlay shows: a pure function of the connection state and the clock. */
import type { StatusDetail } from '../client/types.js';

export type OverlayView =
  'none' | 'reconnecting' | 'offline' | 'failed' | 'signed-out' | 'disconnected' | 'expired' | 'reconnected';

export interface OverlayInput {
  detail: StatusDetail | null;
  now: number;
  /** When the connection stopped being open (or the first attempt failed); null while fine. */
  troubleSince: number | null;
  gracePeriod: number;
  /** This outage has already been on screen: the grace period no longer applies. */
  outageShown: boolean;
  /** Set when a session could not be resumed; cleared by dismissing it. */
  expired: boolean;
  /** The short "reconnected" confirmation shows until then. */
  reconnectedUntil: number | null;
  /** The page is unloading: nothing may appear. */
  unloading: boolean;
}

export function overlayView(input: OverlayInput): OverlayView {
  const { detail, now } = input;
  if (input.unloading || !detail) return 'none';
  if (input.expired) return 'expired';
  switch (detail.status) {
    case 'failed':
      // A missing URL is the page author's to fix (the console says so), and a refused credential the person's (by
      // signing in): Retry can help neither.
      return detail.cause === 'no-url' ? 'none' : detail.cause === 'auth' ? 'signed-out' : 'failed';
    case 'closed':
      return detail.cause === 'manual' ? 'none' : 'disconnected';
    case 'open':
    case 'idle':
      return input.reconnectedUntil !== null && now < input.reconnectedUntil ? 'reconnected' : 'none';
    case 'connecting':
    case 'reconnecting': {
      // A drop that recovers within the grace period, or on its first attempt, never shows.
      const inGrace = input.troubleSince === null || now - input.troubleSince < graceFor(detail, input.gracePeriod);
      if (inGrace && !input.outageShown) return 'none';
      return detail.cause === 'offline' ? 'offline' : 'reconnecting';
    }
  }
}

/** The longest the first attempt may hold the notice back (the default first wait is 1 s ± 50%). */
export const FIRST_ATTEMPT_HOLD = 3000;

/**
 * How long after the trouble began the notice may appear. The grace period alone (500 ms) is
 * shorter than the first wait, so a drop that heals on its first attempt would flash "Connection
 * lost." and then "Reconnected."; until that attempt has failed the notice waits, up to
 * FIRST_ATTEMPT_HOLD. A grace period of 0 means "show at once", and offline is shown without the hold.
 */
export function graceFor(detail: StatusDetail, gracePeriod: number): number {
  if (gracePeriod === 0 || detail.cause === 'offline' || detail.attempt > 1) return gracePeriod;
  return Math.max(gracePeriod, FIRST_ATTEMPT_HOLD);
}

/** Whole seconds left before `at`, rounded up, so the display reaches 0 only when the attempt starts. */
export function secondsLeft(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Milliseconds until the displayed countdown changes. */
export function msUntilNextSecond(at: number, now: number): number {
  const left = at - now;
  if (left <= 0) return 0;
  return left % 1000 || 1000;
}
