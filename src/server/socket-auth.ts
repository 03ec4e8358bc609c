/**
 * Who is on each socket: the credential checked at its hello, refreshed over the live socket before it expires
 * (`reauth` → `auth`), and the close when it is not (4401) or names someone else (4403). Nothing here keeps a
 * credential: only the user and the expiry the application's `authenticate` answered.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { encodeFrame } from '../protocol/frames.js';
import { checkCredential, reauthAt, type AuthResult, type Authenticate } from './auth.js';
import { closeSocket } from './socket.js';
import { longTimeout, type LongTimer } from './timers.js';

interface SocketState {
  user: string;
  expiresAt: number | undefined;
  timer: LongTimer | undefined;
}

export interface SocketAuthOptions {
  authenticate: Authenticate;
  timeoutMs: number;
  closeTimeoutMs: number;
  now: () => number;
  report: (error: Error) => void;
  /** A socket refused for its credential, for the server's `reject` event. */
  refused: (address: string, code: number, reason: string) => void;
}

export class SocketAuth {
  readonly #o: SocketAuthOptions;
  readonly #requests = new WeakMap<WebSocket, { request: IncomingMessage; address: string }>();
  readonly #state = new WeakMap<WebSocket, SocketState>();

  constructor(options: SocketAuthOptions) {
    this.#o = options;
  }

  /** The upgrade request stays with its socket: cookie-based sign-in reads it at every check. */
  opened(ws: WebSocket, request: IncomingMessage, address: string): void {
    this.#requests.set(ws, { request, address });
    ws.once('close', () => this.#forget(ws));
  }

  /** Checks a hello's credential; null after closing the socket with 4401. */
  async admit(ws: WebSocket, credential: string | undefined): Promise<AuthResult | null> {
    const result = await this.#check(ws, credential);
    if (ws.readyState !== 1) return null;
    if (!result) {
      this.#refuse(ws, CloseCode.unauthorized, 'credential missing, invalid or expired');
      return null;
    }
    this.#state.set(ws, { user: result.user, expiresAt: result.expiresAt, timer: undefined });
    return result;
  }

  /** The user a socket proved to be (after `admit`). */
  user(ws: WebSocket): string | undefined {
    return this.#state.get(ws)?.user;
  }

  /** The socket has its session: from now on its credential must stay fresh. */
  started(ws: WebSocket): void {
    this.#schedule(ws);
  }

  /** An `auth` frame: a fresh credential for the same user keeps the socket, anything else closes it. */
  async refresh(ws: WebSocket, credential: string): Promise<void> {
    const state = this.#state.get(ws);
    if (!state) return;
    const result = await this.#check(ws, credential);
    if (ws.readyState !== 1 || this.#state.get(ws) !== state) return;
    if (!result) return this.#refuse(ws, CloseCode.unauthorized, 'credential missing, invalid or expired');
    if (result.user !== state.user) return this.#refuse(ws, CloseCode.forbidden, 'the credential names another user');
    state.expiresAt = result.expiresAt;
    this.#schedule(ws);
  }

  #check(ws: WebSocket, credential: string | undefined): Promise<AuthResult | null> {
    const request = this.#requests.get(ws)?.request;
    if (!request) return Promise.resolve(null);
    return checkCredential(this.#o.authenticate, request, credential, this.#o.timeoutMs, this.#o.report);
  }

  /** One timer per socket: first the `reauth` ahead of expiry, then, unanswered, the close at expiry. */
  #schedule(ws: WebSocket): void {
    const state = this.#state.get(ws);
    if (!state) return;
    state.timer?.cancel();
    state.timer = undefined;
    const expiresAt = state.expiresAt;
    if (expiresAt === undefined) return;
    const now = this.#o.now();
    const askAt = reauthAt(expiresAt, now);
    const ask = () => {
      if (ws.readyState === 1) ws.send(encodeFrame({ t: 'reauth', before: expiresAt }));
      state.timer = longTimeout(expire, Math.max(0, expiresAt - this.#o.now()));
    };
    const expire = () => this.#refuse(ws, CloseCode.unauthorized, 'credential expired');
    if (expiresAt <= now) return expire();
    // A month-long token is ordinary; setTimeout would fire such a delay (past 2^31 - 1 ms) at once.
    state.timer = longTimeout(ask, askAt - now);
  }

  #refuse(ws: WebSocket, code: number, reason: string): void {
    this.#forget(ws);
    this.#o.refused(this.#requests.get(ws)?.address ?? 'unknown', code, reason);
    closeSocket(ws, code, reason, this.#o.closeTimeoutMs);
  }

  #forget(ws: WebSocket): void {
    const state = this.#state.get(ws);
    state?.timer?.cancel();
    this.#state.delete(ws);
  }
}
