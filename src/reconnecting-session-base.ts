import { ReactiveElement, type PropertyDeclaration, type PropertyValues } from 'lit';
import { SessionClient } from './client/session-client.js';
import type { Credential } from './client/credential.js';
import type { Payload } from './client/payload.js';
import type {
  ClientDelegate,
  Connection,
  MessageCallback,
  SessionDetail,
  Status,
  StatusDetail,
} from './client/types.js';
import { NO_URL_WARNING, parseConfig, type ClientConfig, type RawAttributes } from './config.js';
import { SETTINGS, initialValue, settingProperties, settingsFor, type SettingValues } from './settings.js';
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

const CLIENT_SETTINGS = settingsFor('client');
/** Settings the client must hear of: its own, and where to keep the session. */
const CONFIG_KEYS = new Set<PropertyKey | undefined>([...CLIENT_SETTINGS, 'persist', 'share']);
const ACTIVE = new Set<Status>(['connecting', 'open', 'reconnecting']);

/** Makes the connection `share` asks for; the no-overlay bundle leaves it out (see `ReconnectingSessionBase.shared`). */
export type SharedConnectionFactory = (
  config: ClientConfig,
  delegate: ClientDelegate,
  key: string,
) => Connection | null;

const raw = (v: string | number | boolean | null | undefined) =>
  typeof v === 'boolean' ? v : v === null || v === undefined ? null : String(v);

// The properties are lit's accessors, made from the settings table; this gives them their types and docs.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface ReconnectingSessionBase extends SettingValues {}

/**
 * The element without a face: settings to the client, the client's reports to events, the public methods and
 * the lifecycle. `ReconnectingSessionElement` adds the overlay; the no-overlay bundle registers it bare.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class ReconnectingSessionBase extends ReactiveElement {
  static override properties = settingProperties();
  /** How `share` makes its connection; unset, `share` falls back to a socket per element. */
  static shared?: SharedConnectionFactory;

  /** A connection setting changed since the client last saw it. */
  #configDirty = true;
  #client: Connection;
  /** The `share` key the client was made for (null: a client of its own). */
  #shareKey: string | null = null;
  readonly #events: ClientDelegate;
  #detail: StatusDetail | null = null;
  #warned = new Set<string>();
  #wantConnect = false;
  #teardownPending = false;
  #stoppedByPage = false;
  /** The client was torn down by a removal (not closed by the server or the page). */
  #disposed = false;

  constructor() {
    super();
    for (const [name, row] of Object.entries(SETTINGS)) (this as Record<string, unknown>)[name] = initialValue(row);
    const { config } = parseConfig(this.#rawAttributes(), this.#baseUrl());
    this.#client = new SessionClient(
      config,
      (this.#events = {
        status: (d) => this.#onStatus(d),
        message: (d) => this.dispatchEvent(new SessionMessageEvent(d)),
        error: (d) => this.dispatchEvent(new SessionErrorEvent(d)),
        session: (d) => {
          this.sessionChanged(d);
          this.dispatchEvent(d.resumed ? new SessionResumedEvent(d) : new SessionNewEvent(d));
        },
        recovered: (d) => this.dispatchEvent(new SessionRecoveredEvent(d)),
        unloading: (unloading) => this.unloadingChanged(unloading),
        sessionId: (id) => {
          this.sessionId = id;
        },
        drain: (d) => this.dispatchEvent(new SessionDrainEvent(d)),
      }),
    );
    // Set before the element was defined, `auth` is an own property that would hide the accessor.
    if (Object.hasOwn(this, 'auth')) {
      const auth = this.auth;
      delete (this as { auth?: unknown }).auth;
      this.auth = auth;
    }
  }

  /**
   * The credential, a string or a function returning one (or a Promise of one), called before every attempt and
   * when the server asks for a fresh one: session mode sends it to the server's `authenticate`, plain mode offers
   * it as a `base64url.bearer.…` subprotocol. A property only: a credential must not sit in the DOM.
   * @type {Credential | null}
   */
  get auth(): Credential | null {
    return this.#client.auth;
  }

  set auth(auth: Credential | null) {
    this.#client.auth = auth;
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
    if (this.#configDirty || [...changed.keys()].some((p) => CONFIG_KEYS.has(p))) this.#applyConfig();
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

  /** The page is unloading, or stays after all (the client owns the page-lifecycle signals). */
  protected unloadingChanged(_unloading: boolean): void {}

  #syncSessionId(): void {
    if (this.sessionId !== this.#client.sessionId) this.#client.sessionId = this.sessionId;
  }

  #applyConfig(): void {
    this.#configDirty = false;
    const { config, warnings } = parseConfig(this.#rawAttributes(), this.#baseUrl());
    this.#warn(warnings);
    this.#useClient(config);
    this.#client.configure(config);
    this.#client.persistKey = this.persist === null ? null : this.persist || config.urls[0] || 'default';
  }

  /** `share` decides the kind of client; a change takes effect at once, carrying the page's settings over. */
  #useClient(config: ClientConfig): void {
    const want = this.share === null || this.share === undefined ? null : this.share || 'default';
    if (want === this.#shareKey) return;
    const had = !(this.#client instanceof SessionClient);
    this.#shareKey = want;
    const factory = (this.constructor as typeof ReconnectingSessionBase).shared;
    const shared = want === null ? null : (factory?.(config, this.#events, want) ?? null);
    if (want !== null && !shared) {
      this.#warn([
        '<reconnecting-session>: share needs Web Locks, BroadcastChannel and the full bundle; connecting alone.',
      ]);
    }
    if (!shared && !had) return;
    const old = this.#client;
    const next = shared ?? new SessionClient(config, this.#events);
    const active = ACTIVE.has(old.status);
    old.dispose();
    next.auth = old.auth;
    next.onmessage = old.onmessage;
    this.#client = next;
    if (active) next.connect();
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
    return Object.fromEntries(CLIENT_SETTINGS.map((name) => [name, raw(this[name])])) as RawAttributes;
  }

  #baseUrl(): string {
    return typeof location === 'undefined' ? 'http://localhost/' : location.href;
  }
}
