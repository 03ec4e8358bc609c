/**
 * Whether a node should get traffic: not while it drains, not while its session store does not answer. The store
 * is asked at most once a second however often readiness is asked, so a flood of probes never reaches it.
 */
import type { SessionServer } from './session-server.js';
import type { SessionStore } from './store/session-store.js';

const PROBE_EVERY_MS = 1000;
const PROBE_TIMEOUT_MS = 1000;
/** A key no session can have (IDs are base64url), read to see that the store answers. */
const PROBE_ID = 'readiness-probe!';

export class Readiness {
  readonly #server: SessionServer;
  readonly #store: SessionStore | undefined;
  #storeOk = true;
  #probedAt = -Infinity;
  #probe: Promise<void> | null = null;

  constructor(server: SessionServer, store?: SessionStore) {
    this.#server = server;
    this.#store = store;
  }

  /** Null when ready, else why not (a short phrase, safe to show anyone). */
  async check(): Promise<string | null> {
    if (this.#server.draining) return 'draining';
    if (this.#store) {
      if (Date.now() - this.#probedAt >= PROBE_EVERY_MS) await (this.#probe ??= this.#probeStore());
      if (!this.#storeOk) return 'session store unreachable';
    }
    return null;
  }

  async #probeStore(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.#store!.get(PROBE_ID), timeout]);
      this.#storeOk = true;
    } catch {
      this.#storeOk = false;
    } finally {
      clearTimeout(timer);
      this.#probedAt = Date.now();
      this.#probe = null;
    }
  }
}
