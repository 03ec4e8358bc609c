/** One server session: outlives its socket, numbers what it sends, and replays what the client missed. */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { encodeFrame, encodeMsgFrame, msgFrameBytes, type JsonValue, type MsgFrame } from '../protocol/frames.js';
import { CloseCode } from '../protocol/close-codes.js';
import { emitGuarded } from './guard.js';
import { newToken, tokensEqual } from './ids.js';
import { ReplayBuffer } from './replay-buffer.js';
import type { ReplayBudget } from './replay-budget.js';
import { closeSocket } from './socket.js';
import type { Journal } from './store/journal.js';
import type { StoredFrame } from './store/session-store.js';
import { longTimeout, type LongTimer } from './timers.js';
import type { Traffic } from './traffic.js';

/** @internal What a session needs from its server: limits, the shared memory budget, and where errors go. */
export interface SessionContext {
  maxReplayMessages: number;
  maxReplayBytes: number;
  replayOverflow: 'refuse' | 'evict';
  maxSocketBufferedBytes: number;
  ackDelayMs: number;
  closeTimeoutMs: number;
  now: () => number;
  /** The replay bytes shared by all sessions of the server. */
  budget: ReplayBudget;
  traffic?: Traffic;
  reportError(error: Error): void;
  ended(session: Session): void;
  /** With a shared store: how far ahead an attached or blocked session's sweep lease reaches. */
  leaseMs?: number;
  /** With a shared store: sends data to a session this node no longer owns, through the store; false without one. */
  forward?(session: Session, body: string): boolean;
}

/** @internal A session read back from a store (after a restart, or from another node). */
export interface SessionRestore {
  token: string;
  user?: string;
  inSeq: number;
  outSeq: number;
  createdAt: number;
  frames: StoredFrame[];
}

export type SessionData = JsonValue | Uint8Array;

export interface SessionEvents {
  message: [data: SessionData, info: { seq: number }];
  attach: [];
  detach: [];
  /** What `send()` refused is welcome again: the client acknowledged enough. */
  drain: [];
  expire: [];
  close: [code: number, reason: string];
}

/** Thrown by `session.send()` at a bound: the message was not taken (no seq used); wait for `drain`. */
export class SessionBufferFullError extends Error {
  readonly code = 'ERR_SESSION_BUFFER_FULL';
  constructor(message: string) {
    super(message);
    this.name = 'SessionBufferFullError';
  }
}

/** A block on expiration; `release()` ends exactly this one, whenever it is called. */
export interface ExpirationBlock {
  release(): void;
}

interface Block extends ExpirationBlock {
  timer: LongTimer | undefined;
  /** Released by its `maxMs`: it no longer blocks, but a later LIFO unblock must consume it, not an outer block. */
  lapsed: boolean;
}

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly createdAt: number;
  /** The client address that created it, for the per-address limit. */
  readonly address: string;
  /** The user it belongs to (with `authenticate`); a resume by anyone else never gets it. */
  readonly user: string | undefined;
  #token: string;
  /** The token the client last proved it holds, until it proves it received the rotated one. */
  #presented: string | null = null;
  #inSeq = 0;
  #outSeq = 0;
  #buffer: ReplayBuffer;
  #ws: WebSocket | null = null;
  /** Highest seq written to the current socket; frames above it wait for the socket to drain. */
  #written = 0;
  /** Since when written data has gone without an ack that made progress (null: nothing outstanding). */
  #waitingSince: number | null = null;
  #detachedAt: number;
  #blocks: Block[] = [];
  #ackTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** What refused the last send, until `drain`: this session's own bounds, or the budget all sessions share. */
  #refusedBy: 'session' | 'budget' | null = null;
  /** With a shared store: the write-behind queue; null when sessions live only in this process. */
  #journal: Journal | null = null;
  /** The session is owned by another node now: `send()` goes there through the store. */
  #moved = false;
  /** An ack is due but the client seqs it would cover are not stored yet. */
  #ackWaits = false;
  readonly #host: SessionContext;

  /** @internal Created by SessionServer. */
  constructor(id: string, address: string, host: SessionContext, restore?: SessionRestore, user?: string) {
    super();
    this.id = id;
    this.address = address;
    this.user = (restore ? restore.user : user) || undefined;
    this.#token = restore?.token ?? newToken();
    this.#host = host;
    this.#buffer = new ReplayBuffer(host.maxReplayMessages, host.maxReplayBytes);
    this.createdAt = restore?.createdAt ?? host.now();
    this.#detachedAt = host.now();
    if (restore) {
      this.#inSeq = restore.inSeq;
      this.#outSeq = restore.outSeq;
      for (const f of restore.frames) {
        const bytes = Buffer.byteLength(f.frame);
        // What the store kept was within the bounds when it was sent; the budget counts it even if now over.
        host.budget.reserve(bytes, true);
        this.#buffer.push(f.seq, f.frame, bytes);
      }
      this.#buffer.startAfter(restore.outSeq);
    }
  }

  /** Listeners run through the guard: one that throws is reported through the server's `error` event. */
  override emit<K extends keyof SessionEvents>(event: K, ...args: SessionEvents[K]): boolean {
    return emitGuarded(this, event as string, args, this.#host.reportError);
  }

  get connected(): boolean {
    return this.#ws !== null;
  }

  get blocked(): boolean {
    return this.#blocks.some((b) => !b.lapsed);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** When the last socket went away (or the session was created); meaningful while not connected. */
  get detachedAt(): number {
    return this.#detachedAt;
  }

  /** Messages kept for replay (sent but not yet acknowledged). */
  get pending(): number {
    return this.#buffer.size;
  }

  /** Bytes kept for replay. */
  get pendingBytes(): number {
    return this.#buffer.bytes;
  }

  /** True once `send()` refused a message, until `drain`. */
  get needsDrain(): boolean {
    return this.#refusedBy !== null;
  }

  /**
   * Sends `data` now if a socket is attached, and keeps it until acknowledged either way. Returns its seq.
   * Throws `SessionBufferFullError` when keeping it would pass a replay bound (see `replayOverflow`); after a
   * refusal every send is refused until `drain`, so what an application keeps for later cannot be overtaken.
   * With a shared store the message goes to the client once it is stored (see `flushed()`); on a session another
   * node has taken over it goes to that node through the store and `send()` returns 0 (the seq is assigned there).
   */
  send(data: SessionData | ArrayBuffer): number {
    const seq = this.trySend(data);
    if (seq === null) throw new SessionBufferFullError(this.#refusal());
    return seq;
  }

  /**
   * As `send()`, but a refusal at a replay bound returns null instead of throwing: for code that sends in a loop,
   * where a refusal must cost next to nothing (nothing is encoded once the bound is known to be reached).
   */
  trySend(data: SessionData | ArrayBuffer): number | null {
    if (this.#moved) return this.#forward(bodyOf(data));
    if (this.#refusedEarly()) return null;
    return this.#keep(bodyOf(data));
  }

  /**
   * @internal Numbers and keeps one message whose body (`{"d":…}` or `{"b":…}`) is already JSON, so a broadcast
   * encodes its data once for all sessions; `bodyBytes` saves measuring it again. Returns null at a bound.
   * `inbox`: the store inbox entry it comes from.
   */
  sendEncoded(body: string, bodyBytes = Buffer.byteLength(body), inbox?: string): number | null {
    if (this.#closed || this.#moved) throw new Error(`session ${this.id} is closed`);
    return this.#refusedEarly() ? null : this.#keep(body, bodyBytes, inbox);
  }

  #keep(body: string, bodyBytes = Buffer.byteLength(body), inbox?: string): number | null {
    if (this.#closed) throw new Error(`session ${this.id} is closed`);
    const seq = this.#outSeq + 1;
    const bytes = msgFrameBytes(seq, bodyBytes);
    if (!this.#makeRoom(bytes)) return null;
    const text = encodeMsgFrame(seq, body);
    this.#outSeq = seq;
    this.#buffer.push(seq, text, bytes);
    const traffic = this.#host.traffic;
    if (traffic) {
      traffic.messagesOut++;
      traffic.bytesOut += bytes;
    }
    this.#journal?.push({ op: 'out', seq, frame: text, ...(inbox !== undefined ? { inbox } : {}) });
    this.#flush();
    return seq;
  }

  /** @internal For a session another node owns: the body goes there through the store (0: the seq is its). */
  #forward(body: string): number {
    if (this.#host.forward?.(this, body)) return 0;
    throw new Error(`session ${this.id} is closed`);
  }

  /**
   * Resolves once everything sent and received so far is in the shared store (at once without one). Rejects if
   * the session is closed or moves to another node before that; store outages are retried, not rejected.
   */
  flushed(): Promise<void> {
    return this.#journal?.flushed() ?? Promise.resolve();
  }

  /** A refusal known before any encoding: refused since the last drain, or a bound already reached. */
  #refusedEarly(): boolean {
    if (this.#refusedBy !== null) return true;
    if (this.#host.replayOverflow === 'evict') return false;
    if (this.#buffer.size >= this.#buffer.maxMessages) return this.#refuse('session');
    if (this.#host.budget.full) return this.#refuse('budget');
    return false;
  }

  /** Every later send is refused too until `drain`; the budget tells this session when it has room. */
  #refuse(by: 'session' | 'budget'): true {
    this.#refusedBy = by;
    if (by === 'budget') this.#host.budget.refuse(this);
    return true;
  }

  #makeRoom(bytes: number): boolean {
    const evict = this.#host.replayOverflow === 'evict';
    const budget = this.#host.budget;
    while (evict && this.#buffer.size > 0 && !this.#buffer.fits(bytes)) budget.release(this.#buffer.evictOldest());
    if (!this.#buffer.fits(bytes)) return !this.#refuse('session');
    while (!budget.reserve(bytes)) {
      if (!evict || this.#buffer.size === 0) return !this.#refuse('budget');
      budget.release(this.#buffer.evictOldest());
    }
    return true;
  }

  /** Built only for `send()`, which throws it: `trySend()` refusals cost no message. */
  #refusal(): string {
    if (this.#refusedBy === 'budget') return `session ${this.id}: maxTotalReplayBytes reached across all sessions`;
    return (
      `session ${this.id}: ${this.#buffer.size} messages (${this.#buffer.bytes} bytes) wait for the client; ` +
      `maxReplayMessages ${this.#buffer.maxMessages}, maxReplayBytes ${this.#buffer.maxBytes}`
    );
  }

  /** @internal The shared budget has room again: drain, unless this session's own buffer is still too full. */
  budgetRoom(): void {
    this.#drainIfRoom();
  }

  /**
   * `drain` once this session's own buffer is back at half its bounds and, if the shared budget refused it, the
   * budget at half too (a session refused for its own bounds must not wait on a budget it is not listening to).
   */
  #drainIfRoom(): void {
    const by = this.#refusedBy;
    if (by === null || this.#closed) return;
    if (this.#buffer.bytes > this.#buffer.maxBytes / 2 || this.#buffer.size > this.#buffer.maxMessages / 2) return;
    if (by === 'budget' && this.#host.budget.used > this.#host.budget.max / 2) return;
    this.#refusedBy = null;
    this.emit('drain');
  }

  /** Writes what the socket has not had yet, unless the client is not taking what it already has. */
  #flush(): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return;
    // Only what the store has: a client must never hold a message that a node dying now would take with it.
    const durable = this.#journal ? this.#journal.durableOut : this.#outSeq;
    for (const frame of this.#buffer.since(this.#written)) {
      if (frame.seq > durable) return;
      if (ws.bufferedAmount >= this.#host.maxSocketBufferedBytes) return;
      ws.send(frame.data, this.#onWritten);
      this.#written = frame.seq;
      this.#waitingSince ??= this.#host.now();
    }
  }

  /** A write reached the kernel: room for what waited. */
  #onWritten = (): void => {
    if (this.#written < this.#outSeq) this.#flush();
  };

  /**
   * Keeps the session from expiring during long work; blocks nest. `maxMs` releases this block by itself.
   * Returns the block: `release()` ends exactly it, while `unblockExpiration()` ends the most recent one.
   */
  blockExpiration(options: { maxMs?: number } = {}): ExpirationBlock {
    const maxMs = options.maxMs;
    if (maxMs !== undefined && !(typeof maxMs === 'number' && maxMs >= 0)) {
      throw new RangeError(
        `session.blockExpiration(): maxMs must be a number >= 0 (or Infinity), not ${String(maxMs)}`,
      );
    }
    if (this.#closed) return { release: () => {} };
    const block: Block = {
      timer: undefined,
      lapsed: false,
      release: () => this.#release(block),
    };
    if (maxMs !== undefined) block.timer = longTimeout(() => this.#lapse(block), maxMs);
    this.#blocks.push(block);
    if (!this.#ws && this.#blocks.length === 1) this.#scoreChanged();
    return { release: block.release };
  }

  /** Releases the most recent block (one that lapsed at its `maxMs` counts: its work ends here). */
  unblockExpiration(): void {
    const block = this.#blocks.at(-1);
    if (block) this.#release(block);
  }

  /** Ends the session for good: the client is told not to resume (close 4000). */
  close(code: number = CloseCode.sessionClosed, reason = 'session closed'): void {
    if (this.#closed || this.#moved) return;
    this.#closed = true;
    for (const b of this.#blocks) b.timer?.cancel();
    this.#blocks = [];
    clearTimeout(this.#ackTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) closeSocket(ws, code, reason, this.#host.closeTimeoutMs);
    this.#host.budget.release(this.#buffer.bytes);
    this.#host.budget.forget(this);
    this.#buffer.clear();
    this.#journal?.push({ op: 'end' });
    this.#host.ended(this);
    this.emit('close', code, reason);
  }

  /**
   * @internal This node lets go of the session without ending it: another node took it over, or this server is
   * closing and the store keeps it. Later `send()` calls go to the owner through the store.
   */
  letGo(code: number, reason: string): void {
    if (this.#closed || this.#moved) return;
    this.#moved = true;
    for (const b of this.#blocks) b.timer?.cancel();
    this.#blocks = [];
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#journal?.stop(reason);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) closeSocket(ws, code, reason, this.#host.closeTimeoutMs);
    this.#host.budget.release(this.#buffer.bytes);
    this.#host.budget.forget(this);
    this.#buffer.clear();
    this.#host.ended(this);
    if (ws) this.emit('detach');
  }

  /**
   * @internal Closes the socket and stops taking its frames, before this node hands the session to another one;
   * the session stays this node's (and `send()` keeps working) until `letGo()`.
   */
  hold(code: number, reason: string): void {
    const ws = this.#ws;
    if (!ws) return;
    closeSocket(ws, code, reason, this.#host.closeTimeoutMs);
    this.detach(ws);
  }

  /** Whether another node owns the session now (this object only forwards `send()` there). */
  get moved(): boolean {
    return this.#moved;
  }

  /** @internal */
  set journal(journal: Journal) {
    this.#journal = journal;
  }

  /** @internal The store has more: write what waited for it, and the ack that waited. */
  onDurable(): void {
    this.#flush();
    if (this.#ackWaits) {
      this.#ackWaits = false;
      this.#scheduleAck();
    }
  }

  /** @internal The sweep score in the store: a lease while attached or blocked, else the time it went unused. */
  #scoreChanged(): void {
    if (!this.#journal) return;
    const now = this.#host.now();
    const lease = now + (this.#host.leaseMs ?? 0);
    if (this.#ws) this.#journal.push({ op: 'score', score: lease, detachedAt: null });
    else if (this.blocked) this.#journal.push({ op: 'score', score: lease, detachedAt: this.#detachedAt });
    else this.#journal.push({ op: 'score', score: this.#detachedAt, detachedAt: this.#detachedAt });
  }

  #lapse(block: Block): void {
    block.lapsed = true;
    block.timer = undefined;
    this.#afterBlocksChanged();
  }

  #release(block: Block): void {
    const i = this.#blocks.indexOf(block);
    if (i < 0) return;
    block.timer?.cancel();
    this.#blocks.splice(i, 1);
    this.#afterBlocksChanged();
  }

  #afterBlocksChanged(): void {
    if (this.blocked) return;
    // With no live block left, lapsed ones can no longer be mistaken for an outer block: forget them.
    this.#blocks = [];
    // A full lifetime starts after long work ends, so a client about to return still finds its session.
    if (!this.#ws) {
      this.#detachedAt = this.#host.now();
      this.#scoreChanged();
    }
  }

  /** @internal */
  tokenMatches(token: string): boolean {
    const current = tokensEqual(token, this.#token);
    const presented = this.#presented !== null && tokensEqual(token, this.#presented);
    return current || presented;
  }

  /**
   * @internal A new token for each resume, so a stolen old one is worthless. The token the client
   * presented stays valid until `confirmToken`: a welcome lost with its socket must not orphan the session.
   */
  rotateToken(presented: string, next: string = newToken()): string {
    this.#presented = presented;
    this.#token = next;
    return this.#token;
  }

  /** @internal Any frame on the attached socket after the welcome proves the client holds the new token. */
  confirmToken(ws: WebSocket): void {
    if (this.#ws !== ws || this.#presented === null) return;
    this.#presented = null;
    this.#journal?.push({ op: 'confirm' });
  }

  /** @internal */
  get token(): string {
    return this.#token;
  }

  /** @internal Highest client seq received. */
  get inSeq(): number {
    return this.#inSeq;
  }

  /** @internal Highest seq sent. */
  get outSeq(): number {
    return this.#outSeq;
  }

  /** @internal Whether a client holding everything up to `ack` can continue this session. */
  canResume(ack: number): boolean {
    return this.#buffer.reaches(ack);
  }

  /** @internal Attaches a socket (after the welcome was written) and sends what the client missed; returns how many. */
  attach(ws: WebSocket, clientAck: number): number {
    const old = this.#ws;
    this.#ws = ws;
    if (old && old !== ws)
      closeSocket(old, CloseCode.replaced, 'replaced by a newer connection', this.#host.closeTimeoutMs);
    this.acked(clientAck);
    this.#written = clientAck;
    this.#waitingSince = null;
    const replayed = this.#buffer.size;
    this.#scoreChanged();
    this.#flush();
    this.emit('attach');
    return replayed;
  }

  /** @internal */
  detach(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#ws = null;
    this.#detachedAt = this.#host.now();
    this.#waitingSince = null;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#scoreChanged();
    this.emit('detach');
  }

  /**
   * @internal Delivers a client message exactly once; returns false on a gap (a protocol error). Only from the
   * attached socket: a replaced or handed-over socket may still deliver what was in flight, and the client sends
   * all of that again on its current one (where another node may already have handled it).
   */
  receive(frame: MsgFrame, ws: WebSocket): boolean {
    if (ws !== this.#ws) return true;
    if (frame.seq <= this.#inSeq) {
      this.#scheduleAck();
      return true;
    }
    if (frame.seq !== this.#inSeq + 1) return false;
    this.#inSeq = frame.seq;
    this.#journal?.push({ op: 'in', seq: frame.seq });
    this.#scheduleAck();
    const data: SessionData =
      frame.b !== undefined ? new Uint8Array(Buffer.from(frame.b, 'base64')) : (frame.d ?? null);
    this.emit('message', data, { seq: frame.seq });
    return true;
  }

  /** @internal */
  acked(seq: number): void {
    const before = this.#buffer.bytes;
    this.#buffer.ack(seq);
    const freed = before - this.#buffer.bytes;
    if (freed > 0) {
      this.#journal?.push({ op: 'ack', seq });
      this.#host.budget.release(freed);
      this.#waitingSince = this.#buffer.size > 0 && this.#written > seq ? this.#host.now() : null;
    }
    this.#drainIfRoom();
  }

  /** @internal Whether written data has waited longer than `ms` for an ack that makes progress: a dead link. */
  stalled(now: number, ms: number): boolean {
    return this.#ws !== null && this.#waitingSince !== null && now - this.#waitingSince >= ms;
  }

  /** @internal Cuts the socket without a close handshake; the session stays for the client's resume. */
  dropSocket(): void {
    this.#ws?.terminate();
  }

  /** @internal Sends the pending ack at once (before a planned close, so nothing acknowledged is sent again). */
  flushAck(): void {
    if (this.#ackTimer === undefined) return;
    clearTimeout(this.#ackTimer);
    this.#sendAck();
  }

  /** @internal */
  expire(): void {
    if (this.#closed) return;
    this.emit('expire');
    this.close(CloseCode.sessionClosed, 'session expired');
  }

  #scheduleAck(): void {
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(this.#sendAck, this.#host.ackDelayMs);
  }

  #sendAck = (): void => {
    this.#ackTimer = undefined;
    // With a store, only what is stored is acknowledged: a client resends what a dying node never wrote down.
    const seq = this.#journal ? this.#journal.durableIn : this.#inSeq;
    if (seq < this.#inSeq) this.#ackWaits = true;
    if (this.#ws && this.#ws.readyState === 1 && (seq === this.#inSeq || seq > 0))
      this.#ws.send(encodeFrame({ t: 'ack', seq }));
  };
}

/** The JSON of a message body: `{"d":…}` for data, `{"b":…}` (base64) for bytes. Throws for data JSON cannot carry. */
export function bodyOf(data: SessionData | ArrayBuffer): string {
  if (data === undefined || typeof data === 'function' || typeof data === 'symbol') {
    throw new TypeError('send(): data must be a JSON value or bytes');
  }
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    const bytes = Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    return `{"b":"${bytes.toString('base64')}"}`;
  }
  return JSON.stringify({ d: data });
}
