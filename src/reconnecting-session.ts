import { LitElement, html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { SessionClient } from './client/session-client.js';
import type { Payload } from './client/payload.js';
import type { Status, StatusDetail } from './client/types.js';
import { parseConfig, type RawAttributes } from './config.js';
import {
  SessionErrorEvent,
  SessionFailedEvent,
  SessionMessageEvent,
  SessionNewEvent,
  SessionRecoveredEvent,
  SessionResumedEvent,
  SessionStatusEvent,
} from './events.js';
import { styles } from './reconnecting-session.styles.js';

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
  'sessionParam',
  'heartbeatInterval',
  'heartbeatTimeout',
  'connectTimeout',
  'pauseHidden',
] as const;

type Setting = string | number | null;
const raw = (v: Setting | undefined): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Keeps a page attached to its server session through drops, sleep and restarts.
 *
 * @tag reconnecting-session
 * @fires session-status - every status change and newly scheduled attempt (`SessionStatusEvent`)
 * @fires session-message - data from the server (`SessionMessageEvent`)
 * @fires session-error - a problem the element survived (`SessionErrorEvent`)
 * @fires session-failed - automatic attempts exhausted or a fatal close code (`SessionFailedEvent`)
 * @fires session-resumed - session mode: the old session continued (`SessionResumedEvent`)
 * @fires session-new - session mode: a new session started, with the reason (`SessionNewEvent`)
 * @fires session-recovered - the outage report when the connection is back (`SessionRecoveredEvent`)
 * @slot - the application; the element does not change its layout
 */
export class ReconnectingSessionElement extends LitElement {
  static override styles = styles;

  /** WebSocket URL; several separated by spaces are tried in turn. Relative and http(s) URLs are resolved against the page. */
  @property() url: string | null = null;
  /** `plain` (any WebSocket server) or `session` (the resumable session protocol). */
  @property() protocol: string | null = null;
  /** `auto`, `prompt` (only the retry button) or `off`. */
  @property() reconnect: string | null = null;
  /** Explicit delays in milliseconds, e.g. `1000,2000,4000`. */
  @property() delays: string | null = null;
  @property({ attribute: 'initial-delay' }) initialDelay: Setting = null;
  @property({ attribute: 'max-delay' }) maxDelay: Setting = null;
  @property() factor: Setting = null;
  @property({ attribute: 'max-attempts' }) maxAttempts: Setting = null;
  /** 0..1: each delay is spread uniformly over ±jitter of itself. */
  @property() jitter: Setting = null;
  @property({ attribute: 'max-queue' }) maxQueue: Setting = null;
  @property({ attribute: 'session-param' }) sessionParam: string | null = null;
  @property({ attribute: 'heartbeat-interval' }) heartbeatInterval: Setting = null;
  @property({ attribute: 'heartbeat-timeout' }) heartbeatTimeout: Setting = null;
  @property({ attribute: 'connect-timeout' }) connectTimeout: Setting = null;
  @property({ type: Boolean, attribute: 'pause-hidden' }) pauseHidden = false;
  /** Do not connect when added to the page; call `connect()`. */
  @property({ type: Boolean }) manual = false;
  /** Keep the session in sessionStorage so a reload resumes it; the value, if any, names the storage slot. */
  @property() persist: string | null = null;
  /** The session ID; reflected when the server assigns one. */
  @property({ attribute: 'session-id', reflect: true }) sessionId: string | null = null;
  /** Current connection status (read-only; reflected for CSS). */
  @property({ reflect: true }) status: Status = 'idle';

  #client: SessionClient;
  #detail: StatusDetail | null = null;
  #warned = new Set<string>();
  #wantConnect = false;
  #teardownPending = false;
  #stoppedByPage = false;

  constructor() {
    super();
    const { config } = parseConfig(this.#rawAttributes(), this.#baseUrl());
    this.#client = new SessionClient(config, {
      status: (d) => this.#onStatus(d),
      message: (d) => this.dispatchEvent(new SessionMessageEvent(d)),
      error: (d) => this.dispatchEvent(new SessionErrorEvent(d)),
      session: (d) => this.dispatchEvent(d.resumed ? new SessionResumedEvent(d) : new SessionNewEvent(d)),
      recovered: (d) => this.dispatchEvent(new SessionRecoveredEvent(d)),
      sessionId: (id) => {
        this.sessionId = id;
      },
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

  /** For a session pre-issued by the server: its secret resume token (never an attribute). */
  set resumeToken(token: string | null) {
    this.#client.resumeToken = token;
  }

  connect(): void {
    this.#stoppedByPage = false;
    this.#client.connect();
  }

  /** Closes cleanly and stays closed (also when the element is moved) until `connect()`. */
  disconnect(): void {
    this.#stoppedByPage = true;
    this.#client.disconnect();
  }

  retryNow(): void {
    this.#stoppedByPage = false;
    this.#client.retryNow();
  }

  /** Sends now, or queues until the connection is open; throws when the queue is full. */
  send(data: Payload): void {
    this.#client.send(data);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A move is a disconnect and a connect in the same task: keep the socket.
    this.#teardownPending = false;
    if (!this.manual && !this.#stoppedByPage && (this.#client.status === 'idle' || this.#client.status === 'closed')) {
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
      this.#client.dispose();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (CONFIG_PROPERTIES.some((p) => changed.has(p)) || changed.has('persist')) {
      const { config, warnings } = parseConfig(this.#rawAttributes(), this.#baseUrl());
      for (const w of warnings) {
        if (this.#warned.has(w)) continue;
        this.#warned.add(w);
        console.warn(w);
      }
      this.#client.configure(config);
      this.#client.persistKey = this.persist === null ? null : this.persist || config.urls[0] || 'default';
    }
    if (changed.has('sessionId') && this.sessionId !== this.#client.sessionId) {
      this.#client.sessionId = this.sessionId;
    }
    // Connect here, with the configuration applied, so the status it sets joins this update.
    if (this.#wantConnect && this.isConnected) {
      this.#wantConnect = false;
      this.#client.connect();
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  #onStatus(detail: StatusDetail): void {
    this.#detail = detail;
    this.status = detail.status;
    this.dispatchEvent(new SessionStatusEvent(detail));
    if (detail.status === 'failed' && detail.previous !== 'failed') this.dispatchEvent(new SessionFailedEvent(detail));
  }

  #rawAttributes(): RawAttributes {
    return {
      url: raw(this.url),
      protocol: raw(this.protocol),
      reconnect: raw(this.reconnect),
      delays: raw(this.delays),
      initialDelay: raw(this.initialDelay),
      maxDelay: raw(this.maxDelay),
      factor: raw(this.factor),
      maxAttempts: raw(this.maxAttempts),
      jitter: raw(this.jitter),
      maxQueue: raw(this.maxQueue),
      sessionParam: raw(this.sessionParam),
      heartbeatInterval: raw(this.heartbeatInterval),
      heartbeatTimeout: raw(this.heartbeatTimeout),
      connectTimeout: raw(this.connectTimeout),
      pauseHidden: this.pauseHidden,
    };
  }

  #baseUrl(): string {
    return typeof location === 'undefined' ? 'http://localhost/' : location.href;
  }
}
