/**
 * Keyboard focus around the overlay: a modal takes it and gives it back; a toast never takes it, and gives it
 * back only if the person moved into it. The overlay controller calls it before and after each render.
 */
export class OverlayFocus {
  readonly #host: HTMLElement;
  readonly #root: () => ParentNode;
  /** Where keyboard focus was before a modal took it, or before the person moved into a toast. */
  #returnFocus: HTMLElement | null = null;
  #wasBlocking = false;
  /** This render opens a modal: afterRender() moves focus into it. */
  #opening = false;
  /** This render ends a modal (the notice may stay, as a toast). */
  #closing = false;
  /** Focus was inside the overlay before this render. */
  #hadFocus = false;

  constructor(host: HTMLElement, root: () => ParentNode) {
    this.#host = host;
    this.#root = root;
  }

  /** Before the DOM changes, while the element with focus is still the person's. */
  beforeRender(blocking: boolean): void {
    // Only a modal takes focus (a toast is announced by its live region and never moves focus).
    this.#opening = blocking && !this.#wasBlocking;
    this.#closing = !blocking && this.#wasBlocking;
    if (this.#opening) this.#remember();
    this.#hadFocus = this.#inOverlay();
    this.#wasBlocking = blocking;
  }

  /** After the DOM changed; `settled` when no notice needs attention any more (none, or the confirmation). */
  afterRender(settled: boolean): void {
    // A modal takes focus when it opens, and again if the button holding it went away (view change).
    if (this.#wasBlocking && (this.#opening || (this.#hadFocus && !this.#inOverlay()))) {
      const box = this.#overlay();
      (box?.querySelector('button') ?? box)?.focus();
    }
    this.#opening = false;
    // A modal that turned into a toast (overlay="toast") hands focus back: a toast never holds it.
    if (this.#closing && this.#inOverlay()) {
      // Nothing had focus before the modal: give it back to the page as it was.
      if (this.#returnFocus) this.restore(true);
      else (this.#host.shadowRoot?.activeElement as HTMLElement | null)?.blur();
    }
    this.#closing = false;
    if (settled) this.restore();
  }

  /** The person moved into a toast (Tab): remember where from, so Dismiss can give focus back there. */
  focusIn(e: FocusEvent): void {
    const from = e.relatedTarget;
    if (from instanceof HTMLElement && !this.#root().contains(from)) this.#returnFocus ??= from;
  }

  /** Gives focus back once the trouble is over, unless the person has put it somewhere since. */
  restore(fromOverlay = false): void {
    const target = this.#returnFocus;
    if (!target) return;
    this.#returnFocus = null;
    const active = document.activeElement;
    const lost = fromOverlay || active === null || active === document.body || active === this.#host;
    if (lost && target.isConnected) target.focus({ preventScroll: true });
  }

  #overlay(): HTMLElement | null {
    return this.#root().querySelector<HTMLElement>('[part="overlay"]');
  }

  #inOverlay(): boolean {
    const active = this.#host.shadowRoot?.activeElement;
    return !!active && !!this.#overlay()?.contains(active);
  }

  #remember(): void {
    if (this.#returnFocus || typeof document === 'undefined') return;
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (active instanceof HTMLElement && active !== document.body && !this.#root().contains(active)) {
      this.#returnFocus = active;
    }
  }
}
