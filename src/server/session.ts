/** One server session: outlives its socket, numbers what it sends, and replays what the client missed. */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { encodeFrame, type JsonValue, type MsgFrame } from '../protocol/frames.js';
import { CloseCode } from '../protocol/close-codes.js';
import { newToken, tokensEqual } from './ids.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface SessionLimits {
  maxReplayMessages: number;
  maxReplayBytes: number;
  ackDelayMs: number;
  now: () => number;
}

export type SessionData = JsonValue | Uint8Array;

export interface SessionEvents {
  message: [data: SessionData, info: { seq: number }];
  attach: [];
  detach: [];
  expire: [];
  close: [code: number, reason: string];
}

interface Block {
  timer: NodeJS.Timeout | undefined;
}

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly createdAt: number;
  #token: string;
  /** The token the client last proved it holds, until it proves it received the rotated one. */
  #presented: string | null = null;
  #inSeq = 0;
  #outSeq = 0;
  #buffer: ReplayBuffer;
  #ws: WebSocket | null = null;
  #detachedAt: number;
  #blocks: Block[] = [];
  #ackTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #limits: SessionLimits;
  readonly #onEnd: (session: Session) => void;

  /** @internal Created by SessionServer. */
  constructor(id: string, limits: SessionLimits, onEnd: (session: Session) => void) {
    super();
    this.id = id;
    this.#token = newToken();
    this.#limits = limits;
    this.#onEnd = onEnd;
    this.#buffer = new ReplayBuffer(limits.maxReplayMessages, limits.maxReplayBytes);
    this.createdAt = limits.now();
    this.#detachedAt = this.createdAt;
  }

  get connected(): boolean {
    return this.#ws !== null;
  }

  get blocked(): boolean {
    return this.#blocks.length > 0;
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

  /** Sends `data` now if a socket is attached, and keeps it until acknowledged either way. Returns its seq. */
  send(data: SessionData | ArrayBuffer): number {
    if (this.#closed) throw new Error(`session ${this.id} is closed`);
    if (data === undefined || typeof data === 'function' || typeof data === 'symbol') {
      throw new TypeError('session.send(): data must be a JSON value or bytes');
    }
    const seq = this.#outSeq + 1;
    const frame: MsgFrame =
      data instanceof Uint8Array || data instanceof ArrayBuffer
        ? {
            t: 'msg',
            seq,
            b: Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('base64'),
          }
        : { t: 'msg', seq, d: data };
    // Encoded before the seq is taken: data JSON cannot encode (a BigInt, a cycle) throws here and leaves no gap.
    const text = encodeFrame(frame);
    this.#outSeq = seq;
    this.#buffer.push(seq, text);
    if (this.#ws && this.#ws.readyState === 1) this.#ws.send(text);
    return seq;
  }

  /** Keeps the session from expiring during long work; blocks nest. `maxMs` releases this block by itself. */
  blockExpiration(options: { maxMs?: number } = {}): void {
    const block: Block = { timer: undefined };
    if (options.maxMs !== undefined) {
      block.timer = setTimeout(() => this.#release(block), options.maxMs);
      block.timer.unref();
    }
    this.#blocks.push(block);
  }

  /** Releases the most recent block. */
  unblockExpiration(): void {
    const block = this.#blocks.at(-1);
    if (block) this.#release(block);
  }

  /** Ends the session for good: the client is told not to resume (close 4000). */
  close(code: number = CloseCode.sessionClosed, reason = 'session closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const b of this.#blocks) clearTimeout(b.timer);
    this.#blocks = [];
    clearTimeout(this.#ackTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState <= 1) ws.close(code, reason);
    this.#onEnd(this);
    this.emit('close', code, reason);
  }

  #release(block: Block): void {
    const i = this.#blocks.indexOf(block);
    if (i < 0) return;
    clearTimeout(block.timer);
    this.#blocks.splice(i, 1);
    // A full lifetime starts after long work ends, so a client about to return still finds its session.
    if (this.#blocks.length === 0 && !this.#ws) this.#detachedAt = this.#limits.now();
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
  rotateToken(presented: string): string {
    this.#presented = presented;
    this.#token = newToken();
    return this.#token;
  }

  /** @internal Any frame on the attached socket after the welcome proves the client holds the new token. */
  confirmToken(ws: WebSocket): void {
    if (this.#ws === ws) this.#presented = null;
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

  /** @internal Attaches a socket and returns the frames to send again, after the welcome. */
  attach(ws: WebSocket, clientAck: number): string[] {
    const old = this.#ws;
    this.#ws = ws;
    if (old && old !== ws && old.readyState <= 1) old.close(CloseCode.replaced, 'replaced by a newer connection');
    this.#buffer.ack(clientAck);
    this.emit('attach');
    return this.#buffer.since(clientAck);
  }

  /** @internal */
  detach(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#ws = null;
    this.#detachedAt = this.#limits.now();
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.emit('detach');
  }

  /** @internal Delivers a client message exactly once; returns false on a gap (a protocol error). */
  receive(frame: MsgFrame): boolean {
    if (frame.seq <= this.#inSeq) {
      this.#scheduleAck();
      return true;
    }
    if (frame.seq !== this.#inSeq + 1) return false;
    this.#inSeq = frame.seq;
    this.#scheduleAck();
    const data: SessionData =
      frame.b !== undefined ? new Uint8Array(Buffer.from(frame.b, 'base64')) : (frame.d ?? null);
    this.emit('message', data, { seq: frame.seq });
    return true;
  }

  /** @internal */
  acked(seq: number): void {
    this.#buffer.ack(seq);
  }

  /** @internal */
  expire(): void {
    if (this.#closed) return;
    this.emit('expire');
    this.close(CloseCode.sessionClosed, 'session expired');
  }

  #scheduleAck(): void {
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      if (this.#ws && this.#ws.readyState === 1) this.#ws.send(encodeFrame({ t: 'ack', seq: this.#inSeq }));
    }, this.#limits.ackDelayMs);
  }
}
