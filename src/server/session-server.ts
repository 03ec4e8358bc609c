/** The session server: sessions that outlive sockets, an unused-session sweep, drains for deploys. */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeFrame, type HelloFrame, type NewSessionReason, type WelcomeFrame } from '../protocol/frames.js';
import { CloseCode, formatRetryHint, type RetryHint } from '../protocol/close-codes.js';
import { handleConnection, type ConnectionHost } from './connection.js';
import { newSessionId } from './ids.js';
import { originAllowed, type OriginPolicy } from './origin.js';
import { Session } from './session.js';

export interface SessionServerOptions {
  /** Port to listen on (0 = any free one) when no `server` is given. */
  port?: number;
  host?: string;
  /** An existing HTTP server to share; only upgrades on `path` are taken. */
  server?: Server;
  /** Only upgrades to this path are handled; all paths when absent. */
  path?: string;
  unusedSessionLifetimeMs?: number;
  checkUnusedSessionsMs?: number;
  maxReplayMessages?: number;
  maxReplayBytes?: number;
  maxFrameBytes?: number;
  maxSessions?: number;
  /** Default: no Origin header (non-browser clients) or an Origin whose host equals the Host header. */
  allowedOrigins?: OriginPolicy;
  ackDelayMs?: number;
  /** WebSocket-level pings; a socket that misses one is terminated so its session counts as unused. */
  pingIntervalMs?: number;
  helloTimeoutMs?: number;
  /** Wrong tokens per remote address per minute before the address is refused (1008). */
  maxBadTokensPerMinute?: number;
  now?: () => number;
}

export interface ResumeInfo {
  /** Messages the server is sending again. */
  replayed: number;
  outageMs: number;
}

export interface SessionServerEvents {
  session: [session: Session];
  resume: [session: Session, info: ResumeInfo];
  expire: [session: Session];
  error: [error: Error];
}

const EXPIRED_MEMORY = 10_000;

export class SessionServer extends EventEmitter<SessionServerEvents> implements ConnectionHost {
  readonly wss: WebSocketServer;
  readonly ready: Promise<void>;
  readonly helloTimeoutMs: number;
  readonly #http: Server;
  readonly #ownsHttp: boolean;
  readonly #o: Required<Omit<SessionServerOptions, 'server' | 'path' | 'allowedOrigins' | 'host' | 'port'>>;
  readonly #path: string | undefined;
  readonly #origins: OriginPolicy | undefined;
  readonly #sessions = new Map<string, Session>();
  /** Recently expired IDs, so a late client hears "expired" rather than "unknown". */
  readonly #expired = new Map<string, number>();
  readonly #badTokens = new Map<string, { count: number; since: number }>();
  readonly #alive = new WeakSet<WebSocket>();
  #sweepTimer: NodeJS.Timeout;
  #pingTimer: NodeJS.Timeout;
  #draining: RetryHint | null = null;
  #closed = false;

  constructor(options: SessionServerOptions = {}) {
    super();
    this.#o = {
      unusedSessionLifetimeMs: options.unusedSessionLifetimeMs ?? 15_000,
      checkUnusedSessionsMs: options.checkUnusedSessionsMs ?? 17_000,
      maxReplayMessages: options.maxReplayMessages ?? 1000,
      maxReplayBytes: options.maxReplayBytes ?? 1_048_576,
      maxFrameBytes: options.maxFrameBytes ?? 1_048_576,
      maxSessions: options.maxSessions ?? 10_000,
      ackDelayMs: options.ackDelayMs ?? 20,
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
      maxBadTokensPerMinute: options.maxBadTokensPerMinute ?? 20,
      now: options.now ?? Date.now,
    };
    for (const [name, value] of Object.entries(this.#o)) {
      if (typeof value === 'number' && !(value >= 0))
        throw new RangeError(`createSessionServer: ${name} must be >= 0, not ${value}`);
    }
    this.helloTimeoutMs = this.#o.helloTimeoutMs;
    this.#path = options.path;
    this.#origins = options.allowedOrigins;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.#o.maxFrameBytes });
    this.wss.on('connection', (ws, req: IncomingMessage) => this.#onConnection(ws, req));
    this.#ownsHttp = !options.server;
    this.#http =
      options.server ??
      createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only'));
    this.#http.on('upgrade', this.#onUpgrade);
    this.ready = this.#ownsHttp
      ? new Promise((resolve, reject) => {
          this.#http.once('error', reject);
          this.#http.listen(options.port ?? 0, options.host, () => resolve());
        })
      : Promise.resolve();
    this.#sweepTimer = setInterval(() => this.sweep(), this.#o.checkUnusedSessionsMs);
    this.#sweepTimer.unref();
    this.#pingTimer = setInterval(() => this.#pingAll(), this.#o.pingIntervalMs);
    this.#pingTimer.unref();
  }

  get port(): number {
    const address = this.#http.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  getSession(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  get sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /** A session made before any socket, for a page to embed (as Bokeh does); it expires like any unused one. */
  createSession(): { id: string; token: string } {
    const session = this.#newSession();
    if (!session) throw new Error(`createSession: maxSessions (${this.#o.maxSessions}) reached`);
    return { id: session.id, token: session.token };
  }

  /** Expires sessions unused for at least the lifetime and not blocked; returns their IDs. */
  sweep(): string[] {
    const now = this.#o.now();
    const expired: string[] = [];
    for (const session of this.#sessions.values()) {
      if (session.connected || session.blocked) continue;
      if (now - session.detachedAt < this.#o.unusedSessionLifetimeMs) continue;
      expired.push(session.id);
      this.emit('expire', session);
      session.expire();
    }
    return expired;
  }

  /**
   * For a rolling deploy: tells every client to come back after `afterMs`, spread over `spreadMs`,
   * and closes its socket with 1012. Sessions stay resumable; new sockets get the same answer until `endDrain()`.
   */
  drain({ afterMs = 0, spreadMs = 5000 }: { afterMs?: number; spreadMs?: number } = {}): void {
    this.#draining = { afterMs, spreadMs };
    for (const ws of this.wss.clients) this.#sendAway(ws, this.#draining);
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
    this.#http.off('upgrade', this.#onUpgrade);
    for (const ws of this.wss.clients) ws.close(CloseCode.goingAway, 'server shutting down');
    for (const session of [...this.#sessions.values()]) session.close(CloseCode.goingAway, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.#ownsHttp) {
      this.#http.closeAllConnections?.();
      await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    }
  }

  /** @internal ConnectionHost */
  reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** @internal ConnectionHost: the hello handshake. */
  attach(ws: WebSocket, hello: HelloFrame, remote: string): Session | null {
    let reason: NewSessionReason | undefined;
    if (hello.sid !== undefined) {
      const existing = this.#sessions.get(hello.sid);
      if (!existing) {
        reason = this.#expired.has(hello.sid) ? 'expired' : 'unknown';
      } else if (hello.token === undefined || !existing.tokenMatches(hello.token)) {
        if (this.#tooManyBadTokens(remote)) {
          ws.close(CloseCode.policy, 'too many invalid resume tokens');
          return null;
        }
        reason = hello.token === undefined ? 'unknown' : 'token';
      } else if (!existing.canResume(hello.ack)) {
        existing.close(CloseCode.sessionClosed, 'replay gap');
        reason = 'replay-gap';
      } else {
        return this.#resume(ws, existing, hello.token, hello.ack);
      }
    }
    const session = this.#newSession();
    if (!session) {
      ws.close(CloseCode.tryAgainLater, formatRetryHint({ afterMs: 5000, spreadMs: 10_000 }));
      return null;
    }
    this.#welcome(ws, session, false, reason);
    // A `session` listener may already have sent a greeting; it waits in the replay buffer until now.
    for (const frame of session.attach(ws, 0)) ws.send(frame);
    return session;
  }

  #resume(ws: WebSocket, session: Session, token: string, clientAck: number): Session {
    const outageMs = session.connected ? 0 : Math.max(0, this.#o.now() - session.detachedAt);
    session.rotateToken(token);
    this.#welcome(ws, session, true);
    const frames = session.attach(ws, clientAck);
    for (const frame of frames) ws.send(frame);
    this.emit('resume', session, { replayed: frames.length, outageMs });
    return session;
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
  }

  #newSession(): Session | null {
    if (this.#sessions.size >= this.#o.maxSessions) return null;
    const limits = {
      maxReplayMessages: this.#o.maxReplayMessages,
      maxReplayBytes: this.#o.maxReplayBytes,
      ackDelayMs: this.#o.ackDelayMs,
      now: this.#o.now,
    };
    const session = new Session(newSessionId(), limits, (s) => this.#forget(s));
    this.#sessions.set(session.id, session);
    this.emit('session', session);
    return session;
  }

  #forget(session: Session): void {
    this.#sessions.delete(session.id);
    this.#expired.set(session.id, this.#o.now());
    if (this.#expired.size > EXPIRED_MEMORY) this.#expired.delete(this.#expired.keys().next().value!);
  }

  #tooManyBadTokens(remote: string): boolean {
    const now = this.#o.now();
    const entry = this.#badTokens.get(remote);
    if (!entry || now - entry.since > 60_000) {
      this.#badTokens.set(remote, { count: 1, since: now });
      if (this.#badTokens.size > EXPIRED_MEMORY) this.#badTokens.delete(this.#badTokens.keys().next().value!);
      return false;
    }
    entry.count++;
    return entry.count > this.#o.maxBadTokensPerMinute;
  }

  /**
   * Takes an upgrade from another HTTP server (a new listener after a restart, a framework's server),
   * with the same path and origin checks as the server given at creation: never call `wss.handleUpgrade` directly.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.#pathMatches(req)) return reject(socket, 404, 'Not Found');
    this.#accept(req, socket, head);
  }

  #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!this.#pathMatches(req)) {
      // Another upgrade listener on a shared server may want this one.
      if (this.#http.listenerCount('upgrade') === 1) reject(socket, 404, 'Not Found');
      return;
    }
    this.#accept(req, socket, head);
  };

  #pathMatches(req: IncomingMessage): boolean {
    return this.#path === undefined || new URL(req.url ?? '/', 'http://localhost').pathname === this.#path;
  }

  #accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed) return reject(socket, 503, 'Service Unavailable');
    let allowed = false;
    try {
      allowed = originAllowed(this.#origins, req);
    } catch (error) {
      // A throwing policy function is the application's bug: refuse the socket, keep the server up.
      this.reportError(error as Error);
    }
    if (!allowed) return reject(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.#alive.add(ws);
    ws.on('pong', () => this.#alive.add(ws));
    if (this.#draining) return this.#sendAway(ws, this.#draining);
    handleConnection(ws, req.socket.remoteAddress ?? 'unknown', this);
  }

  #sendAway(ws: WebSocket, hint: RetryHint): void {
    if (ws.readyState !== 1) return;
    ws.send(encodeFrame({ t: 'retry', afterMs: hint.afterMs, spreadMs: hint.spreadMs }));
    ws.close(CloseCode.serviceRestart, formatRetryHint(hint));
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
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function createSessionServer(options: SessionServerOptions = {}): SessionServer {
  return new SessionServer(options);
}
