/** The browser facilities the client depends on, behind one seam so tests can steer them. */

/** What the client needs of a WebSocket: the browser's, or the `ws` package's in Node. */
export interface SocketLike {
  readonly readyState: number;
  /** Bytes handed to send() and not yet on the network (browsers and `ws` both have it). */
  readonly bufferedAmount?: number;
  binaryType: string;
  send(data: string | ArrayBuffer | Blob): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

export type SocketClass = new (url: string, protocols?: string[]) => SocketLike;

export interface ClientEnvironment {
  WebSocket: SocketClass;
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

/** Outside a page (Node, benchmarks): a given WebSocket class, the real clock, and no page signals. */
export function headlessEnvironment(WebSocketClass: SocketClass): ClientEnvironment {
  return {
    WebSocket: WebSocketClass,
    now: () => Date.now(),
    random: () => Math.random(),
    isOnline: () => true,
    isHidden: () => false,
    window: new EventTarget(),
    document: new EventTarget(),
    storage: () => null,
    // Looked up at call time so fake timers installed after construction still apply.
    setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => clearTimeout(id),
  };
}

/** The headless clock and timers, with the page's signals and storage. */
export function browserEnvironment(): ClientEnvironment {
  return {
    ...headlessEnvironment(globalThis.WebSocket),
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
  };
}

/** In a page the browser's signals; elsewhere (Node, a worker) none, and the global WebSocket if there is one. */
export function defaultEnvironment(): ClientEnvironment {
  if (typeof window !== 'undefined' && typeof document !== 'undefined') return browserEnvironment();
  return headlessEnvironment(globalThis.WebSocket);
}
