/**
 * The seam between the session server and where sessions are kept when they must outlive a process or move
 * between nodes. The server keeps its in-memory sessions as a cache; a store is the truth. Every write names the
 * fence the writer holds, so a node that lost a session to another (a takeover) cannot change it any more.
 */
import { createHash } from 'node:crypto';

/** What the store holds about one session (never the token itself: only its SHA-256). */
export interface StoredSession {
  id: string;
  /** Highest client seq persisted. */
  inSeq: number;
  /** Highest server seq persisted. */
  outSeq: number;
  /** Node that owns the session now. */
  owner: string;
  /** Raised by every claim; a write with an older fence is refused. */
  fence: number;
  createdAt: number;
  /** When the last socket went away; null while a node says it is attached. */
  detachedAt: number | null;
  address: string;
  /** The user it belongs to ('' for an anonymous session). */
  user: string;
}

export interface StoredFrame {
  seq: number;
  frame: string;
}

/**
 * One step of a session's write-behind queue. `score` is the time from which the session counts as unused for
 * the sweep (attached and blocked sessions hold a lease in the future); `detachedAt` null marks it attached,
 * undefined leaves it as it is.
 */
export type StoreOp =
  /** `inbox`: the inbox entry this frame was taken from, removed in the same step (so it is sent exactly once). */
  | { op: 'out'; seq: number; frame: string; inbox?: string }
  | { op: 'ack'; seq: number }
  | { op: 'in'; seq: number }
  | { op: 'score'; score: number; detachedAt?: number | null }
  | { op: 'confirm' }
  | { op: 'end' };

export type WriteResult = 'ok' | 'fenced' | 'gone';

export interface NewStoredSession {
  id: string;
  tokenHash: string;
  owner: string;
  createdAt: number;
  address: string;
  /** The user it belongs to (absent or '' for an anonymous session). */
  user?: string;
  /** Sweep score (a lease while attached). */
  score: number;
}

export interface ClaimRequest {
  node: string;
  /** Hash of the token the client presented (current or, until confirmed, the previous one). */
  presentedHash: string;
  /** Hash of the token this node will hand out in the welcome. */
  newTokenHash: string;
  /** The client's `hello.ack`: everything up to it is dropped from the stream. */
  ack: number;
  score: number;
  /** The fence of this node's cached copy (0 for none): when still current, no frames are read back. */
  cachedFence: number;
  /**
   * Ask first: when another node owns the session, change nothing and answer `owned` (after the token check), so
   * this node can have the owner hand it over before it claims.
   */
  handoff?: boolean;
  /** Claim only if the fence is still this one (what an `owned` answer said); else answer `owned` again. */
  ifFence?: number;
  /** The user the client proved to be (absent or '' anonymous): another user's claim changes nothing, answers `user`. */
  user?: string;
}

export type ClaimResult =
  | { status: 'unknown' | 'expired' | 'token' | 'user' }
  | { status: 'replay-gap'; previousOwner: string }
  | { status: 'owned'; owner: string; fence: number }
  | { status: 'ok'; session: StoredSession; previousOwner: string; frames: StoredFrame[] | null };

/** A session expired by the sweep: exactly one caller gets it. */
export interface ExpiredSession {
  id: string;
  owner: string;
}

export interface InboxEntry {
  entryId: string;
  data: string;
}

/**
 * `taken`: another node claimed the session; `ended`: it was expired or closed elsewhere; `send`: its inbox has
 * data; `release`: node `from` wants to claim it (stop reading the socket, store everything, answer); `released`:
 * the answer to request `req`; `close-user` (to `ALL_NODES`): end every session of `user` (sign-out everywhere).
 */
export interface NodeMessage {
  t: 'taken' | 'ended' | 'send' | 'release' | 'released' | 'close-user';
  sid: string;
  /** For `close-user`: whose sessions end. */
  user?: string;
  /** For `taken`: the new owner's fence (a node holding a newer one ignores the message); for `release`: the one the asker saw. */
  fence?: number;
  /** For `release`: the asking node. */
  from?: string;
  /** For `release` and `released`: the request. */
  req?: string;
}

/** The name every node also listens under, for messages to all of them. */
export const ALL_NODES = '*';

export interface SessionStore {
  /** Keys expire by themselves this long after their sweep score (a safety net; the sweep comes first). */
  configure(options: { safetyTtlMs: number }): void;
  create(session: NewStoredSession): Promise<void>;
  /** Checks the token, takes ownership with a new fence, and drops what the client acknowledged. */
  claim(id: string, request: ClaimRequest): Promise<ClaimResult>;
  /**
   * Applies `ops` in order, atomically, if `fence` is still the session's fence. `gone` also when an `out` op
   * skips past the stored out seq: the store lost earlier writes, and the session must not go on with a hole.
   */
  write(id: string, fence: number, ops: StoreOp[]): Promise<WriteResult>;
  get(id: string): Promise<StoredSession | null>;
  /** Frames with seq > `after`, oldest first. */
  frames(id: string, after: number): Promise<StoredFrame[]>;
  /** Renews the sweep score of sessions this node holds attached or blocked. */
  lease(ids: string[], score: number): Promise<void>;
  /** Up to `limit` sessions whose sweep score is at or before `before`. */
  expirable(before: number, limit: number): Promise<string[]>;
  /** Deletes the session if its score is still at or before `before`; only one caller, on any node, wins. */
  expire(id: string, before: number): Promise<ExpiredSession | null>;
  /** Queues data (JSON) for a session from a node that does not own it; returns the owner, null when there is no such session. */
  enqueue(id: string, data: string): Promise<string | null>;
  /** The oldest inbox entries after `after` (an entry ID, null for the first); each leaves the inbox with the `out` op that sends it. */
  inbox(id: string, after: string | null, limit: number): Promise<InboxEntry[]>;
  /** Resolves with how many subscribers heard it: 0 means no live node listens under that name. */
  publish(node: string, message: NodeMessage): Promise<number>;
  /** Messages for `node`; returns the unsubscribe. */
  subscribe(node: string, handler: (message: NodeMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
