import { ReactiveElement, type PropertyDeclaration, type PropertyValues } from 'lit';
import { SessionClient } from './client/session-client.js';
import type { Payload } from './client/payload.js';
import type { MessageCallback, SessionDetail, Status, StatusDetail } from './client/types.js';
import { NO_URL_WARNING, parseConfig, type RawAttributes } from './config.js';
import {
  SessionDrainEvent,
  SessionErrorEvent,
  SessionFailedEvent,
  SessionMessageEvent,
  SessionNewEvent,
  SessionRecoveredEvent,
  SessionResumedEvent,
  SessionStatusEvent,
} from './events.js';

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
 * The element without a face: settings to the client, the client's reports to events, the public methods and
 * the lifecycle. `ReconnectingSessionElement` adds the overlay; the no-overlay bundle registers it bare.
 */
export abstract class ReconnectingSessionBase extends ReactiveElement {
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

  constructor() {
    super();
    const { config } = parseConfig(this.#rawAttributes(), this.#baseUrl());
    this.#client = new SessionClient(config, {
      status: (d) => this.#onStatus(d),
      message: (d) => this.dispatchEvent(new SessionMessageEvent(d)),
      error: (d) => this.dispatchEvent(new SessionErrorEvent(d)),
      session: (d) => {
        this.sessionChanged(d);
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

  /** Each status the client reports, before the element takes it and announces it (the overlay's timing). */
  protected statusChanged(_detail: StatusDetail): void {}

  /** Session mode: a session was attached, resumed or new (the overlay's expired notice). */
  protected sessionChanged(_detail: SessionDetail): void {}

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
    this.statusChanged(detail);
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
