/** Which notification the overlay shows: a pure function of the connection state and the clock. */
import type { StatusDetail } from '../client/types.js';

export type OverlayView = 'none' | 'reconnecting' | 'offline' | 'failed' | 'disconnected' | 'expired' | 'reconnected';

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
      return 'failed';
    case 'closed':
      return detail.cause === 'manual' ? 'none' : 'disconnected';
    case 'open':
    case 'idle':
      return input.reconnectedUntil !== null && now < input.reconnectedUntil ? 'reconnected' : 'none';
    case 'connecting':
    case 'reconnecting': {
      // A drop that recovers within the grace period never shows.
      const inGrace = input.troubleSince === null || now - input.troubleSince < input.gracePeriod;
      if (inGrace && !input.outageShown) return 'none';
      return detail.cause === 'offline' ? 'offline' : 'reconnecting';
    }
  }
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
