/** Sessions kept in this process only: resumed from memory, swept by this process, ended when it closes. */
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import type { KeeperHost, SessionHello, SessionKeeper } from './session-keeper.js';
import type { Session } from './session.js';

export class LocalKeeper implements SessionKeeper {
  readonly ready: Promise<void> = Promise.resolve();
  readonly nodeId = undefined;
  readonly shared = false;
  readonly #host: KeeperHost;

  constructor(host: KeeperHost) {
    this.#host = host;
  }

  resume(ws: WebSocket, hello: SessionHello, address: string): Session | null | Promise<Session | null> {
    const host = this.#host;
    const existing = host.sessions.get(hello.sid);
    if (!existing) return host.fresh(ws, address, host.sessions.wasExpired(hello.sid) ? 'expired' : 'unknown');
    if (hello.token === undefined) return host.fresh(ws, address, 'unknown');
    // Another user never gets the session, whatever token it presents; the owner keeps it.
    if (existing.user !== hello.user) return host.fresh(ws, address, 'user');
    if (!existing.tokenMatches(hello.token)) return host.wrongToken(ws, address, hello.sid);
    if (!existing.canResume(hello.ack)) {
      existing.close(CloseCode.sessionClosed, 'replay gap');
      return host.fresh(ws, address, 'replay-gap');
    }
    const outageMs = existing.connected ? 0 : Math.max(0, host.now() - existing.detachedAt);
    existing.rotateToken(hello.token);
    host.resumed(ws, existing, hello.ack, outageMs);
    return existing;
  }

  created(): void {}

  sweep(): string[] {
    const host = this.#host;
    const now = host.now();
    const expired: string[] = [];
    for (const session of [...host.sessions.values()]) {
      if (session.connected || session.blocked || session.closed) continue;
      if (now - session.detachedAt < host.unusedSessionLifetimeMs) continue;
      expired.push(session.id);
      host.expire(session);
    }
    return expired;
  }

  forward(): boolean {
    return false;
  }

  closeUser(): void {}

  async close(): Promise<void> {
    for (const session of [...this.#host.sessions.values()]) session.close(CloseCode.goingAway, 'server shutting down');
  }
}
