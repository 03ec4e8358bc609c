/** The browser facilities the client depends on, behind one seam so tests can steer them. */

export interface ClientEnvironment {
  WebSocket: typeof WebSocket;
  now(): number;
  random(): number;
  isOnline(): boolean;
  isHidden(): boolean;
  /** Where `online`, `offline`, `pageshow`, `pagehide` fire. */
  window: EventTarget;
  /** Where `visibilitychange`, `resume` and `freeze` fire. */
  document: EventTarget;
  storage(): Storage | null;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number | undefined): void;
}

export function browserEnvironment(): ClientEnvironment {
  return {
    WebSocket: globalThis.WebSocket,
    now: () => Date.now(),
    random: () => Math.random(),
    isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    isHidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
    window: globalThis as unknown as EventTarget,
    document: typeof document === 'undefined' ? new EventTarget() : document,
    storage: () => {
      try {
        return globalThis.sessionStorage ?? null;
      } catch {
        return null;
      }
    },
    // Looked up at call time so fake timers installed after construction still apply.
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => globalThis.clearTimeout(id),
  };
}

/** Outside a page (Node, benchmarks): a given WebSocket class, the real clock, and no page signals. */
export function headlessEnvironment(WebSocketClass: typeof WebSocket): ClientEnvironment {
  return {
    WebSocket: WebSocketClass,
    now: () => Date.now(),
    random: () => Math.random(),
    isOnline: () => true,
    isHidden: () => false,
    window: new EventTarget(),
    document: new EventTarget(),
    storage: () => null,
    setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => clearTimeout(id),
  };
}
