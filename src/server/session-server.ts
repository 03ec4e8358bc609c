/** The session server: sessions that outlive sockets, an unused-session sweep, drains for deploys, bounds for the open internet. */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeFrame, type HelloFrame, type NewSessionReason, type WelcomeFrame } from '../protocol/frames.js';
import { CloseCode, formatRetryHint, type RetryHint } from '../protocol/close-codes.js';
import { clientAddress } from './address.js';
import { handleConnection } from './connection.js';
import { emitGuarded } from './guard.js';
import { newSessionId } from './ids.js';
import { resolveOptions, type ResolvedOptions, type SessionServerOptions } from './options.js';
import { LocalKeeper } from './local-keeper.js';
import type { KeeperHost, SessionKeeper } from './session-keeper.js';
import { SessionRegistry } from './session-registry.js';
import { bodyOf, Session, type SessionContext, type SessionData } from './session.js';
import { closeSocket } from './socket.js';
import { StoreLink } from './store-link.js';
import { RedisStore } from './store/redis-store.js';
import type { SessionStore } from './store/session-store.js';
import { TokenLimiter } from './token-limiter.js';
import { ConnectionGate } from './connection-gate.js';
import { createBoundedHttpServer, UpgradeGate } from './upgrade-gate.js';
import { SocketAuth } from './socket-auth.js';
import { ReplayBudget } from './replay-budget.js';
import { Traffic } from './traffic.js';

export type { SessionServerOptions } from './options.js';

export interface ResumeInfo {
  /** Messages the server is sending again. */
  replayed: number;
  outageMs: number;
}

/** An upgrade or hello the server turned away, for logs: who asked, and why. */
export interface RejectInfo {
  /** HTTP status (for a refused upgrade) or WebSocket close code. */
  status: number;
  reason: string;
  address: string;
  origin: string | undefined;
}

/** A hello answered with a welcome: a resume, or a new session (with why, when the client asked for an old one). */
export interface HelloInfo {
  resumed: boolean;
  reason: NewSessionReason | undefined;
}

export interface BroadcastResult {
  /** Sessions that took the message. */
  sent: number;
  /** Sessions at a replay bound, which did not. */
  refused: number;
}

export interface SessionServerEvents {
  session: [session: Session];
  resume: [session: Session, info: ResumeInfo];
  expire: [session: Session];
  reject: [info: RejectInfo];
  /** Every welcome sent, for metrics: how hellos end. */
  hello: [info: HelloInfo];
  /** The shared replay budget (`maxTotalReplayBytes`) has room again after a refusal. */
  drain: [];
  error: [error: Error];
}

/** How long a client turned away for lack of room is asked to wait, spread so they do not return together. */
const BUSY_HINT: RetryHint = { afterMs: 5000, spreadMs: 10_000 };
/** A store outage is usually short (a failover, a restart): come back soon. */
const STORE_BUSY_HINT: RetryHint = { afterMs: 500, spreadMs: 2000 };

export class SessionServer extends EventEmitter<SessionServerEvents> {
  readonly wss: WebSocketServer;
  readonly ready: Promise<void>;
  readonly helloTimeoutMs: number;
  readonly closeTimeoutMs: number;
  /** @internal Message counts for the metrics module. */
  readonly traffic = new Traffic();
  readonly #http: Server;
  readonly #ownsHttp: boolean;
  readonly #o: ResolvedOptions;
  readonly #door: UpgradeGate;
  readonly #sessions: SessionRegistry;
  readonly #badTokens: TokenLimiter;
  readonly #alive = new WeakSet<WebSocket>();
  readonly #sessionContext: SessionContext;
  readonly #budget: ReplayBudget;
  readonly #gate: ConnectionGate;
  /** With `authenticate`: who is on each socket, and their credential kept fresh. */
  readonly #socketAuth: SocketAuth | null;
  #sweepTimer: NodeJS.Timeout;
  #pingTimer: NodeJS.Timeout;
  #healthTimer: NodeJS.Timeout;
  #draining: RetryHint | null = null;
  /** With a store, a drain sends clients away once its sessions' writes have landed. */
  #drained: Promise<void> = Promise.resolve();
  #closed = false;
  /** Where sessions are kept: this process, or a shared store (`store` or `redis`) that holds their truth. */
  readonly #keeper: SessionKeeper;
  /** A store made from the `redis` option, closed with the server. */
  readonly #ownStore: SessionStore | undefined;

  constructor(options: SessionServerOptions = {}) {
    super();
    this.#o = resolveOptions(options);
    this.helloTimeoutMs = this.#o.helloTimeoutMs;
    this.closeTimeoutMs = this.#o.closeTimeoutMs;
    this.#gate = new ConnectionGate(this.#o.maxConnections);
    const authenticate = options.authenticate;
    this.#socketAuth = authenticate
      ? new SocketAuth({
          authenticate,
          timeoutMs: this.#o.authTimeoutMs,
          closeTimeoutMs: this.#o.closeTimeoutMs,
          now: this.#o.now,
          report: this.reportError,
          refused: (address, status, reason) => this.emit('reject', { status, reason, address, origin: undefined }),
        })
      : null;
    this.#budget = new ReplayBudget(this.#o.maxTotalReplayBytes, () => this.emit('drain'));
    this.#sessionContext = this.#makeSessionContext();
    this.#sessions = new SessionRegistry(this.#o.maxSessions);
    this.#badTokens = new TokenLimiter(this.#o.maxBadTokensPerMinute, this.#o.badTokenDelayMs, this.#o.now);
    this.#ownStore = options.store === undefined && options.redis ? new RedisStore(options.redis) : undefined;
    const store = options.store ?? this.#ownStore;
    const host = this.#keeperHost();
    this.#keeper = store ? new StoreLink(store, options.nodeId ?? newSessionId(), host) : new LocalKeeper(host);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.#o.maxFrameBytes });
    this.wss.on('connection', (ws, req: IncomingMessage) => {
      const address = clientAddress(req, this.#o.trustProxy);
      this.#socketAuth?.opened(ws, req, address);
      this.#onConnection(ws, address);
    });
    this.#door = new UpgradeGate(this.#o, {
      path: options.path,
      origins: options.allowedOrigins,
      wss: this.wss,
      connections: this.#gate,
      closed: () => this.#closed,
      refused: (refusal) => this.emit('reject', refusal),
      reportError: this.reportError,
    });
    this.#ownsHttp = !options.server;
    this.#http = options.server ?? createBoundedHttpServer(this.#o, options.requestListener);
    this.#http.on('upgrade', this.#onUpgrade);
    const listening: Promise<void> = this.#ownsHttp
      ? new Promise((resolve, reject) => {
          this.#http.once('error', reject);
          this.#http.listen(options.port ?? 0, options.host, () => resolve());
        })
      : Promise.resolve();
    this.ready = Promise.all([listening, this.#keeper.ready]).then(() => {});
    this.#sweepTimer = setInterval(() => this.sweep(), this.#o.checkUnusedSessionsMs);
    this.#sweepTimer.unref();
    this.#pingTimer = setInterval(() => this.#pingAll(), this.#o.pingIntervalMs);
    this.#pingTimer.unref();
    this.#healthTimer = setInterval(() => this.#cutStalled(), Math.min(1000, Math.max(25, this.#o.ackTimeoutMs / 4)));
    this.#healthTimer.unref();
  }

  /** Listeners run through the guard: one that throws is reported through `error` and the server goes on. */
  override emit<K extends keyof SessionServerEvents>(event: K, ...args: SessionServerEvents[K]): boolean {
    if (event === 'error') {
      const error = args[0] as Error;
      if (this.listenerCount('error') === 0) {
        console.error(`reconnecting-session: ${error.stack ?? error.message}`);
        return false;
      }
      return emitGuarded(this, 'error', args, (e) =>
        console.error(`reconnecting-session: an error listener threw: ${e.message}`),
      );
    }
    return emitGuarded(this, event as string, args, this.reportError);
  }

  get port(): number {
    const address = this.#http.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** WebSockets held now (bounded by `maxConnections`). */
  get connectionCount(): number {
    return this.#gate.size;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Bytes kept for replay across all sessions (bounded by `maxTotalReplayBytes`). */
  get replayBytes(): number {
    return this.#budget.used;
  }

  /** The bound on `replayBytes` (`maxTotalReplayBytes`). */
  get replayBytesLimit(): number {
    return this.#budget.max;
  }

  getSession(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  get sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /**
   * Sends `data` to every session (or those `to` names), encoding it once: a broadcast costs one encoding plus a
   * little per session, and a session at a replay bound is skipped at almost no cost (its `needsDrain` is true and
   * `drain` says when it takes messages again). Returns how many sessions took it and how many refused it.
   */
  broadcast(data: SessionData | ArrayBuffer, to: Iterable<Session> = this.#sessions.values()): BroadcastResult {
    const body = bodyOf(data);
    const bytes = Buffer.byteLength(body);
    const result = { sent: 0, refused: 0 };
    for (const session of to) {
      if (session.closed) continue;
      const seq = session.moved ? session.trySend(data) : session.sendEncoded(body, bytes);
      if (seq === null) result.refused++;
      else result.sent++;
    }
    return result;
  }

  /** A session made before any socket, for a page to embed (as Bokeh does); it expires like any unused one. */
  createSession(options: { user?: string } = {}): { id: string; token: string } {
    const session = this.#newSession('local', options.user);
    if (!session) throw new Error(`createSession: maxSessions (${this.#o.maxSessions}) reached`);
    return { id: session.id, token: session.token };
  }

  /**
   * Expires sessions unused for at least the lifetime and not blocked; returns their IDs. With a shared store the
   * sweep runs against the store (any node may expire any session, each once) and this returns [] at once:
   * `sweepStore()` returns what it expired.
   */
  sweep(): string[] {
    const expired = this.#keeper.sweep();
    return Array.isArray(expired) ? expired : [];
  }

  /**
   * For a rolling deploy: tells every client to come back after `afterMs`, spread over `spreadMs`,
   * and closes its socket with 1012. Sessions stay resumable; new sockets get the same answer until `endDrain()`.
   */
  drain({ afterMs = 0, spreadMs = 5000 }: { afterMs?: number; spreadMs?: number } = {}): void {
    for (const [name, value] of Object.entries({ afterMs, spreadMs })) {
      if (!(Number.isInteger(value) && value >= 0 && value <= 86_400_000))
        throw new RangeError(`drain(): ${name} must be an integer from 0 to 86400000, not ${String(value)}`);
    }
    const hint = (this.#draining = { afterMs, spreadMs });
    const sendAway = () => {
      // The last acks first: what the client sent and this process handled must not be sent again elsewhere.
      for (const session of this.#sessions.values()) session.flushAck();
      for (const ws of this.wss.clients) this.#sendAway(ws, hint, CloseCode.serviceRestart);
    };
    if (!this.#keeper.shared) return sendAway();
    // With a store, acks cover only what is stored: let the writes land (bounded) so nothing is handled twice.
    const sessions = [...this.#sessions.values()];
    const timeout = new Promise((resolve) => setTimeout(resolve, this.closeTimeoutMs).unref());
    this.#drained = Promise.race([Promise.allSettled(sessions.map((s) => s.flushed())), timeout]).then(sendAway);
  }

  /** The sweep against the shared store; resolves with the IDs this node expired. */
  sweepStore(): Promise<string[]> {
    return Promise.resolve(this.#keeper.sweep());
  }

  /** This node's name in the shared store (undefined without one). */
  get nodeId(): string | undefined {
    return this.#keeper.nodeId;
  }

  /** Accepts connections again after `drain()` (a drain that was only a pause). */
  endDrain(): void {
    this.#draining = null;
  }

  get draining(): boolean {
    return this.#draining !== null;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    clearInterval(this.#pingTimer);
    clearInterval(this.#healthTimer);
    this.#http.off('upgrade', this.#onUpgrade);
    await this.#drained;
    for (const session of this.#sessions.values()) session.flushAck();
    for (const ws of this.wss.clients)
      closeSocket(ws, CloseCode.goingAway, 'server shutting down', this.closeTimeoutMs);
    // With a shared store the sessions stay there for the clients' resumes (on another node or after a restart).
    await this.#keeper.close(this.closeTimeoutMs);
    await this.#ownStore?.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.#ownsHttp) {
      this.#http.closeAllConnections?.();
      await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    }
  }

  /** @internal ConnectionHost */
  reportError = (error: Error): void => {
    this.emit('error', error);
  };

  /** @internal ConnectionHost: the hello handshake. */
  attach(ws: WebSocket, hello: HelloFrame, address: string): Session | null | Promise<Session | null> {
    this.#gate.saidHello(ws);
    const auth = this.#socketAuth;
    if (!auth) return this.#attach(ws, hello, address, undefined);
    // Every hello, new session or resume, on whichever node takes it: a resume is where an expired credential shows.
    return auth.admit(ws, hello.auth).then(async (result) => {
      if (!result) return null;
      const session = await this.#attach(ws, hello, address, result.user);
      if (session && ws.readyState === 1) auth.started(ws);
      return session;
    });
  }

  /** @internal ConnectionHost: a fresh credential over the live socket (`auth` frame). */
  refreshAuth(ws: WebSocket, credential: string): boolean {
    if (!this.#socketAuth) return false;
    void this.#socketAuth.refresh(ws, credential);
    return true;
  }

  /**
   * Signs `user` out everywhere: ends every session of theirs (close 4000, `signed out`) on this node and, with a
   * shared store, on every other node. Returns how many this node ended.
   */
  closeUser(user: string): number {
    const ended = this.#sessions.signOut(user);
    this.#keeper.closeUser(user);
    return ended;
  }

  #attach(ws: WebSocket, hello: HelloFrame, address: string, user: string | undefined) {
    if (hello.sid === undefined) return this.#fresh(ws, address, undefined);
    return this.#keeper.resume(ws, { ...hello, sid: hello.sid, user }, address);
  }

  /** A wrong token gets the answer a stale one needs (a new session); past the limit, only after a delay. */
  #wrongToken(ws: WebSocket, address: string, sid: string): Session | null | Promise<Session | null> {
    const holdMs = this.#badTokens.wrong(address, sid);
    if (holdMs === 0) return this.#fresh(ws, address, 'token');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(ws.readyState === 1 ? this.#fresh(ws, address, 'token') : null), holdMs);
      timer.unref();
    });
  }

  /** A new session for `ws`, unless the address or the server has no room for one. */
  #fresh(ws: WebSocket, address: string, reason: NewSessionReason | undefined): Session | null {
    const user = this.#socketAuth?.user(ws);
    if (this.#sessions.countAt(address) >= this.#o.maxSessionsPerAddress) {
      this.#turnAway(ws, address, `maxSessionsPerAddress (${this.#o.maxSessionsPerAddress}) reached`);
      return null;
    }
    const session = this.#newSession(address, user);
    if (!session) {
      this.#turnAway(ws, address, `maxSessions (${this.#o.maxSessions}) reached`);
      return null;
    }
    this.#welcome(ws, session, false, reason);
    // A `session` listener may already have sent a greeting; it waits in the replay buffer until now.
    session.attach(ws, 0);
    return session;
  }

  #turnAway(ws: WebSocket, address: string, reason: string, hint: RetryHint = BUSY_HINT): void {
    this.emit('reject', { status: CloseCode.tryAgainLater, reason, address, origin: undefined });
    this.#sendAway(ws, hint, CloseCode.tryAgainLater);
  }

  #welcome(ws: WebSocket, session: Session, resumed: boolean, reason?: NewSessionReason): void {
    const frame: WelcomeFrame = {
      t: 'welcome',
      sid: session.id,
      token: session.token,
      resumed,
      ack: session.inSeq,
      lifetimeMs: this.#o.unusedSessionLifetimeMs,
      seq: session.outSeq,
      maxFrameBytes: this.#o.maxFrameBytes,
      ...(reason ? { reason } : {}),
    };
    ws.send(encodeFrame(frame));
    this.emit('hello', { resumed, reason });
  }

  #newSession(address: string, user?: string): Session | null {
    if (this.#sessions.full()) return null;
    const session = new Session(newSessionId(), address, this.#sessionContext, undefined, user);
    this.#sessions.add(session);
    this.#keeper.created(session);
    this.emit('session', session);
    return session;
  }

  #keeperHost(): KeeperHost {
    return {
      sessions: this.#sessions,
      unusedSessionLifetimeMs: this.#o.unusedSessionLifetimeMs,
      leaseMs: this.#o.leaseMs,
      now: this.#o.now,
      restore: (id, address, restore) => new Session(id, address, this.#sessionContext, restore),
      adopt: (session) => {
        this.#sessions.add(session);
        this.emit('session', session);
      },
      resumed: (ws, session, clientAck, outageMs) => {
        this.#welcome(ws, session, true);
        const replayed = session.attach(ws, clientAck);
        // The socket may have closed while a store answered.
        if (ws.readyState > 1) session.detach(ws);
        this.emit('resume', session, { replayed, outageMs });
      },
      fresh: (ws, address, reason) => this.#fresh(ws, address, reason),
      turnAway: (ws, address, reason, soon) => this.#turnAway(ws, address, reason, soon ? STORE_BUSY_HINT : BUSY_HINT),
      expire: (session) => {
        this.emit('expire', session);
        session.expire();
      },
      wrongToken: (ws, address, sid) => this.#wrongToken(ws, address, sid),
      reportError: this.reportError,
    };
  }

  #makeSessionContext(): SessionContext {
    const o = this.#o;
    return {
      maxReplayMessages: o.maxReplayMessages,
      maxReplayBytes: o.maxReplayBytes,
      replayOverflow: o.replayOverflow,
      maxSocketBufferedBytes: o.maxSocketBufferedBytes,
      ackDelayMs: o.ackDelayMs,
      closeTimeoutMs: o.closeTimeoutMs,
      now: o.now,
      budget: this.#budget,
      traffic: this.traffic,
      reportError: this.reportError,
      ended: (session) => this.#sessions.forget(session),
      leaseMs: o.leaseMs,
      forward: (session, body) => !this.#closed && this.#keeper.forward(session, body),
    };
  }

  /**
   * Takes an upgrade from another HTTP server (a new listener after a restart, a framework's server),
   * with the same path and origin checks as the server given at creation: never call `wss.handleUpgrade` directly.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#door.upgrade(req, socket, head);
  }

  #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Another upgrade listener on a shared server may want a path that is not ours.
    this.#door.upgrade(req, socket, head, this.#http.listenerCount('upgrade') > 1);
  };

  #onConnection(ws: WebSocket, address: string): void {
    // First, before any early return: a socket without an error listener takes the process down on a bad frame.
    ws.on('error', (error) => this.reportError(error));
    this.#door.socketsByAddress.add(address);
    ws.once('close', () => this.#door.socketsByAddress.remove(address));
    this.#gate.opened(ws);
    this.#alive.add(ws);
    ws.on('pong', () => this.#alive.add(ws));
    if (this.#draining) return this.#sendAway(ws, this.#draining, CloseCode.serviceRestart);
    handleConnection(ws, address, this);
  }

  #sendAway(ws: WebSocket, hint: RetryHint, code: number): void {
    if (ws.readyState !== 1) return;
    ws.send(encodeFrame({ t: 'retry', afterMs: hint.afterMs, spreadMs: hint.spreadMs, code }));
    closeSocket(ws, code, formatRetryHint(hint), this.closeTimeoutMs);
  }

  #pingAll(): void {
    for (const ws of this.wss.clients) {
      if (!this.#alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.#alive.delete(ws);
      ws.ping();
    }
  }

  /** A link dead one way (data written, no ack coming back) is cut; the session stays for the resume. */
  #cutStalled(): void {
    const now = this.#o.now();
    for (const session of this.#sessions.values()) {
      if (session.stalled(now, this.#o.ackTimeoutMs)) session.dropSocket();
    }
  }
}

export function createSessionServer(options: SessionServerOptions = {}): SessionServer {
  return new SessionServer(options);
}
