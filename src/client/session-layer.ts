/**
 * The session protocol on one socket at a time: hello, welcome, seq/ack with the outbox, replay,
 * heartbeat and the persisted snapshot. It owns no socket and no reconnection: `SessionClient`
 * hands it each socket that opens (hello), its frames (receive) and its end (stop), and hears
 * through `SessionHost` when the session is usable or the socket is no good.
 */
import type { RetryHint } from '../protocol/close-codes.js';
import {
  decodeServerFrame,
  encodeFrame,
  PROTOCOL_VERSION,
  ProtocolError,
  type ServerFrame,
  type WelcomeFrame,
} from '../protocol/frames.js';
import type { ClientConfig } from '../config.js';
import type { ClientEnvironment, SocketLike } from './environment.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { msgData, msgText, type WirePayload } from './payload.js';
import { loadSnapshot, type SessionSnapshot } from './persistence.js';
import { frameBytes, refusedCulprit, unsendable } from './unsendable.js';
import type { Cause, ClientDelegate, ErrorDetail, MessageCallback } from './types.js';

/** Acks are batched: at most this many messages or this long before one goes out. */
const ACK_BATCH = 64;
const ACK_DELAY_MS = 25;
/** A wake-up check (visible again, online, resume) wants an answer sooner than a heartbeat. */
const PROBE_TIMEOUT_MS = 3000;

/** What the session layer asks of the connection that owns the socket. */
export interface SessionHost {
  /** The socket is no good (silent, acks not coming, a gap in the replay): give it up and reconnect. */
  abandon(cause: Cause): void;
  /** Welcomed: the session is usable on `ws`. */
  open(ws: SocketLike, resumed: boolean): void;
  /** Acks freed room in the outbox. */
  drain(): void;
  persist(): void;
  /** The server acknowledged messages of ours up to `seq`: whatever broke the protocol before is not looping. */
  acked(seq: number): void;
  /** The server's `retry` frame: when to come back after the close (`code`, if the server named it) that follows. */
  retry(hint: RetryHint, code?: number): void;
  /** The server's `reauth` frame: it wants a fresh credential on this socket. */
  reauth(): void;
}

export class SessionLayer {
  #config: ClientConfig;
  readonly #host: SessionHost;
  readonly #delegate: ClientDelegate;
  readonly #env: ClientEnvironment;
  readonly #outbox: Outbox<WirePayload>;

  // Left undefined until the first socket: the bundle is counted in bytes, and undefined reads as null/false here.
  #ws!: SocketLike | null;
  /** Welcomed on `#ws`; only stop() clears either. */
  #ready!: boolean;
  #sid: string | null = null;
  #token: string | null = null;
  #inSeq = 0;
  // These are set by hello() or the welcome before anything reads them.
  #unackedIn!: number;
  #lastFrameAt!: number;
  /** Since when a message sent on this socket has waited for an ack with none coming; null when none waits. */
  #unackedSince: number | null = null;
  /** Highest seq sent on the current socket: a 1009 close was caused by one of the messages up to it. */
  #sentSeq!: number;
  /** The server's frame limit from its welcome; a larger message would only get the socket closed (1009). */
  #maxFrameBytes: number | null = null;
  /** The `leftAt` of the snapshot this session was restored from. */
  #restoredLeftAt: number | null = null;
  /**
   * `share`: the highest client seq that may go out and server seq that may be acknowledged, because another
   * tab has heard of them and could resume the session without them being lost or sent twice.
   */
  #cleared = Infinity;
  #ackCap = Infinity;
  /** When the outage this socket ends began (set by hello, read by the welcome). */
  #outageStart!: number | null;

  #idleTimer: number | undefined;
  #pongTimer: number | undefined;
  #ackTimer: number | undefined;
  #ackWatchTimer: number | undefined;

  constructor(
    config: ClientConfig,
    host: SessionHost,
    delegate: ClientDelegate,
    env: ClientEnvironment,
    outbox: Outbox<WirePayload>,
  ) {
    this.#config = config;
    this.#host = host;
    this.#delegate = delegate;
    this.#env = env;
    this.#outbox = outbox;
  }

  /** The layer reads only the heartbeat settings; a timer already armed keeps its deadline. */
  configure(config: ClientConfig): void {
    this.#config = config;
  }

  get sid(): string | null {
    return this.#sid;
  }

  set sid(id: string | null) {
    if (id === this.#sid) return;
    this.#sid = id;
    // A different session cannot use the old one's token or sequence numbers.
    this.#token = null;
    this.#inSeq = 0;
  }

  set token(token: string | null) {
    this.#token = token;
  }

  /** The socket opened: nothing of ours has been sent on it, and the server waits for a hello. */
  hello(ws: SocketLike, outageStart: number | null, auth?: string): void {
    this.#ws = ws;
    this.#outageStart = outageStart;
    this.#sentSeq = 0;
    this.#lastFrameAt = this.#env.now();
    // JSON leaves out the undefined ones: a new session sends neither, a token goes only with its ID.
    const sid = this.#sid || undefined;
    ws.send(
      encodeFrame({
        t: 'hello',
        v: PROTOCOL_VERSION,
        sid,
        token: (sid && this.#token) || undefined,
        ack: this.#inSeq,
        auth,
      }),
    );
  }

  /** The socket is gone or going: its timers go with it. The sent seq stays: the close's 1009 check reads it. */
  stop(): void {
    const timers = [this.#idleTimer, this.#pongTimer, this.#ackTimer, this.#ackWatchTimer];
    for (const t of timers) this.#env.clearTimeout(t);
    this.#idleTimer = this.#pongTimer = this.#ackTimer = this.#ackWatchTimer = undefined;
    this.#unackedSince = null;
    this.#ws = null;
    this.#ready = false;
  }

  /** Sends a queued entry now if the session is welcomed; otherwise the next welcome sends it. */
  transmit(entry: OutboxEntry<WirePayload>): void {
    if (!this.#ready || entry.seq > this.#cleared) return;
    this.#ws!.send(msgText(entry.seq, entry.data));
    this.#sentSeq = entry.seq;
    this.#watchAcks();
  }

  /** `share`: moves the bounds up (see `#cleared`), sending what they held back. */
  gate(cleared: number, ackCap: number): void {
    const ackRose = ackCap > this.#ackCap;
    const held = cleared > this.#cleared && this.#sentSeq < this.#outbox.lastSeq;
    this.#cleared = cleared;
    this.#ackCap = ackCap;
    if (!this.#ready) return;
    if (held) for (const e of this.#outbox.entries()) if (e.seq > this.#sentSeq) this.transmit(e);
    // Acks keep their batching: one per confirmation would double the frames.
    const ws = this.#ws!;
    if (ackRose && this.#ackTimer === undefined) {
      this.#ackTimer = this.#env.setTimeout(() => this.#sendAck(ws), ACK_DELAY_MS);
    }
  }

  /** A fresh credential over the live socket, unless the socket it was fetched for is gone by now. */
  authenticate(ws: SocketLike, auth: string): void {
    if (this.#ws === ws && this.#ready) ws.send(encodeFrame({ t: 'auth', auth }));
  }

  checkFrameSize(wire: WirePayload): void {
    const limit = this.#maxFrameBytes;
    if (limit === null) return;
    const bytes = frameBytes(this.#outbox.lastSeq + 1, wire, limit);
    if (bytes <= limit) return;
    const message = `send(): the message is ${bytes} bytes as a frame; the server accepts at most ${limit}`;
    this.#delegate.error({ kind: 'too-big', message });
    throw new RangeError(message);
  }

  receive(data: unknown, cb: MessageCallback | null): void {
    this.#lastFrameAt = this.#env.now();
    if (this.#pongTimer !== undefined) {
      this.#env.clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
      this.#armIdle();
    }
    if (typeof data !== 'string') {
      this.#delegate.error({ kind: 'frame', message: 'binary frame received in session mode; ignored' });
      return;
    }
    let frame: ServerFrame;
    try {
      frame = decodeServerFrame(data);
    } catch (error) {
      const e = error as ProtocolError;
      this.#delegate.error({ kind: 'frame', message: `malformed frame ignored: ${e.message}`, code: e.code });
      return;
    }
    const ws = this.#ws!;
    switch (frame.t) {
      case 'welcome':
        return this.#onWelcome(ws, frame);
      case 'msg': {
        if (!this.#ready) return;
        if (frame.seq <= this.#inSeq) return this.#scheduleAck(ws);
        if (frame.seq !== this.#inSeq + 1) {
          this.#delegate.error({
            kind: 'protocol',
            message: `message ${frame.seq} arrived after ${this.#inSeq}; reconnecting to replay`,
          });
          return this.#host.abandon('protocol');
        }
        this.#inSeq = frame.seq;
        this.#scheduleAck(ws);
        const data = msgData(frame);
        if (cb) cb(data, frame.seq);
        else this.#delegate.message({ data, seq: frame.seq });
        return;
      }
      case 'ack':
        if (this.#outbox.ack(frame.seq) > 0) {
          this.#host.acked(frame.seq);
          // Our messages get through: the clock starts again for whatever is still unacknowledged.
          this.#unackedSince = this.#outbox.size > 0 ? this.#env.now() : null;
          this.#host.drain();
        }
        return;
      case 'ping':
        ws.send(encodeFrame({ t: 'pong', ts: frame.ts }));
        return;
      // A pong needs nothing more: every frame counts as a sign of life (above).
      case 'error':
        this.#delegate.error({ kind: 'server', message: frame.message, code: frame.code });
        return;
      case 'retry':
        this.#host.retry({ afterMs: frame.afterMs, spreadMs: frame.spreadMs }, frame.code);
        return;
      case 'reauth':
        return this.#host.reauth();
    }
  }

  #onWelcome(ws: SocketLike, f: WelcomeFrame): void {
    const previous = this.#sid;
    const since = this.#outageStart ?? this.#restoredLeftAt;
    this.#restoredLeftAt = null;
    const outageMs = since === null ? 0 : Math.max(0, this.#env.now() - since);
    let replayedFromServer: number | null = null;
    if (f.resumed) {
      if (this.#outbox.ack(f.ack) > 0) this.#host.acked(f.ack);
      if (f.seq !== undefined) replayedFromServer = Math.max(0, f.seq - this.#inSeq);
    } else {
      this.#inSeq = 0;
      this.#outbox.renumber();
    }
    this.#sid = f.sid;
    this.#token = f.token;
    this.#maxFrameBytes = f.maxFrameBytes ?? null;
    // What is left has not reached the server, so taking entries out and renumbering the rest is safe.
    this.#dropUnsendable();
    const replayedToServer = f.resumed ? this.#outbox.size : 0;
    const carriedOver = f.resumed ? 0 : this.#outbox.size;
    this.#unackedIn = 0;
    if (previous !== f.sid) this.#delegate.sessionId(f.sid);
    this.#delegate.session(
      f.resumed
        ? { sessionId: f.sid, resumed: true, replayedToServer, replayedFromServer, outageMs }
        : {
            sessionId: f.sid,
            resumed: false,
            previousSessionId: previous,
            reason: f.reason ?? (previous ? 'unknown' : null),
            carriedOver,
          },
    );
    if (this.#ws !== ws) return;
    // Saved (and, with `share`, told to the other tabs) before the ack below makes the old token useless.
    this.#host.persist();
    // Tells the server the rotated token arrived, so it can forget the old one (see docs/protocol.md).
    if (f.resumed) ws.send(this.#ackFrame());
    // Unacknowledged messages go first: a send() from an 'open' listener must follow them, not overtake them.
    for (const entry of this.#outbox.entries()) {
      if (entry.seq > this.#cleared) break;
      ws.send(msgText(entry.seq, entry.data));
      this.#sentSeq = entry.seq;
    }
    if (this.#sentSeq > 0) this.#watchAcks();
    this.#ready = true;
    this.#armIdle();
    this.#host.open(ws, f.resumed);
  }

  /**
   * A message the server would close the socket for (over its announced frame limit), or one no
   * frame can carry (a Blob queued in plain mode), would be resent on every attempt and hold up
   * everything behind it: it leaves the queue, reported with the seq `send()` returned.
   */
  #dropUnsendable(): void {
    const problems = new Map<number, ErrorDetail>();
    const removed = this.#outbox.remove((e) => {
      const problem = unsendable(e, this.#maxFrameBytes);
      if (problem) problems.set(e.seq, problem);
      return problem !== null;
    });
    for (const e of removed) this.#delegate.error(problems.get(e.seq)!);
  }

  /** A 1009 close: the largest message sent on that socket goes, one per close, so this cannot loop. */
  dropRefused(): boolean {
    const refused = refusedCulprit(this.#outbox.entries(), this.#sentSeq);
    if (!refused) return false;
    this.#outbox.remove((e) => e === refused.entry);
    this.#sentSeq = 0;
    this.#host.persist();
    this.#delegate.error(refused.error);
    return true;
  }

  #scheduleAck(ws: SocketLike): void {
    this.#unackedIn++;
    if (this.#unackedIn >= ACK_BATCH) return this.#sendAck(ws);
    if (this.#ackTimer === undefined) this.#ackTimer = this.#env.setTimeout(() => this.#sendAck(ws), ACK_DELAY_MS);
  }

  #sendAck(ws: SocketLike): void {
    this.#env.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#unackedIn = 0;
    if (this.#ws === ws && ws.readyState === 1) ws.send(this.#ackFrame());
  }

  #ackFrame(): string {
    return encodeFrame({ t: 'ack', seq: Math.min(this.#inSeq, this.#ackCap) });
  }

  /** Heartbeat: after `heartbeatInterval` of silence send a ping; no frame within the timeout = half-open. */
  #armIdle(): void {
    this.#env.clearTimeout(this.#idleTimer);
    // A clock set back must not push the next check past one interval.
    this.#lastFrameAt = Math.min(this.#lastFrameAt, this.#env.now());
    const due = this.#lastFrameAt + this.#config.heartbeatInterval - this.#env.now();
    this.#idleTimer = this.#env.setTimeout(
      () => {
        const silent = this.#env.now() - this.#lastFrameAt;
        if (silent < this.#config.heartbeatInterval) return this.#armIdle();
        this.#ping(this.#config.heartbeatTimeout);
      },
      Math.max(0, due),
    );
  }

  /**
   * A link can die towards the server only: its frames keep the heartbeat quiet while nothing of
   * ours arrives. Messages unacknowledged for `heartbeatTimeout` (acks come within tens of ms)
   * count as a dead socket: give it up (4002) and resume, which resends them.
   */
  #watchAcks(): void {
    if (this.#unackedSince !== null) return;
    this.#unackedSince = this.#env.now();
    this.#armAckWatch(this.#config.heartbeatTimeout);
  }

  #armAckWatch(ms: number): void {
    this.#env.clearTimeout(this.#ackWatchTimer);
    this.#ackWatchTimer = this.#env.setTimeout(() => {
      this.#ackWatchTimer = undefined;
      const since = this.#unackedSince;
      if (since === null) return;
      // A clock set back must not stretch the wait past one timeout.
      const waited = Math.max(0, this.#env.now() - Math.min(since, this.#env.now()));
      if (waited < this.#config.heartbeatTimeout) return this.#armAckWatch(this.#config.heartbeatTimeout - waited);
      this.#host.abandon('heartbeat');
    }, ms);
  }

  /** A wake-up asks a welcomed session for a sign of life; plain mode has no way to ask. */
  probe(): void {
    this.#ping(Math.min(PROBE_TIMEOUT_MS, this.#config.heartbeatTimeout));
  }

  /** One question at a time: an answer to any of them clears the timeout. */
  #ping(timeoutMs: number): void {
    if (!this.#ready || this.#pongTimer !== undefined) return;
    this.#ws!.send(encodeFrame({ t: 'ping', ts: this.#env.now() }));
    this.#pongTimer = this.#env.setTimeout(() => {
      this.#pongTimer = undefined;
      this.#host.abandon('heartbeat');
    }, timeoutMs);
  }

  /** Takes over the session a reload left in `storage`, unless the page handed one over (a token). */
  restore(storage: Storage | null, key: string): void {
    const snap = this.#token ? null : loadSnapshot(storage, key);
    if (snap) this.adopt(snap);
  }

  /** Takes over a session from a snapshot: a reload's, or (`share`) the one the tab that held it left. */
  adopt(snap: SessionSnapshot): void {
    this.#sid = snap.sid;
    this.#token = snap.token;
    this.#inSeq = snap.inSeq;
    this.#restoredLeftAt = typeof snap.leftAt === 'number' ? snap.leftAt : null;
    // Messages queued before the reload go first, then anything queued since.
    const pending = this.#outbox.drain();
    this.#outbox.restore(snap.outbox, snap.outSeq);
    for (const e of pending) this.#outbox.push(e.data, e.bytes);
    this.#delegate.sessionId(snap.sid);
  }

  /** What a reload (or another tab) needs to resume; nothing before the server has issued a session. */
  snapshot(leftAt: number | null): SessionSnapshot | null {
    if (!this.#sid || !this.#token) return null;
    return {
      sid: this.#sid,
      token: this.#token,
      inSeq: this.#inSeq,
      outSeq: this.#outbox.lastSeq,
      outbox: this.#outbox.entries(),
      leftAt: leftAt ?? undefined,
    };
  }
}
