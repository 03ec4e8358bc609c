/**
 * The overlay as a lit ReactiveController: which notice shows and when (grace period, countdown, the
 * "reconnected" confirmation), its live regions, keyboard focus, and the page-unload quiet. The host tells it
 * each status change; it works the view out in hostUpdate, so the host's render() only draws it.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { SessionDetail, StatusDetail } from '../client/types.js';
import type { SettingValues } from '../settings.js';
import type { NewSessionReason } from '../protocol/frames.js';
import { SessionReloadEvent, SessionRetryEvent, SessionSignInEvent } from '../events.js';
import { OVERLAY_SETTINGS, parseOverlayConfig, type OverlayConfig, type OverlaySettingName } from './overlay-config.js';
import { OverlayFocus } from './overlay-focus.js';
import { graceFor, msUntilNextSecond, overlayView, type OverlayView } from './overlay-state.js';
import { liveRegions, renderOverlay } from './overlay-template.js';
import { announcement, messageText, type Messages } from './overlay-texts.js';

/** What the overlay reads of its element: its settings, the message texts, the status and retryNow(). */
export interface OverlayHost
  extends ReactiveControllerHost, HTMLElement, Messages, Pick<SettingValues, 'status' | OverlaySettingName> {
  readonly renderRoot: HTMLElement | DocumentFragment;
  retryNow(): void;
}

const raw = (v: string | number | null): string | null => (v === null ? null : String(v));

export class OverlayController implements ReactiveController {
  readonly #host: OverlayHost;
  readonly #focus: OverlayFocus;
  readonly #warned = new Set<string>();
  #settingsKey = '';
  #config!: OverlayConfig;
  #detail: StatusDetail | null = null;
  #troubleSince: number | null = null;
  #expired = false;
  /** The connection has been open at least once: until then trouble is "could not connect", not "lost". */
  #everOpen = false;
  /** Why the session could not be resumed, for session-reload. */
  #expiredReason: NewSessionReason | null = null;
  #reconnectedUntil: number | null = null;
  #unloading = false;
  #outageShown = false;
  #view: OverlayView = 'none';
  #now = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: OverlayHost) {
    this.#host = host;
    this.#focus = new OverlayFocus(host, () => host.renderRoot);
    this.#settingsNow();
    host.addController(this);
  }

  /** A modal notice is up: the host makes what it wraps inert. */
  get blocking(): boolean {
    return this.#config.overlay === 'modal' && this.#view !== 'none' && this.#view !== 'reconnected';
  }

  /** Every status the client reports, in order, before the host announces it. */
  statusChanged(detail: StatusDetail): void {
    const now = Date.now();
    if (detail.status === 'open') {
      this.#everOpen = true;
      // Confirm recovery only for an outage the person saw.
      if (this.#outageShown) this.#reconnectedUntil = now + this.#settingsNow().reconnectedDuration;
      this.#outageShown = false;
      this.#troubleSince = null;
    } else if (detail.status === 'reconnecting' || detail.status === 'failed') {
      this.#troubleSince ??= now;
    } else if (detail.status === 'connecting' && detail.previous !== 'idle' && detail.previous !== 'closed') {
      this.#troubleSince ??= now;
    } else if (detail.status === 'closed' && detail.cause === 'manual') {
      this.#troubleSince = null;
      this.#reconnectedUntil = null;
      this.#outageShown = false;
    }
    this.#detail = detail;
  }

  /** Session mode: a session that could not be resumed shows the expired notice until dismissed. */
  sessionChanged(detail: SessionDetail): void {
    if (detail.resumed || detail.reason === null) return;
    this.#expired = true;
    this.#expiredReason = detail.reason;
    this.#host.requestUpdate();
  }

  /** The page is unloading (the client owns the page-lifecycle signals): no notice for the socket it takes down. */
  unloadingChanged(unloading: boolean): void {
    this.#unloading = unloading;
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    // Re-arms the timer, which a removal (or a move) cleared.
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
  }

  hostUpdate(): void {
    const now = (this.#now = Date.now());
    const { gracePeriod } = this.#settingsNow();
    const view = overlayView({
      detail: this.#detail,
      now,
      troubleSince: this.#troubleSince,
      gracePeriod,
      outageShown: this.#outageShown,
      expired: this.#expired,
      reconnectedUntil: this.#reconnectedUntil,
      unloading: this.#unloading,
    });
    this.#view = view;
    if (view !== 'none' && view !== 'reconnected' && view !== 'expired') this.#outageShown = true;
    this.#schedule(view, now);
    this.#focus.beforeRender(this.blocking);
  }

  hostUpdated(): void {
    this.#focus.afterRender(this.#view === 'none' || this.#view === 'reconnected');
  }

  /** The notice and the live regions, as worked out in the last hostUpdate. */
  render(): TemplateResult | typeof nothing {
    const view = this.#view;
    const mode = this.#config.overlay;
    if (mode === 'none') return nothing;
    const detail = this.#detail;
    const text = view === 'none' ? '' : messageText(view, this.#host, detail, this.#everOpen);
    let announce = '';
    if (view !== 'none') {
      const slotted = this.#host.querySelector(`:scope > [slot="${view}"]`)?.textContent?.trim();
      announce = announcement(view, slotted || text, detail, this.#everOpen);
    }
    const urgent = view === 'failed' || view === 'signed-out' || view === 'expired';
    const overlay = renderOverlay({
      view,
      mode,
      position: this.#config.position,
      detail,
      now: this.#now,
      text,
      onRetry: this.#retry,
      onReload: this.#reload,
      onSignIn: this.#signIn,
      onDismiss: this.#dismiss,
      onSlotChange: this.#slotChange,
      onFocusIn: this.#focusIn,
      firstConnect: !this.#everOpen,
    });
    return html`${overlay}${liveRegions(urgent ? '' : announce, urgent ? announce : '')}`;
  }

  /** The overlay settings, parsed again only when one of them changed (an invalid value warns once). */
  #settingsNow(): OverlayConfig {
    const h = this.#host;
    const settings = Object.fromEntries(OVERLAY_SETTINGS.map((name) => [name, raw(h[name])])) as Record<
      OverlaySettingName,
      string | null
    >;
    const key = JSON.stringify(settings);
    if (key === this.#settingsKey) return this.#config;
    this.#settingsKey = key;
    const { config, warnings } = parseOverlayConfig(settings);
    for (const w of warnings) {
      if (this.#warned.has(w)) continue;
      this.#warned.add(w);
      console.warn(w);
    }
    return (this.#config = config);
  }

  /** One timer wakes the overlay when the grace period ends, the countdown ticks, or the confirmation ends. */
  #schedule(view: OverlayView, now: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#host.isConnected || this.#config.overlay === 'none') return;
    let wait: number | null = null;
    const d = this.#detail;
    if (
      view === 'none' &&
      this.#troubleSince !== null &&
      (d?.status === 'reconnecting' || d?.status === 'connecting')
    ) {
      wait = this.#troubleSince + graceFor(d, this.#config.gracePeriod) - now;
    } else if (view === 'reconnecting' && d?.nextAttemptAt != null) {
      wait = msUntilNextSecond(d.nextAttemptAt, now);
    } else if (view === 'reconnected' && this.#reconnectedUntil !== null) {
      wait = this.#reconnectedUntil - now;
    }
    if (wait !== null) this.#timer = setTimeout(() => this.#host.requestUpdate(), Math.max(0, wait));
  }

  readonly #retry = (): void => {
    const { status } = this.#host;
    if (this.#host.dispatchEvent(new SessionRetryEvent({ status }))) this.#host.retryNow();
  };

  readonly #reload = (): void => {
    if (this.#host.dispatchEvent(new SessionReloadEvent({ reason: this.#expiredReason }))) location.reload();
  };

  // Reloading is where most sites send a person to sign in (their login redirect, or a fresh cookie).
  readonly #signIn = (): void => {
    if (this.#host.dispatchEvent(new SessionSignInEvent({ code: this.#detail?.code ?? null }))) location.reload();
  };

  readonly #dismiss = (): void => {
    this.#expired = false;
    // The expired notice stood in for the confirmation: dismissing it must not bring that up.
    this.#reconnectedUntil = null;
    this.#host.requestUpdate();
  };

  readonly #slotChange = (): void => this.#host.requestUpdate();

  readonly #focusIn = (e: FocusEvent): void => this.#focus.focusIn(e);
}
