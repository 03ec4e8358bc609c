/**
 * The seam between the server core and where its sessions are kept: in this process only (`LocalKeeper`) or in a
 * shared store that other nodes and a restarted process read too (`StoreLink`). The core answers every hello that
 * names a session, and runs every sweep, through a `SessionKeeper`; a keeper reaches the core only through its
 * `KeeperHost`, never through the server's private parts. `test/node/session-keeper.test.ts` holds both keepers to
 * the same behaviour, as the store contract suite does for the stores.
 *
 * The in-process keeper is not the store-backed one over a `MemoryStore`: that would put every send through a
 * write-behind queue (about 40 % fewer sends a second, see bench/store-seam.mjs), make the sweep asynchronous and
 * keep every unacknowledged frame twice.
 */
import type { WebSocket } from 'ws';
import type { HelloFrame, NewSessionReason } from '../protocol/frames.js';
import type { SessionRegistry } from './session-registry.js';
import type { Session, SessionRestore } from './session.js';

/** A hello naming a session, with the user its credential proved (undefined: anonymous, no `authenticate`). */
export type SessionHello = HelloFrame & { sid: string; user?: string | undefined };

export interface SessionKeeper {
  /** Resolves once hellos can be answered (a store's subscription is up). */
  readonly ready: Promise<unknown>;
  /** This node's name in the shared store; undefined when sessions live in this process only. */
  readonly nodeId: string | undefined;
  /** Whether sessions outlive the process: a drain or close then waits for their writes, and close leaves them to other nodes. */
  readonly shared: boolean;
  /**
   * A hello naming a session: continues it for a client that proves it holds the token (through `host.resumed`),
   * else answers with a new session and why (`host.fresh`). Null when the socket was turned away.
   */
  resume(ws: WebSocket, hello: SessionHello, address: string): Session | null | Promise<Session | null>;
  /** A session the core just created. */
  created(session: Session): void;
  /** Expires sessions unused for the lifetime (through `host.expire`); the IDs this node expired. */
  sweep(): string[] | Promise<string[]>;
  /** `send()` on a session another node owns now: passes `body` (a msg frame without `t` and `seq`) on; false when it cannot. */
  forward(session: Session, body: string): boolean;
  /** Tells the other nodes to end every session of `user` they hold (this node has ended its own). */
  closeUser(user: string): void;
  /** Ends or lets go of every session as the server closes (after at most `timeoutMs` for their writes). */
  close(timeoutMs: number): Promise<void>;
}

/** What a keeper may ask of the server core: its sessions, the steps every resume path shares, and limits. */
export interface KeeperHost {
  /** The sessions this process holds: a keeper adds one only through `adopt`; sessions leave as they end (`signOut` ends a user's). */
  readonly sessions: Pick<SessionRegistry, 'get' | 'values' | 'full' | 'maxSessions' | 'wasExpired' | 'signOut'>;
  readonly unusedSessionLifetimeMs: number;
  /** How far ahead an attached or blocked session's sweep lease reaches in a shared store. */
  readonly leaseMs: number;
  now(): number;
  /** A session object with the server's settings, for one read back from a store. */
  restore(id: string, address: string, restore: SessionRestore): Session;
  /** Adds a session read back from a store (the application hears `session`). */
  adopt(session: Session): void;
  /**
   * Welcomes `ws` into a session whose token the client proved (the token already rotated), attaches it and
   * replays what the client missed; the application hears `resume`.
   */
  resumed(ws: WebSocket, session: Session, clientAck: number, outageMs: number): void;
  /** A new session for a client whose old one cannot be continued, and why; null when the client was turned away. */
  fresh(ws: WebSocket, address: string, reason: NewSessionReason): Session | null;
  /** Turns the client away before any session: no room (`maxSessions`), or a store not answering (`soon`: come back soon). */
  turnAway(ws: WebSocket, address: string, reason: string, soon?: boolean): void;
  /** The application hears `expire`, then the session ends (close 4000). */
  expire(session: Session): void;
  /** A wrong token: a new session (reason `token`), held back past the guessing limit (the right token always resumes). */
  wrongToken(ws: WebSocket, address: string, sid: string): Session | null | Promise<Session | null>;
  reportError(error: Error): void;
}
