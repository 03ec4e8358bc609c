/**
 * The one owner of the page's leaving signals (`pagehide`, `beforeunload`, `pageshow`): the client
 * must not treat sockets the browser closes on the way out as an outage, and the overlay must not
 * appear for them. The client listens through it and passes `unloading` on to its delegate, so the
 * element needs no listeners of its own.
 */
import type { ClientEnvironment } from './environment.js';

/** How long after `beforeunload` the page counts as unloading: a cancelled unload sends nothing more. */
export const UNLOAD_CANCELLED_MS = 1000;

/**
 * `unload-cancelled`: the page no longer counts as unloading, because a second passed after
 * `beforeunload` with no `pagehide` (the page stays), or because no one listens any more.
 */
export type PageSignal = 'pagehide' | 'pageshow' | 'beforeunload' | 'unload-cancelled';

/** `persisted`: into or out of the back-forward cache (`pagehide`, `pageshow`). */
export type PageListener = (signal: PageSignal, persisted: boolean) => void;

export type PageEnvironment = Pick<ClientEnvironment, 'window' | 'setTimeout' | 'clearTimeout'>;

export class PageLifecycle {
  readonly #env: PageEnvironment;
  readonly #listener: PageListener;
  #leaving = false;
  #unloadTimer: number | undefined;

  constructor(env: PageEnvironment, listener: PageListener) {
    this.#env = env;
    this.#listener = listener;
  }

  /** Between `pagehide` and `pageshow`: the page is gone or in the back-forward cache. */
  get leaving(): boolean {
    return this.#leaving;
  }

  /** Leaving, or within a second of `beforeunload`: what the overlay hides for. */
  get unloading(): boolean {
    return this.#leaving || this.#unloadTimer !== undefined;
  }

  /** Listens until `signal` aborts: the owner's one AbortController takes these listeners along. */
  listen(signal: AbortSignal): void {
    for (const type of ['pagehide', 'beforeunload', 'pageshow']) {
      this.#env.window.addEventListener(type, (e) => this.#on(e), { signal });
    }
    signal.addEventListener('abort', () => {
      // Unheard, the state would go stale: start again from a page that stays, and say so.
      const was = this.unloading;
      this.#reset();
      if (was) this.#listener('unload-cancelled', false);
    });
  }

  #on(e: Event): void {
    const type = e.type as PageSignal;
    // A pageshow with nothing to undo is the page's first, as it loads.
    if (type === 'pageshow' && !this.unloading) return;
    if (type === 'pagehide') this.#leaving = true;
    else if (type === 'pageshow') this.#reset();
    else {
      this.#env.clearTimeout(this.#unloadTimer);
      this.#unloadTimer = this.#env.setTimeout(() => {
        this.#unloadTimer = undefined;
        this.#listener('unload-cancelled', false);
      }, UNLOAD_CANCELLED_MS);
    }
    this.#listener(type, (e as PageTransitionEvent).persisted === true);
  }

  #reset(): void {
    this.#leaving = false;
    this.#env.clearTimeout(this.#unloadTimer);
    this.#unloadTimer = undefined;
  }
}
