/**
 * The connection state machine: owns the WebSocket, every timer and every window/document
 * listener, and renders nothing. The element is a thin layer over it.
 */
import { CloseCode, isFatalCloseCode, parseRetryHint, type RetryHint } from '../protocol/close-codes.js';
import type { ClientConfig } from '../config.js';
import { baseDelay, hintDelay, withJitter } from './backoff.js';
import { defaultEnvironment, type ClientEnvironment, type SocketLike } from './environment.js';
import { Outbox, OutboxFullError } from './outbox.js';
import { plainData, toPlainWire, toSessionWire, wireSize, type Payload, type WirePayload } from './payload.js';
import { withoutCredentials, withoutCredentialsInText } from './redact.js';
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
  #attempt = 0;
  #delayMs: number | null = null;
  #nextAttemptAt: number | null = null;
  #cause: Cause | null = null;
  #code: number | null = null;
  #reason = '';
  #urlIndex = 0;
  #paused: Pause = null;

  #ws: SocketLike | null = null;
  /** True once the socket is usable: opened (plain) or welcomed (session). */
  #ready = false;
  #signals: AbortController | null = null;
  #unloading = false;
  /** Before this time (epoch ms) the server asked not to come back; wake-ups wait for it, retryNow() does not. */
  #hintUntil: number | null = null;
  #hintDelayMs = 0;
  /** Deadline of the automatic attempt the schedule owes; a manual attempt (retryNow, a wake-up) leaves it be. */
  #owedAt: number | null = null;
  #owedHintUntil: number | null = null;
  /** The socket in flight is a manual attempt made while an automatic one was owed. */
  #manual = false;

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

  readonly #outbox: Outbox<WirePayload>;
  readonly #session: SessionLayer;

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
    return this.#attempt;
  }

  get nextAttemptAt(): number | null {
    return this.#nextAttemptAt;
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
    this.#session.config = config;
    // Same outbox, new bounds: a new one would restart the sequence numbers mid-session.
    this.#outbox.maxMessages = config.maxQueue;
    this.#outbox.maxBytes = config.maxQueueBytes;
    if (urlsChanged && this.#status === 'failed' && this.#cause === 'no-url') return this.#startCycle();
    if ((urlsChanged || modeChanged) && this.#isActive()) {
      this.#urlIndex = 0;
      this.#dropSocket(CloseCode.normal, 'configuration changed');
      this.#attempt = 0;
      this.#openSocket();
    }
  }

  connect(): void {
    if (this.#isActive()) return;
    this.#startCycle();
  }

  /** Skips the wait: an immediate attempt, or a fresh cycle after `failed`/`closed`. */
  retryNow(): void {
    if (this.#ws) return;
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
    this.#attempt = 0;
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
    const session = this.#config.protocol === 'session';
    const wire = session ? toSessionWire(data) : toPlainWire(data);
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
    if (session) this.#session.transmit(entry);
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
    this.#attempt = 0;
    this.#session.strikes = 0;
    this.#owedAt = null;
    this.#paused = null;
    this.#unloading = false;
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
      attempt: this.#attempt,
      maxAttempts: this.#config.maxAttempts,
      delayMs: this.#nextAttemptAt === null ? null : this.#delayMs,
      nextAttemptAt: this.#nextAttemptAt,
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
  #openSocket(manual = false): void {
    this.#env.clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    this.#nextAttemptAt = null;
    const inCycle = this.#attempt > 0;
    if (!this.#env.isOnline()) return this.#pause('offline');
    if (this.#config.pauseHidden && this.#env.isHidden()) return this.#pause('hidden');
    this.#paused = null;
    this.#manual = manual && inCycle;
    if (this.#manual) this.#owedHintUntil = this.#hintUntil;
    else this.#owedAt = null;
    this.#hintUntil = null;
    const url = this.#socketUrl();
    if (!url) {
      this.#delegate.error({ kind: 'config', message: '<reconnecting-session>: no valid url to connect to' });
      return this.#fail('no-url', null, 'no url');
    }
    if (this.#outageStart !== null) this.#outageAttempts++;
    let ws: SocketLike;
    try {
      ws = new this.#env.WebSocket(url);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      this.#delegate.error({ kind: 'socket', message: withoutCredentialsInText(message) });
      return this.#lost('network', null, '');
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#ready = false;
    ws.addEventListener('open', () => this.#ws === ws && this.#onOpen(ws));
    ws.addEventListener('message', (e) => this.#ws === ws && this.#onData(e.data));
    ws.addEventListener('close', (e) => this.#ws === ws && this.#onClose(e.code, e.reason));
    // The close event that follows says what happened; Node's `ws` would throw an unheard error instead.
    ws.addEventListener('error', () => {});
    this.#connectTimer = this.#env.setTimeout(() => this.#abandon('timeout'), this.#config.connectTimeout);
    this.#setStatus(inCycle ? 'reconnecting' : 'connecting');
  }

  #onOpen(ws: SocketLike): void {
    if (this.#config.protocol === 'plain') return this.#becameOpen(ws);
    this.#session.hello(ws, this.#outageStart);
  }

  #becameOpen(ws: SocketLike, resumed: boolean | null = null): void {
    this.#env.clearTimeout(this.#connectTimer);
    this.#ready = true;
    const outage = this.#outageStart;
    const attempts = this.#outageAttempts;
    this.#outageStart = null;
    this.#leftAt = null;
    this.#attempt = 0;
    this.#nextAttemptAt = null;
    this.#owedAt = null;
    this.#manual = false;
    this.#session.hint = null;
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

  #lost(lostBy: Cause, code: number | null, reason: string): void {
    const wasOpen = this.#status === 'open';
    this.#clearSocketTimers();
    if (this.#unloading) return;
    // A socket that dies while the browser says it is offline died of that, whatever the symptom.
    const symptom = lostBy === 'network' || lostBy === 'heartbeat' || lostBy === 'timeout';
    const cause: Cause = symptom && !this.#env.isOnline() ? 'offline' : lostBy;
    if (wasOpen) {
      this.#outageStart = this.#env.now();
      this.#outageCause = cause;
      this.#outageCode = code;
      this.#outageAttempts = 0;
      this.#attempt = 0;
      this.#persist();
    } else {
      // The next attempt tries the next URL in the list.
      this.#urlIndex++;
    }
    if (lostBy === 'protocol') {
      // Resuming replays the gap; but a protocol bug would open, break and resume forever, so protocol
      // closes without progress in between count as attempts even across opens, and end in failed.
      if (wasOpen) this.#attempt = this.#session.strikes;
      this.#session.strikes++;
    }
    const refused = code === CloseCode.tooBig && this.#config.protocol === 'session' && this.#session.dropRefused();
    if (code !== null && isFatalCloseCode(code) && !refused) {
      return this.#fail(code === CloseCode.policy || code >= 4000 ? 'policy' : 'protocol', code, reason);
    }
    if (code === CloseCode.sessionClosed || code === CloseCode.replaced) {
      this.#outageStart = null;
      this.#removeSignals();
      return this.#setStatus('closed', { cause, code, reason });
    }
    const hint =
      code === CloseCode.serviceRestart || code === CloseCode.tryAgainLater
        ? (this.#session.hint ?? parseRetryHint(reason))
        : null;
    this.#session.hint = null;
    this.#scheduleNext(cause, code, reason, hint);
  }

  #scheduleNext(cause: Cause, code: number | null, reason: string, hint: RetryHint | null): void {
    const { reconnect, maxAttempts, delays, jitter } = this.#config;
    if (reconnect === 'off') {
      this.#removeSignals();
      return this.#setStatus('closed', { cause, code, reason });
    }
    if (reconnect === 'prompt') return this.#fail(cause, code, reason);
    const offline = !this.#env.isOnline();
    if (this.#manual && !hint) return this.#backToOwed(cause, code, reason, offline);
    // Time offline spends no attempts: the last one still comes once the network is back. Nor does a
    // server that said when to come back (a drain longer than max-attempts cycles must not end in failed).
    if (this.#attempt >= maxAttempts && !offline && !hint) return this.#fail(cause, code, reason);
    if (this.#attempt === 0 || (this.#attempt < maxAttempts && !hint)) this.#attempt++;
    const delay = hint
      ? hintDelay(hint.afterMs, hint.spreadMs, this.#env.random)
      : withJitter(baseDelay(this.#attempt, delays), jitter, this.#env.random);
    this.#hintUntil = hint ? this.#env.now() + delay : null;
    this.#hintDelayMs = delay;
    if (offline) {
      this.#code = code;
      this.#reason = reason;
      return this.#pause('offline');
    }
    this.#waitFor(delay, { cause, code, reason });
  }

  /**
   * A failed manual attempt: the same attempt number stays owed, at its old deadline while that is
   * ahead, else after its full delay again; the schedule neither shortens nor moves on.
   */
  #backToOwed(cause: Cause, code: number | null, reason: string, offline: boolean): void {
    this.#manual = false;
    const { delays, jitter } = this.#config;
    const ahead = this.#owedAt === null ? 0 : this.#owedAt - this.#env.now();
    const delay = ahead > 0 ? ahead : withJitter(baseDelay(this.#attempt, delays), jitter, this.#env.random);
    this.#hintUntil = this.#owedHintUntil;
    this.#hintDelayMs = this.#hintUntil === null ? 0 : delay;
    if (offline) {
      this.#code = code;
      this.#reason = reason;
      return this.#pause('offline');
    }
    this.#waitFor(delay, { cause, code, reason });
  }

  #waitFor(delay: number, patch: Partial<StatusDetail>): void {
    this.#delayMs = delay;
    this.#nextAttemptAt = this.#env.now() + delay;
    this.#owedAt = this.#nextAttemptAt;
    this.#waitTimer = this.#env.setTimeout(() => this.#attemptDue(), delay);
    this.#setStatus('reconnecting', patch);
  }

  /** Deadlines come from the clock, so a throttled or early timer cannot shift the schedule. */
  #attemptDue(): void {
    this.#waitTimer = undefined;
    const at = this.#nextAttemptAt;
    const remaining = at === null ? 0 : at - this.#env.now();
    // More left than was ever scheduled means the clock went back: waiting it out could take hours.
    if (remaining > 0 && remaining <= (this.#delayMs ?? 0)) {
      this.#waitTimer = this.#env.setTimeout(() => this.#attemptDue(), remaining);
      return;
    }
    this.#openSocket();
  }

  #pause(kind: 'offline' | 'hidden'): void {
    this.#env.clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    this.#nextAttemptAt = null;
    this.#paused = kind;
    const status = this.#attempt > 0 || this.#status === 'reconnecting' ? 'reconnecting' : 'connecting';
    this.#setStatus(status, { cause: kind });
  }

  #fail(cause: Cause, code: number | null, reason: string): void {
    this.#dropSocket(CloseCode.normal, 'failed');
    this.#clearAllTimers();
    this.#paused = null;
    this.#setStatus('failed', { cause, code, reason });
  }

  #wake(): void {
    if (this.#unloading) return;
    if (this.#status === 'open') return this.#session.probe();
    const waiting = this.#waitTimer !== undefined || this.#paused !== null;
    if (!waiting || (this.#status !== 'reconnecting' && this.#status !== 'connecting')) return;
    // A draining server spread its clients out; coming back early on a wake-up would undo that.
    // Capped by the hint itself: a clock set back must not stretch the wait.
    const held = this.#hintUntil === null ? 0 : Math.min(this.#hintUntil - this.#env.now(), this.#hintDelayMs);
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
    win.addEventListener('pagehide', (e) => this.#onPageHide((e as PageTransitionEvent).persisted), opts);
    win.addEventListener('pageshow', (e) => this.#onPageShow((e as PageTransitionEvent).persisted), opts);
  }

  #removeSignals(): void {
    this.#signals?.abort();
    this.#signals = null;
  }

  #onPageHide(persisted: boolean): void {
    this.#leftAt ??= this.#outageStart ?? this.#env.now();
    this.#persist();
    // The page is leaving: a socket closed by the browser now is not an outage to report.
    this.#unloading = true;
    if (persisted && this.#ws) {
      // A page with an open WebSocket cannot enter the back-forward cache; close and resume on return.
      this.#dropSocket(CloseCode.normal, 'page hidden');
      this.#paused = 'hidden';
    }
  }

  #onPageShow(persisted: boolean): void {
    if (!this.#unloading) return;
    this.#unloading = false;
    if (persisted && this.#paused === 'hidden') {
      this.#paused = null;
      this.#attempt = 0;
      this.#openSocket();
    } else if (persisted) {
      // Restored from the cache while waiting or paused: the network may be back, do not wait out the delay.
      this.#wake();
    }
  }

  #clearSocketTimers(): void {
    this.#env.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#session.stop();
  }

  #clearAllTimers(): void {
    this.#clearSocketTimers();
    this.#env.clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    this.#env.clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
    this.#nextAttemptAt = null;
  }

  #persist(): void {
    if (this.#persistKey && this.#config.protocol === 'session') {
      this.#session.persist(this.#env.storage(), this.#persistKey, this.#leftAt);
    }
  }
}

export { OutboxFullError };
