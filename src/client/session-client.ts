/**
 * The connection state machine: owns the WebSocket, every timer and every window/document
 * listener, and renders nothing. The element is a thin layer over it.
 */
import { CloseCode, isFatalCloseCode, type RetryHint } from '../protocol/close-codes.js';
import type { ClientConfig } from '../config.js';
import { defaultEnvironment, type ClientEnvironment, type SocketLike } from './environment.js';
import { credentialProtocols, getCredential, type Credential } from './credential.js';
import { Outbox, OutboxFullError } from './outbox.js';
import { PageLifecycle } from './page-lifecycle.js';
import { saveSnapshot, type SessionSnapshot } from './persistence.js';
import { plainData, toPlainWire, toSessionWire, wireSize, type Payload, type WirePayload } from './payload.js';
import { withoutCredentials, withoutCredentialsInText } from './redact.js';
import { ReconnectSchedule } from './reconnect-schedule.js';
import { SessionLayer } from './session-layer.js';
import type { Cause, ClientDelegate, MessageCallback, StatusDetail, Status } from './types.js';

type Pause = 'offline' | 'hidden' | null;

/** Default `highWaterMark`: past it a page that paces itself waits for `drain`. */
export const HIGH_WATER_MARK = 1024 * 1024;
/** Plain mode learns of a draining socket buffer only by looking. */
const DRAIN_POLL_MS = 10;

export class SessionClient {
  #config: ClientConfig;
  readonly #delegate: ClientDelegate;
  readonly #env: ClientEnvironment;

  #status: Status = 'idle';
  #cause: Cause | null = null;
  #code: number | null = null;
  #reason = '';
  #urlIndex = 0;
  #paused: Pause = null;

  #ws: SocketLike | null = null;
  /** True once the socket is usable: opened (plain) or welcomed (session). */
  #ready = false;
  #signals: AbortController | null = null;

  #waitTimer: number | undefined;
  #connectTimer: number | undefined;
  #drainTimer: number | undefined;
  /** A send() took the buffered amount to the high-water mark: `drain` is owed. */
  #needDrain = false;

  /**
   * Set it to take each incoming message as `(data, seq)` instead of the delegate's `message`:
   * no objects made per message, for pages that handle thousands a second.
   */
  onmessage: MessageCallback | null = null;
  /** Bytes buffered at which a pacing page should wait for `drain` (fired at half of it). */
  highWaterMark = HIGH_WATER_MARK;
  /**
   * The credential: in session mode sent in every `hello` (new session or resume) and in answer to `reauth`; in
   * plain mode offered as a `base64url.bearer.…` subprotocol with every socket. A function is called for each, so
   * it can hand out a fresh token; its result never goes into a URL.
   */
  auth: Credential | null = null;
  /** The attempt waits for the credential: a connect timeout now is the credential's. */
  #authing = false;
  /** A 4401 was answered with one immediate attempt; another before an open is final. */
  #authRetried = false;
  /** When the socket opened (plain mode): one that lived a connect timeout had its credential taken. */
  #openedAt = 0;

  readonly #outbox: Outbox<WirePayload>;
  readonly #session: SessionLayer;
  readonly #schedule: ReconnectSchedule;
  readonly #page: PageLifecycle;

  #outageStart: number | null = null;
  /** `persist`: when this page let go of the session (or its outage began), so a reload's resume reports the outage. */
  #leftAt: number | null = null;
  #outageCause: Cause | null = null;
  #outageCode: number | null = null;
  #outageAttempts = 0;

  #persistKey: string | null = null;

  /**
   * `env` replaces parts of the default environment: in Node pass `{ WebSocket }` from the `ws`
   * package; outside a page there are no online/visibility signals.
   */
  constructor(config: ClientConfig, delegate: ClientDelegate, env: Partial<ClientEnvironment> = {}) {
    this.#config = config;
    this.#delegate = delegate;
    this.#env = { ...defaultEnvironment(), ...env };
    this.#outbox = new Outbox(config.maxQueue, config.maxQueueBytes);
    this.#page = new PageLifecycle(this.#env, (signal, persisted) => {
      if (signal === 'pagehide') this.#onPageHide(persisted);
      else if (signal === 'pageshow') this.#onPageShow(persisted);
      delegate.unloading?.(this.#page.unloading);
    });
    const schedule = (this.#schedule = new ReconnectSchedule(this.#env));
    this.#session = new SessionLayer(
      config,
      {
        abandon: (cause: Cause) => this.#abandon(cause),
        open: (ws: SocketLike, resumed: boolean) => {
          this.#becameOpen(ws, resumed);
          if (this.#ws === ws) this.#checkDrain();
        },
        drain: () => this.#checkDrain(),
        persist: () => this.#persist(),
        acked: (seq: number) => {
          schedule.acked();
          delegate.acked?.(seq);
        },
        retry: (hint: RetryHint, code?: number) => schedule.retry(hint, code),
        reauth: () => {
          const ws = this.#ws!;
          // On failure the server closes with 4401 at its deadline, and the resume fetches a credential again.
          getCredential(this.auth!, (auth, why) =>
            auth === null ? this.#authError(why!) : this.#session.authenticate(ws, auth),
          );
        },
      },
      delegate,
      this.#env,
      this.#outbox,
    );
  }

  get status(): Status {
    return this.#status;
  }

  get attempt(): number {
    return this.#schedule.attempt;
  }

  get nextAttemptAt(): number | null {
    return this.#schedule.nextAttemptAt;
  }

  /** Messages waiting: not yet sent (plain) or not yet acknowledged (session). */
  get queued(): number {
    return this.#outbox.size;
  }

  /**
   * Bytes waiting to go out, like `WebSocket.bufferedAmount`: queued and not yet sent, plus (plain
   * mode) the socket's own buffer, or (session mode) sent and not yet acknowledged. JSON and text
   * count their UTF-16 length.
   */
  get bufferedAmount(): number {
    const ws = this.#ws;
    const inSocket = this.#config.protocol === 'plain' && ws && this.#ready ? (ws.bufferedAmount ?? 0) : 0;
    return this.#outbox.bytes + inSocket;
  }

  get sessionId(): string | null {
    return this.#session.sid;
  }

  set sessionId(id: string | null) {
    this.#session.sid = id;
  }

  /** For pre-issued sessions: the secret the server handed the page along with the ID. */
  set resumeToken(token: string | null) {
    this.#session.token = token;
  }

  get config(): ClientConfig {
    return this.#config;
  }

  /** sessionStorage key for `persist`; null disables persistence. A URL used as the key loses its credentials. */
  get persistKey(): string | null {
    return this.#persistKey;
  }

  set persistKey(key: string | null) {
    this.#persistKey = key === null ? null : withoutCredentials(key);
  }

  /** Applies new settings; a changed URL list reconnects at once if a connection is live. */
  configure(config: ClientConfig): void {
    const urlsChanged = config.urls.join(' ') !== this.#config.urls.join(' ');
    const modeChanged = config.protocol !== this.#config.protocol;
    this.#config = config;
    this.#session.configure(config);
    // Same outbox, new bounds: a new one would restart the sequence numbers mid-session.
    this.#outbox.maxMessages = config.maxQueue;
    this.#outbox.maxBytes = config.maxQueueBytes;
    if (urlsChanged && this.#status === 'failed' && this.#cause === 'no-url') return this.#startCycle();
    if ((urlsChanged || modeChanged) && this.#isActive()) {
      this.#urlIndex = 0;
      this.#dropSocket(CloseCode.normal, 'configuration changed');
      this.#schedule.resetAttempts();
      this.#openSocket();
    }
  }

  connect(): void {
    if (this.#isActive()) return;
    this.#startCycle();
  }

  /** Skips the wait: an immediate attempt, or a fresh cycle after `failed`/`closed`. */
  retryNow(): void {
    if (this.#ws || this.#authing) return;
    if (this.#status === 'reconnecting' || this.#status === 'connecting') {
      this.#paused = null;
      this.#openSocket(true);
      return;
    }
    if (this.#status !== 'open') this.#startCycle();
  }

  /** Closes cleanly and does not reconnect. Queued messages stay for a later `connect()`. */
  disconnect(code: number = CloseCode.normal, reason = 'client disconnect'): void {
    this.#leftAt ??= this.#outageStart ?? this.#env.now();
    this.#persist();
    this.#dropSocket(code, reason);
    this.#clearAllTimers();
    this.#paused = null;
    this.#outageStart = null;
    this.#schedule.resetAttempts();
    this.#removeSignals();
    if (this.#status !== 'closed' && this.#status !== 'idle') {
      this.#setStatus('closed', { cause: 'manual', code, reason });
    }
  }

  /** Stops everything and forgets listeners: the owner is going away. */
  dispose(): void {
    this.disconnect(CloseCode.goingAway, 'element removed');
  }

  /** Returns the message's seq in session mode, null in plain mode. */
  send(data: Payload): number | null {
    return this.sendWire(this.#config.protocol === 'session' ? toSessionWire(data) : toPlainWire(data));
  }

  /**
   * `send()` of a payload already in wire form for this mode (`share`: a follower tab encoded it).
   * @internal
   */
  sendWire(wire: WirePayload): number | null {
    const session = this.#config.protocol === 'session';
    if (session) this.#session.checkFrameSize(wire);
    // A socket already closing would drop the data without a word: queue it for the next open instead.
    if (!session && this.#ready && this.#ws?.readyState === 1) {
      this.#ws.send(plainData(wire));
      if (!this.#needDrain) this.#checkHighWater();
      return null;
    }
    let entry;
    try {
      entry = this.#outbox.push(wire, wireSize(wire));
    } catch (error) {
      if (error instanceof OutboxFullError) this.#delegate.error({ kind: 'queue-full', message: error.message });
      throw error;
    }
    if (session) {
      // Told before it can reach the server: another tab must know the seq if this one dies now.
      this.#delegate.queued?.(entry);
      this.#session.transmit(entry);
    }
    if (!this.#needDrain) this.#checkHighWater();
    return session ? entry.seq : null;
  }

  #checkHighWater(): void {
    if (this.bufferedAmount < this.highWaterMark) return;
    this.#needDrain = true;
    if (this.#config.protocol === 'plain' && this.#ready) this.#pollDrain();
  }

  /** Fires `drain` once the buffered amount is down to half the high-water mark; acks (session) or polling (plain) call it. */
  #checkDrain(): void {
    if (!this.#needDrain) return;
    const bufferedAmount = this.bufferedAmount;
    if (bufferedAmount > this.highWaterMark / 2) {
      // Closed, the queue only shrinks when a socket opens again, which checks.
      if (this.#config.protocol === 'plain' && this.#ready) this.#pollDrain();
      return;
    }
    this.#needDrain = false;
    this.#delegate.drain?.({ bufferedAmount, highWaterMark: this.highWaterMark });
  }

  #pollDrain(): void {
    if (this.#drainTimer !== undefined) return;
    this.#drainTimer = this.#env.setTimeout(() => {
      this.#drainTimer = undefined;
      this.#checkDrain();
    }, DRAIN_POLL_MS);
  }

  #isActive(): boolean {
    return this.#status === 'connecting' || this.#status === 'open' || this.#status === 'reconnecting';
  }

  #startCycle(): void {
    this.#schedule.restart();
    this.#authRetried = false;
    this.#paused = null;
    this.#addSignals();
    if (this.#persistKey && this.#config.protocol === 'session') {
      this.#session.restore(this.#env.storage(), this.#persistKey);
    }
    this.#openSocket();
  }

  #setStatus(status: Status, patch: Partial<StatusDetail> = {}): void {
    const previous = this.#status;
    this.#status = status;
    if ('cause' in patch) this.#cause = patch.cause ?? null;
    if ('code' in patch) this.#code = patch.code ?? null;
    if ('reason' in patch) this.#reason = patch.reason ?? '';
    if (status === 'open') {
      this.#cause = null;
      this.#code = null;
      this.#reason = '';
    }
    this.#delegate.status({
      status,
      previous,
      attempt: this.#schedule.attempt,
      maxAttempts: this.#config.maxAttempts,
      delayMs: this.#schedule.delayMs,
      nextAttemptAt: this.#schedule.nextAttemptAt,
      cause: this.#cause,
      code: this.#code,
      reason: this.#reason,
      url: this.#publicUrl(),
    });
  }

  #currentUrl(): string | null {
    const urls = this.#config.urls;
    return urls.length ? urls[this.#urlIndex % urls.length]! : null;
  }

  /** The current URL as events show it: `wss://user:pass@host` would put the password in every listener's hands. */
  #publicUrl(): string | null {
    const url = this.#currentUrl();
    return url === null ? null : withoutCredentials(url);
  }

  #socketUrl(): string | null {
    const base = this.#currentUrl();
    if (!base) return null;
    const sid = this.#session.sid;
    if (this.#config.protocol !== 'plain' || !sid) return base;
    const url = new URL(base);
    url.searchParams.set(this.#config.sessionParam, sid);
    return url.href;
  }

  /** `manual`: asked for by the page or a wake-up, not by the schedule, so it must not spend the attempt the schedule owes. */
  #openSocket(manual = false, patch?: Partial<StatusDetail>): void {
    this.#stopWaiting();
    if (!this.#env.isOnline()) return this.#pause('offline');
    if (this.#config.pauseHidden && this.#env.isHidden()) return this.#pause('hidden');
    this.#paused = null;
    this.#schedule.attempting(manual);
    const url = this.#socketUrl();
    if (!url) {
      this.#delegate.error({ kind: 'config', message: '<reconnecting-session>: no valid url to connect to' });
      return this.#fail('no-url', null, 'no url');
    }
    if (this.#outageStart !== null) this.#outageAttempts++;
    // Plain mode has no hello to carry the credential: it goes with the upgrade, so it is needed before dialling.
    const auth = this.#config.protocol === 'plain' && this.auth;
    if (!auth && !this.#dial(url)) return;
    this.#authing = !!auth;
    const timer = (this.#connectTimer = this.#env.setTimeout(
      () => (this.#authing ? this.#authFailed('timed out') : this.#abandon('timeout')),
      this.#config.connectTimeout,
    ));
    // After an open connection was lost this is a reconnect, counted or not (a 4401's immediate attempt is not).
    this.#setStatus(this.#schedule.attempt > 0 || this.#outageStart !== null ? 'reconnecting' : 'connecting', patch);
    if (auth) {
      getCredential(auth, (credential, why) => {
        // The attempt was given up (disconnect, failure, another attempt) while the credential was on its way.
        if (this.#connectTimer !== timer) return;
        this.#authing = false;
        if (credential === null) this.#authFailed(why!);
        else this.#dial(url, credentialProtocols(credential));
      });
    }
  }

  /** The attempt's socket; false when the browser would not make one (then the attempt is lost already). */
  #dial(url: string, protocols?: string[]): boolean {
    let ws: SocketLike;
    try {
      ws = new this.#env.WebSocket(url, protocols);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      this.#delegate.error({ kind: 'socket', message: withoutCredentialsInText(message) });
      this.#lost('network', null, '');
      return false;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#ready = false;
    ws.addEventListener('open', () => this.#ws === ws && this.#onOpen(ws));
    ws.addEventListener('message', (e) => this.#ws === ws && this.#onData(e.data));
    ws.addEventListener('close', (e) => this.#ws === ws && this.#onClose(e.code, e.reason));
    // The close event that follows says what happened; Node's `ws` would throw an unheard error instead.
    ws.addEventListener('error', () => {});
    return true;
  }

  /** The credential is fetched for each socket as it opens, within the same connect timeout. */
  #onOpen(ws: SocketLike): void {
    if (this.#config.protocol === 'plain') return this.#becameOpen(ws);
    if (!this.auth) return this.#session.hello(ws, this.#outageStart);
    this.#authing = true;
    getCredential(this.auth, (auth, why) => {
      if (this.#ws !== ws) return;
      this.#authing = false;
      if (auth === null) this.#authFailed(why!);
      else this.#session.hello(ws, this.#outageStart, auth);
    });
  }

  #authFailed(why: string): void {
    this.#authError(why);
    this.#fail('auth', null, '');
  }

  #authError(why: string): void {
    this.#delegate.error({ kind: 'auth', message: `auth ${why}` });
  }

  #becameOpen(ws: SocketLike, resumed: boolean | null = null): void {
    this.#env.clearTimeout(this.#connectTimer);
    this.#ready = true;
    const outage = this.#outageStart;
    const attempts = this.#outageAttempts;
    this.#outageStart = null;
    this.#leftAt = null;
    // Only a welcome says the credential was taken: a plain socket opens before its server can close it with
    // 4401, and resetting there would answer every 4401 with another immediate attempt, for ever.
    if (resumed !== null) this.#authRetried = false;
    this.#openedAt = this.#env.now();
    this.#schedule.opened();
    if (this.#config.protocol === 'plain') {
      for (const entry of this.#outbox.drain()) ws.send(plainData(entry.data));
      this.#checkDrain();
    }
    this.#setStatus('open');
    if (outage !== null && this.#ws === ws) {
      this.#delegate.recovered({
        outageMs: Math.max(0, this.#env.now() - outage),
        cause: this.#outageCause ?? 'network',
        attempts,
        resumed,
        code: this.#outageCode,
      });
    }
  }

  #onData(data: unknown): void {
    // Plain mode has no heartbeat: nothing reads the clock there.
    if (this.#config.protocol === 'plain') {
      const cb = this.onmessage;
      if (cb) cb(data, null);
      else this.#delegate.message({ data, seq: null });
      return;
    }
    this.#session.receive(data, this.onmessage);
  }

  #onClose(code: number, reason: string): void {
    const cause: Cause =
      code === 1006 || code === 1005 ? 'network' : code === CloseCode.protocolError ? 'protocol' : 'server-close';
    this.#ws = null;
    this.#ready = false;
    this.#lost(cause, code, reason);
  }

  /** Gives up on a socket that will not report its own death (timeout, heartbeat, protocol gap). */
  #abandon(cause: Cause): void {
    this.#dropSocket(CloseCode.abandoned, cause);
    this.#lost(cause, null, '');
  }

  #dropSocket(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    this.#clearSocketTimers();
    if (!ws) return;
    try {
      ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason.slice(0, 120));
    } catch {
      // Already closing: nothing more to do.
    }
  }

  #lost(lostBy: Cause, closeCode: number | null, reason: string): void {
    const code = this.#schedule.closeCode(closeCode);
    const wasOpen = this.#status === 'open';
    this.#clearSocketTimers();
    // The page is leaving: a socket closed by the browser now is not an outage to report.
    if (this.#page.leaving) return;
    // A socket that dies while the browser says it is offline died of that, whatever the symptom.
    const symptom = lostBy === 'network' || lostBy === 'heartbeat' || lostBy === 'timeout';
    const cause: Cause = symptom && !this.#env.isOnline() ? 'offline' : lostBy;
    if (wasOpen) {
      // Plain mode: a socket the server kept a connect timeout long took the credential; a 4401 now is a new
      // expiry, which gets its own fresh credential at once, as a welcome would have allowed in session mode.
      if (this.#env.now() - this.#openedAt >= this.#config.connectTimeout) this.#authRetried = false;
      this.#outageStart = this.#env.now();
      this.#outageCause = cause;
      this.#outageCode = code;
      this.#outageAttempts = 0;
      this.#persist();
    } else {
      // The next attempt tries the next URL in the list.
      this.#urlIndex++;
    }
    this.#schedule.lost(wasOpen, lostBy === 'protocol');
    const refused = code === CloseCode.tooBig && this.#config.protocol === 'session' && this.#session.dropRefused();
    if (code !== null && isFatalCloseCode(code) && !refused) {
      // An expired credential: a fresh one at once, once, and not counted as an attempt; the session resumes.
      if (code === CloseCode.unauthorized && !this.#authRetried) {
        this.#authRetried = true;
        return this.#openSocket(true, { cause, code, reason });
      }
      // The fatal codes from 4000 up are 4401 and 4403.
      return this.#fail(code === CloseCode.policy ? 'policy' : code >= 4000 ? 'auth' : 'protocol', code, reason);
    }
    if (code === CloseCode.sessionClosed || code === CloseCode.replaced) {
      this.#outageStart = null;
      this.#removeSignals();
      return this.#setStatus('closed', { cause, code, reason });
    }
    const hint = this.#schedule.takeHint(code, reason);
    const { reconnect } = this.#config;
    if (reconnect === 'off') {
      this.#removeSignals();
      return this.#setStatus('closed', { cause, code, reason });
    }
    if (reconnect === 'prompt') return this.#fail(cause, code, reason);
    const offline = !this.#env.isOnline();
    const delay = this.#schedule.next(this.#config, hint, offline);
    if (delay === null) return this.#fail(cause, code, reason);
    if (offline) return this.#pause('offline', { code, reason });
    this.#waitFor(delay, { cause, code, reason });
  }

  #waitFor(delay: number, patch: Partial<StatusDetail>): void {
    this.#schedule.wait(delay);
    this.#waitTimer = this.#env.setTimeout(() => this.#attemptDue(), delay);
    this.#setStatus('reconnecting', patch);
  }

  #attemptDue(): void {
    this.#waitTimer = undefined;
    const remaining = this.#schedule.remaining();
    if (remaining) this.#waitTimer = this.#env.setTimeout(() => this.#attemptDue(), remaining);
    else this.#openSocket();
  }

  #stopWaiting(): void {
    this.#env.clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    this.#schedule.cancel();
  }

  /** Attempts wait, uncounted, for the network to come back or the page to be shown. */
  #pause(kind: 'offline' | 'hidden', patch: Partial<StatusDetail> = {}): void {
    this.#stopWaiting();
    this.#paused = kind;
    const status = this.#schedule.attempt > 0 || this.#status === 'reconnecting' ? 'reconnecting' : 'connecting';
    this.#setStatus(status, { ...patch, cause: kind });
  }

  #fail(cause: Cause, code: number | null, reason: string): void {
    this.#dropSocket(CloseCode.normal, 'failed');
    this.#clearAllTimers();
    this.#paused = null;
    this.#setStatus('failed', { cause, code, reason });
  }

  #wake(): void {
    if (this.#page.leaving) return;
    if (this.#status === 'open') return this.#session.probe();
    const waiting = this.#waitTimer !== undefined || this.#paused !== null;
    if (!waiting || (this.#status !== 'reconnecting' && this.#status !== 'connecting')) return;
    const held = this.#schedule.held();
    if (held > 0) {
      if (this.#paused === 'offline' && this.#env.isOnline()) {
        this.#paused = null;
        this.#waitFor(held, { cause: 'server-close' });
      }
      return;
    }
    this.#openSocket(true);
  }

  #addSignals(): void {
    if (this.#signals) return;
    this.#signals = new AbortController();
    const opts = { signal: this.#signals.signal };
    const { window: win, document: doc } = this.#env;
    win.addEventListener('online', () => this.#wake(), opts);
    win.addEventListener(
      'offline',
      () => {
        if (this.#status === 'open') this.#session.probe();
        else if (this.#waitTimer !== undefined) this.#pause('offline');
      },
      opts,
    );
    doc.addEventListener(
      'visibilitychange',
      () => {
        if (!this.#env.isHidden()) return this.#wake();
        this.#persist();
        if (this.#config.pauseHidden && this.#waitTimer !== undefined) this.#pause('hidden');
      },
      opts,
    );
    doc.addEventListener('resume', () => this.#wake(), opts);
    this.#page.listen(opts.signal);
  }

  #removeSignals(): void {
    this.#signals?.abort();
    this.#signals = null;
  }

  #onPageHide(persisted: boolean): void {
    this.#leftAt ??= this.#outageStart ?? this.#env.now();
    this.#persist();
    if (persisted && this.#ws) {
      // A page with an open WebSocket cannot enter the back-forward cache; close and resume on return.
      this.#dropSocket(CloseCode.normal, 'page hidden');
      this.#paused = 'hidden';
    }
  }

  #onPageShow(persisted: boolean): void {
    if (persisted && this.#paused === 'hidden') {
      this.#paused = null;
      this.#schedule.resetAttempts();
      this.#openSocket();
    } else if (persisted) {
      // Restored from the cache while waiting or paused: the network may be back, do not wait out the delay.
      this.#wake();
    }
  }

  #clearSocketTimers(): void {
    this.#env.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#authing = false;
    this.#session.stop();
  }

  #clearAllTimers(): void {
    this.#clearSocketTimers();
    this.#env.clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    this.#stopWaiting();
  }

  /**
   * `share`: takes over the session another tab held, before `connect()`.
   * @internal
   */
  adopt(snap: SessionSnapshot): void {
    this.#session.adopt(snap);
  }

  /**
   * `share`: client seqs up to `cleared` may go out, server seqs up to `ackCap` may be acknowledged.
   * @internal
   */
  gate(cleared: number, ackCap: number): void {
    this.#session.gate(cleared, ackCap);
  }

  #persist(): void {
    if (this.#config.protocol !== 'session') return;
    const snap = this.#session.snapshot(this.#leftAt);
    if (!snap) return;
    if (this.#persistKey) saveSnapshot(this.#env.storage(), this.#persistKey, snap);
    this.#delegate.snapshot?.(snap);
  }
}

export { OutboxFullError };
