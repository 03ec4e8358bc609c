import { ReactiveElement, type PropertyDeclaration, type PropertyValues } from 'lit';
import { SessionClient } from './client/session-client.js';
import type { Payload } from './client/payload.js';
import type { MessageCallback, Status, StatusDetail } from './client/types.js';
import type { NewSessionReason } from './protocol/frames.js';
import { NO_URL_WARNING, parseConfig, type RawAttributes } from './config.js';
import { parseOverlayConfig, type OverlayConfig } from './overlay/overlay-config.js';
import { graceFor, msUntilNextSecond, overlayView, type OverlayView } from './overlay/overlay-state.js';
import { h, patch, type Child } from './overlay/dom.js';
import {
  DEFAULT_TEXTS,
  FIRST_CONNECT_TEXTS,
  RESTARTING_TEXT,
  renderOverlay,
  type VisibleView,
} from './overlay/overlay-template.js';
import { CloseCode } from './protocol/close-codes.js';
import {
  SessionDrainEvent,
  SessionErrorEvent,
  SessionReloadEvent,
  SessionRetryEvent,
  SessionFailedEvent,
  SessionMessageEvent,
  SessionNewEvent,
  SessionRecoveredEvent,
  SessionResumedEvent,
  SessionStatusEvent,
} from './events.js';
import { styles } from './reconnecting-session.styles.js';

const OVERLAY_PROPERTIES = ['overlay', 'position', 'gracePeriod', 'reconnectedDuration'] as const;

const CONFIG_PROPERTIES = [
  'url',
  'protocol',
  'reconnect',
  'delays',
  'initialDelay',
  'maxDelay',
  'factor',
  'maxAttempts',
  'jitter',
  'maxQueue',
  'maxQueueBytes',
  'sessionParam',
  'heartbeatInterval',
  'heartbeatTimeout',
  'connectTimeout',
  'pauseHidden',
] as const;

const CONFIG_KEYS = new Set<PropertyKey | undefined>([...CONFIG_PROPERTIES, 'persist']);

type Setting = string | number | null;
const raw = (v: Setting | undefined): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Keeps a page attached to its server session through drops, sleep and restarts.
 *
 * @tag reconnecting-session
 * @fires {SessionStatusEvent} session-status - every status change and newly scheduled attempt
 * @fires {SessionMessageEvent} session-message - data from the server
 * @fires {SessionErrorEvent} session-error - a problem the element survived
 * @fires {SessionFailedEvent} session-failed - automatic attempts exhausted or a fatal close code
 * @fires {SessionResumedEvent} session-resumed - session mode: the old session continued
 * @fires {SessionNewEvent} session-new - session mode: a new session started, with the reason
 * @fires {SessionRecoveredEvent} session-recovered - the outage report when the connection is back
 * @fires {SessionRetryEvent} session-retry - the retry button was activated; cancelable
 * @fires {SessionReloadEvent} session-reload - the reload button of the expired notice was activated; cancelable
 * @fires {SessionDrainEvent} session-drain - the buffered amount fell to half the high-water mark after reaching it
 * @slot - the application; the element does not change its layout
 * @slot reconnecting - replaces the text shown while reconnecting (the countdown stays)
 * @slot offline - replaces the text shown while the browser is offline
 * @slot failed - replaces the text shown once automatic attempts are exhausted
 * @slot disconnected - replaces the text shown when the connection closed and will not come back by itself
 * @slot expired - replaces the text shown when the session could not be resumed
 * @slot reconnected - replaces the short confirmation shown after a visible outage
 * @csspart overlay - the notification box
 * @csspart backdrop - the dimmed layer behind a modal notification
 * @csspart title - a modal's heading, which names the dialog
 * @csspart message - the message line (holds the named slot)
 * @csspart countdown - "Reconnecting in 4 s…"
 * @csspart attempt - "Attempt 2 of 6"
 * @csspart reason - the server's close reason on failure (as text)
 * @csspart spinner - the activity indicator
 * @csspart retry-button - "Retry now" / "Retry" / "Reconnect"
 * @csspart reload-button - "Reload" on the expired notice
 * @csspart dismiss-button - "Dismiss" on the expired notice
 * @cssprop --reconnecting-session-overlay-background - notification background
 * @cssprop --reconnecting-session-overlay-color - notification text colour
 * @cssprop --reconnecting-session-overlay-muted-color - secondary text colour
 * @cssprop --reconnecting-session-overlay-border - notification border
 * @cssprop --reconnecting-session-accent-color - buttons, spinner and the accent stripe
 * @cssprop --reconnecting-session-accent-text-color - text on accent buttons
 * @cssprop --reconnecting-session-danger-color - accent stripe on failure
 * @cssprop --reconnecting-session-success-color - accent stripe on reconnection
 * @cssprop --reconnecting-session-warning-color - accent stripe of the expired notice
 * @cssprop --reconnecting-session-overlay-radius - corner radius
 * @cssprop --reconnecting-session-overlay-shadow - box shadow
 * @cssprop --reconnecting-session-overlay-padding - inner spacing
 * @cssprop --reconnecting-session-overlay-font - font shorthand
 * @cssprop --reconnecting-session-overlay-max-width - maximum width
 * @cssprop --reconnecting-session-backdrop-color - modal backdrop colour
 * @cssprop --reconnecting-session-z-index - stacking order of the overlay
 */
export class ReconnectingSessionElement extends ReactiveElement {
  static override styles = styles;
  static override properties = {
    url: {},
    protocol: {},
    reconnect: {},
    delays: {},
    initialDelay: { attribute: 'initial-delay' },
    maxDelay: { attribute: 'max-delay' },
    factor: {},
    maxAttempts: { attribute: 'max-attempts' },
    jitter: {},
    maxQueue: { attribute: 'max-queue' },
    maxQueueBytes: { attribute: 'max-queue-bytes' },
    sessionParam: { attribute: 'session-param' },
    heartbeatInterval: { attribute: 'heartbeat-interval' },
    heartbeatTimeout: { attribute: 'heartbeat-timeout' },
    connectTimeout: { attribute: 'connect-timeout' },
    pauseHidden: { type: Boolean, attribute: 'pause-hidden' },
    manual: { type: Boolean },
    persist: {},
    overlay: {},
    position: {},
    gracePeriod: { attribute: 'grace-period' },
    reconnectedDuration: { attribute: 'reconnected-duration' },
    reconnectingMessage: { attribute: 'reconnecting-message' },
    offlineMessage: { attribute: 'offline-message' },
    failedMessage: { attribute: 'failed-message' },
    disconnectedMessage: { attribute: 'disconnected-message' },
    expiredMessage: { attribute: 'expired-message' },
    reconnectedMessage: { attribute: 'reconnected-message' },
    sessionId: { attribute: 'session-id', reflect: true },
    status: { reflect: true },
  };

  /** A connection setting changed since the client last saw it (declared first: setters run during construction). */
  #configDirty = true;

  /**
   * WebSocket URL; several separated by spaces are tried in turn. Relative and http(s) URLs are resolved against
   * the page. Without one the element waits (and warns) instead of connecting.
   * @type {string}
   */
  url: string | null = null;
  /**
   * `plain` (any WebSocket server) or `session` (the resumable session protocol of this package's server).
   * @type {'plain' | 'session'}
   * @default 'plain'
   */
  protocol: string | null = null;
  /**
   * `auto` (reconnect by itself), `prompt` (only through the retry button) or `off`.
   * @type {'auto' | 'prompt' | 'off'}
   * @default 'auto'
   */
  reconnect: string | null = null;
  /**
   * Explicit delays before each reconnect attempt, in milliseconds (`1000,2000,4000`); attempts past the list
   * reuse its last entry. Takes precedence over `initial-delay`, `max-delay` and `factor`.
   * @type {string}
   * @default '1000,2000,4000,8000,16000,32000'
   */
  delays: string | null = null;
  /**
   * First delay of a geometric schedule, in milliseconds (with `max-delay` and `factor`, instead of `delays`).
   * @type {number}
   * @default 1000
   */
  initialDelay: Setting = null;
  /**
   * Longest delay of the geometric schedule, in milliseconds.
   * @type {number}
   * @default 32000
   */
  maxDelay: Setting = null;
  /**
   * Growth factor of the geometric schedule (1 to 100).
   * @type {number}
   * @default 2
   */
  factor: Setting = null;
  /**
   * Automatic reconnect attempts before the status becomes `failed`; `0` fails at the first drop.
   * @type {number}
   * @default 6
   */
  maxAttempts: Setting = null;
  /**
   * 0..1: each delay is spread uniformly over ±jitter of itself, so clients do not all return at once.
   * @type {number}
   * @default 0.5
   */
  jitter: Setting = null;
  /**
   * Messages the outbound queue may hold while the connection is down (and, in session mode, until acknowledged).
   * @type {number}
   * @default 100000
   */
  maxQueue: Setting = null;
  /**
   * Bytes (approximate, as sent) the queue may hold.
   * @type {number}
   * @default 16777216
   */
  maxQueueBytes: Setting = null;
  /**
   * Session mode: the URL query parameter that carries the session ID.
   * @type {string}
   * @default 'session'
   */
  sessionParam: string | null = null;
  /**
   * Session mode: milliseconds between heartbeats that detect a half-open connection.
   * @type {number}
   * @default 15000
   */
  heartbeatInterval: Setting = null;
  /**
   * Session mode: milliseconds without an answer to a heartbeat before the connection counts as lost.
   * @type {number}
   * @default 10000
   */
  heartbeatTimeout: Setting = null;
  /**
   * Milliseconds an attempt may take to open before it is abandoned and the next one scheduled.
   * @type {number}
   * @default 10000
   */
  connectTimeout: Setting = null;
  /**
   * While the page is hidden, hold reconnect attempts until it is shown again (an open connection stays open).
   * @type {boolean}
   * @default false
   */
  pauseHidden = false;
  /**
   * Do not connect when added to the page; call `connect()`.
   * @type {boolean}
   * @default false
   */
  manual = false;
  /**
   * Keep the session in sessionStorage so a reload resumes it; the value, if any, names the storage slot
   * (by default the first URL). Absent: nothing is stored.
   * @type {string}
   */
  persist: string | null = null;
  /**
   * `toast` (corner notice, page stays usable), `modal` (dims and blocks the app) or `none` (events only).
   * @type {'toast' | 'modal' | 'none'}
   * @default 'toast'
   */
  overlay: string | null = null;
  /**
   * Where the toast sits: `bottom-right`, `bottom-left`, `top-right`, `top-left`, `top`, `bottom` or `center`.
   * @type {'bottom-right' | 'bottom-left' | 'top-right' | 'top-left' | 'top' | 'bottom' | 'center'}
   * @default 'bottom-right'
   */
  position: string | null = null;
  /**
   * Drops that recover within this many milliseconds show nothing.
   * @type {number}
   * @default 500
   */
  gracePeriod: Setting = null;
  /**
   * How long the "Reconnected" confirmation stays, in milliseconds.
   * @type {number}
   * @default 2000
   */
  reconnectedDuration: Setting = null;
  /**
   * Text shown while reconnecting (plain text, never HTML; the `reconnecting` slot replaces it). Before the first
   * connection the default is "Connecting to the server…", after a planned restart "The server is restarting.".
   * @type {string}
   * @default 'Connection lost.'
   */
  reconnectingMessage: string | null = null;
  /**
   * Text shown while the browser is offline (plain text; the `offline` slot replaces it).
   * @type {string}
   * @default 'You are offline. Waiting for the network…'
   */
  offlineMessage: string | null = null;
  /**
   * Text shown once automatic attempts are exhausted (plain text; the `failed` slot replaces it). Before the first
   * connection the default is "Could not connect to the server.".
   * @type {string}
   * @default 'Could not reconnect.'
   */
  failedMessage: string | null = null;
  /**
   * Text shown when the connection closed and will not come back by itself (plain text; the `disconnected` slot
   * replaces it). Also serves while reconnecting when `reconnecting-message` is absent.
   * @type {string}
   * @default 'Disconnected from the server.'
   */
  disconnectedMessage: string | null = null;
  /**
   * Text shown when the session could not be resumed (plain text; the `expired` slot replaces it).
   * @type {string}
   * @default 'Your session has expired. Reload the page to continue.'
   */
  expiredMessage: string | null = null;
  /**
   * Text of the short confirmation after a visible outage (plain text; the `reconnected` slot replaces it).
   * @type {string}
   * @default 'Reconnected.'
   */
  reconnectedMessage: string | null = null;
  /**
   * Session mode: the session ID to resume; reflected when the server assigns one.
   * @type {string}
   */
  sessionId: string | null = null;
  /**
   * Current connection status, reflected for CSS (`:host([status='reconnecting'])`). Read-only: the element puts
   * back any value a page writes.
   * @type {'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed'}
   * @default 'idle'
   * @readonly
   */
  status: Status = 'idle';

  #client: SessionClient;
  #detail: StatusDetail | null = null;
  #warned = new Set<string>();
  #wantConnect = false;
  #teardownPending = false;
  #stoppedByPage = false;
  /** The client was torn down by a removal (not closed by the server or the page). */
  #disposed = false;
  #overlay: OverlayConfig = parseOverlayConfig({
    overlay: null,
    position: null,
    gracePeriod: null,
    reconnectedDuration: null,
  }).config;
  #troubleSince: number | null = null;
  #expired = false;
  /** The connection has been open at least once: until then trouble is "could not connect", not "lost". */
  #everOpen = false;
  /** Why the session could not be resumed, for session-reload. */
  #expiredReason: NewSessionReason | null = null;
  #reconnectedUntil: number | null = null;
  #unloading = false;
  #view: OverlayView = 'none';
  #outageShown = false;
  /** Where keyboard focus was before a modal took it, or before the person moved into a toast. */
  #returnFocus: HTMLElement | null = null;
  #wasBlocking = false;
  /** This render opens a modal: updated() moves focus into it. */
  #opening = false;
  /** This render ends a modal (the notice may stay, as a toast). */
  #closing = false;
  /** Focus was inside the overlay before this render. */
  #hadFocus = false;
  #overlayTimer: ReturnType<typeof setTimeout> | undefined;
  #unloadTimer: ReturnType<typeof setTimeout> | undefined;
  #pageSignals: AbortController | null = null;

  constructor() {
    super();
    const { config } = parseConfig(this.#rawAttributes(), this.#baseUrl());
    this.#client = new SessionClient(config, {
      status: (d) => this.#onStatus(d),
      message: (d) => this.dispatchEvent(new SessionMessageEvent(d)),
      error: (d) => this.dispatchEvent(new SessionErrorEvent(d)),
      session: (d) => {
        if (!d.resumed && d.reason !== null) {
          this.#expired = true;
          this.#expiredReason = d.reason;
          this.requestUpdate();
        }
        this.dispatchEvent(d.resumed ? new SessionResumedEvent(d) : new SessionNewEvent(d));
      },
      recovered: (d) => this.dispatchEvent(new SessionRecoveredEvent(d)),
      sessionId: (id) => {
        this.sessionId = id;
      },
      drain: (d) => this.dispatchEvent(new SessionDrainEvent(d)),
    });
  }

  /** The latest status detail: attempt, delay, next attempt time, cause. */
  get statusDetail(): StatusDetail | null {
    return this.#detail;
  }

  /** Messages waiting to be sent or acknowledged. */
  get queued(): number {
    return this.#client.queued;
  }

  /** Bytes waiting to be sent or acknowledged; past 1 MiB wait for `session-drain`. */
  get bufferedAmount(): number {
    return this.#client.bufferedAmount;
  }

  /** Opt-in for high-rate pages: `(data, seq)` for each message instead of a `session-message` event. */
  get onsessionmessage(): MessageCallback | null {
    return this.#client.onmessage;
  }

  set onsessionmessage(callback: MessageCallback | null) {
    this.#client.onmessage = typeof callback === 'function' ? callback : null;
  }

  /**
   * For a session pre-issued by the server: its secret resume token (write-only, never an attribute).
   * @type {string | null}
   */
  set resumeToken(token: string | null) {
    // The ID set just before belongs with this token; syncing it later would discard the token.
    this.#syncSessionId();
    this.#client.resumeToken = token;
  }

  /** Connects (or reconnects after `disconnect()`), applying settings changed just before. */
  connect(): void {
    this.#stoppedByPage = false;
    // Settings set just before (el.url = …; el.connect()) have not been through an update yet.
    this.#applyConfig();
    if (this.#client.config.urls.length === 0) this.#warn([NO_URL_WARNING]);
    this.#syncSessionId();
    this.#client.connect();
  }

  /** Closes cleanly and stays closed (also when the element is moved) until `connect()`. */
  disconnect(): void {
    this.#stoppedByPage = true;
    this.#client.disconnect();
  }

  /** Skips the wait and attempts to connect at once, as the retry button does. */
  retryNow(): void {
    this.#stoppedByPage = false;
    this.#applyConfig();
    this.#syncSessionId();
    this.#client.retryNow();
  }

  /**
   * Sends now, or queues until the connection is open; throws when the queue is full.
   * Returns the message's sequence number in session mode (null in plain mode).
   */
  send(data: Payload): number | null {
    // Attributes set just before (max-queue, protocol…) apply now, not at the next render.
    if (this.#configDirty) this.#applyConfig();
    return this.#client.send(data);
  }

  override requestUpdate(name?: PropertyKey, oldValue?: unknown, options?: PropertyDeclaration): void {
    super.requestUpdate(name, oldValue, options);
    if (CONFIG_KEYS.has(name)) this.#configDirty = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listenToPage();
    // Re-arms the overlay's timer, which a removal (or a move) cleared.
    this.requestUpdate();
    // A move is a disconnect and a connect in the same task: keep the socket.
    this.#teardownPending = false;
    // Only a client torn down by a removal comes back: a server's "closed" (4000, 4001, reconnect=off) stays closed.
    const status = this.#client.status;
    if (!this.manual && !this.#stoppedByPage && (status === 'idle' || (status === 'closed' && this.#disposed))) {
      this.#wantConnect = true;
      this.requestUpdate();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#pageSignals?.abort();
    this.#pageSignals = null;
    clearTimeout(this.#overlayTimer);
    clearTimeout(this.#unloadTimer);
    this.#teardownPending = true;
    queueMicrotask(() => {
      if (!this.#teardownPending || this.isConnected) return;
      this.#teardownPending = false;
      this.#wantConnect = false;
      this.#disposed = true;
      this.#client.dispose();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.#configDirty || CONFIG_PROPERTIES.some((p) => changed.has(p)) || changed.has('persist'))
      this.#applyConfig();
    if (OVERLAY_PROPERTIES.some((p) => changed.has(p))) {
      const { config, warnings } = parseOverlayConfig(
        Object.fromEntries(OVERLAY_PROPERTIES.map((p) => [p, raw(this[p])])) as Parameters<
          typeof parseOverlayConfig
        >[0],
      );
      this.#warn(warnings);
      this.#overlay = config;
    }
    if (changed.has('sessionId')) this.#syncSessionId();
    // Status is the client's to say: a page that writes it (or a status="…" in the markup) is put right.
    if (changed.has('status') && this.status !== this.#client.status) {
      this.#warn([`<reconnecting-session>: status is read-only; ignoring status=${JSON.stringify(this.status)}.`]);
      this.status = this.#client.status;
    }
    // Connect here, with the configuration applied, so the status it sets joins this update.
    // Without a URL yet (a page that sets it from script) wait for one rather than fail, but say so.
    if (this.#wantConnect && this.isConnected && this.#client.config.urls.length === 0) this.#warn([NO_URL_WARNING]);
    if (this.#wantConnect && this.isConnected && this.#client.config.urls.length > 0) {
      this.#wantConnect = false;
      this.#disposed = false;
      this.#client.connect();
    }
  }

  protected render(): Child[] {
    const now = Date.now();
    const view = overlayView({
      detail: this.#detail,
      now,
      troubleSince: this.#troubleSince,
      gracePeriod: this.#overlay.gracePeriod,
      outageShown: this.#outageShown,
      expired: this.#expired,
      reconnectedUntil: this.#reconnectedUntil,
      unloading: this.#unloading,
    });
    const mode = this.#overlay.mode;
    const blocking = mode === 'modal' && view !== 'none' && view !== 'reconnected';
    this.#view = view;
    if (view !== 'none' && view !== 'reconnected' && view !== 'expired') this.#outageShown = true;
    this.#scheduleOverlay(view, now);
    const announce = view === 'none' || mode === 'none' ? '' : this.#textFor(view);
    const urgent = view === 'failed' || view === 'expired';
    // Rendering happens before the DOM changes: the element with focus is still the person's.
    // Only a modal takes focus (a toast is announced by its live region and never moves focus).
    this.#opening = blocking && !this.#wasBlocking;
    this.#closing = !blocking && this.#wasBlocking;
    if (this.#opening) this.#rememberFocus();
    this.#hadFocus = this.#focusInOverlay();
    this.#wasBlocking = blocking;
    return [
      h('div', { class: 'app', inert: blocking }, h('slot')),
      renderOverlay({
        view,
        mode,
        position: this.#overlay.position,
        detail: this.#detail,
        now,
        text: view === 'none' ? '' : this.#attributeText(view),
        onRetry: () => this.#onRetryClick(),
        onReload: () => this.#onReloadClick(),
        onSlotChange: () => this.requestUpdate(),
        onFocusIn: (e) => this.#onOverlayFocusIn(e),
        firstConnect: !this.#everOpen,
        onDismiss: () => {
          this.#expired = false;
          // The expired notice stood in for the confirmation: dismissing it must not bring that up.
          this.#reconnectedUntil = null;
          this.requestUpdate();
        },
      }),
      mode !== 'none' && [
        h(
          'div',
          { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
          urgent ? '' : announce,
        ),
        h(
          'div',
          { class: 'visually-hidden', role: 'alert', 'aria-live': 'assertive', 'aria-atomic': 'true' },
          urgent ? announce : '',
        ),
      ],
    ];
  }

  /** Renders as LitElement would, with the overlay's own small patcher instead of lit-html (see overlay/dom.ts). */
  protected override update(changed: PropertyValues<this>): void {
    const view = this.render();
    super.update(changed);
    patch(this.renderRoot, view);
  }

  protected override updated(): void {
    // A modal takes focus when it opens, and again if the button holding it went away (view change).
    if (this.#wasBlocking && (this.#opening || (this.#hadFocus && !this.#focusInOverlay()))) {
      const box = this.renderRoot.querySelector<HTMLElement>('[part="overlay"]');
      (box?.querySelector('button') ?? box)?.focus();
    }
    this.#opening = false;
    // A modal that turned into a toast (overlay="toast") hands focus back: a toast never holds it.
    if (this.#closing && this.#focusInOverlay()) {
      // Nothing had focus before the modal: give it back to the page as it was.
      if (this.#returnFocus) this.#restoreFocus(true);
      else (this.shadowRoot?.activeElement as HTMLElement | null)?.blur();
    }
    this.#closing = false;
    if (this.#view === 'none' || this.#view === 'reconnected') this.#restoreFocus();
  }

  #focusInOverlay(): boolean {
    const active = this.shadowRoot?.activeElement;
    return !!active && !!this.renderRoot.querySelector('[part="overlay"]')?.contains(active);
  }

  /** The person moved into a toast (Tab): remember where from, so Dismiss can give focus back there. */
  #onOverlayFocusIn(e: FocusEvent): void {
    const from = e.relatedTarget;
    if (from instanceof HTMLElement && !this.renderRoot.contains(from)) this.#returnFocus ??= from;
  }

  #rememberFocus(): void {
    if (this.#returnFocus || typeof document === 'undefined') return;
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (active instanceof HTMLElement && active !== document.body && !this.renderRoot.contains(active)) {
      this.#returnFocus = active;
    }
  }

  /** Gives focus back once the trouble is over, unless the person has put it somewhere since. */
  #restoreFocus(fromOverlay = false): void {
    const target = this.#returnFocus;
    if (!target) return;
    this.#returnFocus = null;
    const active = document.activeElement;
    const lost = fromOverlay || active === null || active === document.body || active === this;
    if (lost && target.isConnected) target.focus({ preventScroll: true });
  }

  /** One timer wakes the overlay when the grace period ends, the countdown ticks, or the confirmation ends. */
  #scheduleOverlay(view: OverlayView, now: number): void {
    clearTimeout(this.#overlayTimer);
    this.#overlayTimer = undefined;
    if (!this.isConnected || this.#overlay.mode === 'none') return;
    let wait: number | null = null;
    const d = this.#detail;
    if (
      view === 'none' &&
      this.#troubleSince !== null &&
      (d?.status === 'reconnecting' || d?.status === 'connecting')
    ) {
      wait = this.#troubleSince + graceFor(d, this.#overlay.gracePeriod) - now;
    } else if (view === 'reconnecting' && d?.nextAttemptAt != null) {
      wait = msUntilNextSecond(d.nextAttemptAt, now);
    } else if (view === 'reconnected' && this.#reconnectedUntil !== null) {
      wait = this.#reconnectedUntil - now;
    }
    if (wait !== null) this.#overlayTimer = setTimeout(() => this.requestUpdate(), Math.max(0, wait));
  }

  #attributeText(view: VisibleView): string {
    const fromAttribute = {
      // As Panel's disconnect_notification: one disconnect text also serves while reconnecting.
      reconnecting: this.reconnectingMessage ?? this.disconnectedMessage,
      offline: this.offlineMessage,
      failed: this.failedMessage,
      disconnected: this.disconnectedMessage,
      expired: this.expiredMessage,
      reconnected: this.reconnectedMessage,
    }[view];
    if (fromAttribute != null) return fromAttribute;
    // A planned restart (the server's retry frame or 1012) is not a lost connection.
    if (view === 'reconnecting' && this.#detail?.code === CloseCode.serviceRestart) return RESTARTING_TEXT;
    if (!this.#everOpen && (view === 'reconnecting' || view === 'failed')) return FIRST_CONNECT_TEXTS[view];
    return DEFAULT_TEXTS[view];
  }

  /** What screen readers hear: the slotted replacement's text if there is one. */
  #textFor(view: VisibleView): string {
    const slotted = this.querySelector(`:scope > [slot="${view}"]`)?.textContent?.trim();
    const text = slotted || this.#attributeText(view);
    if (view === 'reconnecting') return this.#everOpen ? `${text} Reconnecting…` : text;
    // The server's close reason is on screen under the message: announce it with it.
    const reason = this.#detail?.cause === 'manual' ? '' : this.#detail?.reason;
    return view === 'failed' && reason ? `${text} ${reason}` : text;
  }

  #onRetryClick(): void {
    const status = this.#client.status;
    if (this.dispatchEvent(new SessionRetryEvent({ status }))) this.retryNow();
  }

  #onReloadClick(): void {
    if (this.dispatchEvent(new SessionReloadEvent({ reason: this.#expiredReason }))) location.reload();
  }

  #listenToPage(): void {
    if (this.#pageSignals || typeof window === 'undefined') return;
    this.#pageSignals = new AbortController();
    const opts = { signal: this.#pageSignals.signal };
    const leaving = () => {
      this.#unloading = true;
      this.requestUpdate();
    };
    window.addEventListener('pagehide', leaving, opts);
    window.addEventListener(
      'beforeunload',
      () => {
        leaving();
        // If the page stays (the unload was cancelled), the overlay comes back.
        clearTimeout(this.#unloadTimer);
        this.#unloadTimer = setTimeout(() => {
          this.#unloading = false;
          this.requestUpdate();
        }, 1000);
      },
      opts,
    );
    window.addEventListener(
      'pageshow',
      () => {
        this.#unloading = false;
        this.requestUpdate();
      },
      opts,
    );
  }

  #syncSessionId(): void {
    if (this.sessionId !== this.#client.sessionId) this.#client.sessionId = this.sessionId;
  }

  #applyConfig(): void {
    this.#configDirty = false;
    const { config, warnings } = parseConfig(this.#rawAttributes(), this.#baseUrl());
    this.#warn(warnings);
    this.#client.configure(config);
    this.#client.persistKey = this.persist === null ? null : this.persist || config.urls[0] || 'default';
  }

  #warn(warnings: string[]): void {
    for (const w of warnings) {
      if (this.#warned.has(w)) continue;
      this.#warned.add(w);
      console.warn(w);
    }
  }

  #onStatus(detail: StatusDetail): void {
    const now = Date.now();
    if (detail.status === 'open') {
      this.#everOpen = true;
      // Confirm recovery only for an outage the person saw.
      if (this.#outageShown) this.#reconnectedUntil = now + this.#overlay.reconnectedDuration;
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
    this.status = detail.status;
    this.requestUpdate();
    this.dispatchEvent(new SessionStatusEvent(detail));
    if (detail.status === 'failed' && detail.previous !== 'failed') this.dispatchEvent(new SessionFailedEvent(detail));
  }

  #rawAttributes(): RawAttributes {
    // Built from the list rather than spelled out: the bundle carries the sixteen names once.
    const attrs = Object.fromEntries(CONFIG_PROPERTIES.map((p) => [p, raw(this[p] as Setting)]));
    return { ...attrs, pauseHidden: this.pauseHidden } as RawAttributes;
  }

  #baseUrl(): string {
    return typeof location === 'undefined' ? 'http://localhost/' : location.href;
  }
}
