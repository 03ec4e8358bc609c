/** Shapes the client reports to its delegate; the element turns them into DOM events. */
import type { ClientConfig } from '../config.js';
import type { NewSessionReason } from '../protocol/frames.js';
import type { Credential } from './credential.js';
import type { Payload } from './payload.js';
import type { OutboxEntry } from './outbox.js';
import type { WirePayload } from './payload.js';
import type { SessionSnapshot } from './persistence.js';

export type Status = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

/**
 * Why the connection is not open: `network` (socket error or 1006), `heartbeat` (half-open
 * socket), `server-close` (server closed it), `offline`, `hidden` (paused in a hidden or cached
 * page), `timeout` (an attempt did not open in time), `policy` (fatal close code), `protocol`
 * (the peer broke the protocol), `manual` (`disconnect()`), `no-url`, `auth` (closed 4403, 4401 twice in a
 * row, or the `auth` function threw, rejected, gave no string or took longer than `connect-timeout`).
 */
export type Cause =
  | 'network'
  | 'heartbeat'
  | 'server-close'
  | 'offline'
  | 'hidden'
  | 'timeout'
  | 'policy'
  | 'protocol'
  | 'manual'
  | 'no-url'
  | 'auth';

export interface StatusDetail {
  status: Status;
  previous: Status;
  /** Number of the current or next reconnect attempt; 0 outside a reconnect cycle. */
  attempt: number;
  maxAttempts: number;
  /** The wait before the next attempt, when one is scheduled. */
  delayMs: number | null;
  /** Epoch milliseconds of the next attempt, for a countdown; null while none is scheduled. */
  nextAttemptAt: number | null;
  cause: Cause | null;
  /** Close code of the socket that was lost, when there was one. */
  code: number | null;
  reason: string;
  url: string | null;
}

export interface ResumedDetail {
  sessionId: string;
  resumed: true;
  /** Messages sent again to the server because it had not acknowledged them. */
  replayedToServer: number;
  /** Messages the server will send again (known when the server reports its seq). */
  replayedFromServer: number | null;
  outageMs: number;
}

export interface NewSessionDetail {
  sessionId: string;
  resumed: false;
  previousSessionId: string | null;
  /** Why an old session could not be resumed; null for a first session. */
  reason: NewSessionReason | null;
  /** Unacknowledged messages of the old session, sent on in the new one. */
  carriedOver: number;
}

export type SessionDetail = ResumedDetail | NewSessionDetail;

export interface RecoveredDetail {
  outageMs: number;
  cause: Cause;
  /** Connection attempts made during the outage, including the one that succeeded. */
  attempts: number;
  /** Session mode: whether the session was resumed; null in plain mode. */
  resumed: boolean | null;
  code: number | null;
}

export type ErrorKind = 'frame' | 'protocol' | 'queue-full' | 'too-big' | 'server' | 'socket' | 'config' | 'auth';

export interface ErrorDetail {
  kind: ErrorKind;
  message: string;
  code?: string;
  /** The seq `send()` returned for a message taken out of the queue (`too-big`, or a Blob in session mode). */
  seq?: number;
}

export interface MessageDetail {
  data: unknown;
  /** Session mode: the server's sequence number; null in plain mode. */
  seq: number | null;
}

export interface DrainDetail {
  /** Bytes still waiting (see `SessionClient.bufferedAmount`), now at most half the high-water mark. */
  bufferedAmount: number;
  highWaterMark: number;
}

/** A direct callback for high-rate pages: no event object, no detail object per message. */
export type MessageCallback = (data: unknown, seq: number | null) => void;

export interface ClientDelegate {
  status(detail: StatusDetail): void;
  message(detail: MessageDetail): void;
  error(detail: ErrorDetail): void;
  session(detail: SessionDetail): void;
  recovered(detail: RecoveredDetail): void;
  sessionId(id: string | null): void;
  /** The buffered amount fell back to half the high-water mark after a `send()` took it to the mark. */
  drain?(detail: DrainDetail): void;
  /**
   * On each of the page's leaving signals while the client listens (connecting, open, reconnecting or
   * failed): whether the page now counts as unloading, so an overlay can stay away.
   */
  unloading?(unloading: boolean): void;
  /** Session mode (`share`): a message was given its seq and is about to go out. */
  queued?(entry: OutboxEntry<WirePayload>): void;
  /** Session mode (`share`): the server acknowledged our messages up to `seq`. */
  acked?(seq: number): void;
  /** Session mode (`share`): what another tab needs to take the session over, after each change of it. */
  snapshot?(snapshot: SessionSnapshot): void;
}

/** What the element asks of its connection: a `SessionClient`, or with `share` a `SharedClient`. */
export interface Connection {
  readonly status: Status;
  readonly config: ClientConfig;
  readonly queued: number;
  readonly bufferedAmount: number;
  sessionId: string | null;
  set resumeToken(token: string | null);
  persistKey: string | null;
  auth: Credential | null;
  onmessage: MessageCallback | null;
  configure(config: ClientConfig): void;
  connect(): void;
  retryNow(): void;
  disconnect(): void;
  dispose(): void;
  send(data: Payload): number | null;
}
