/** Timers that hold for any duration: setTimeout fires after 1 ms for delays past 2^31 - 1. */
import { MAX_TIMER_MS } from './options.js';

export interface LongTimer {
  cancel(): void;
}

export function longTimeout(fn: () => void, ms: number, now: () => number = Date.now): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const due = now() + ms;
  const arm = (): void => {
    const left = due - now();
    if (left <= 0) return fn();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  if (ms !== Infinity) arm();
  return { cancel: () => clearTimeout(timer) };
}
