/** One guard for calling application code: a throwing listener is reported, never crashes, never stops the others. */
import type { EventEmitter } from 'node:events';

export type ErrorSink = (error: Error) => void;

/**
 * Calls every listener of `event` in order, each in its own try/catch. Callers change their own state first and
 * emit last, so whatever a listener does, the session is already consistent.
 */
export function emitGuarded(emitter: EventEmitter, event: string, args: unknown[], report: ErrorSink): boolean {
  const listeners = emitter.rawListeners(event) as ((...a: unknown[]) => unknown)[];
  for (const listener of listeners) {
    try {
      listener.apply(emitter, args);
    } catch (error) {
      report(error instanceof Error ? error : new Error(`a ${event} listener threw ${String(error)}`));
    }
  }
  return listeners.length > 0;
}

/** Runs application code that returns a value; a throw is reported and gives `fallback`. */
export function callGuarded<T>(fn: () => T, fallback: T, report: ErrorSink): T {
  try {
    return fn();
  } catch (error) {
    report(error instanceof Error ? error : new Error(`application code threw ${String(error)}`));
    return fallback;
  }
}
