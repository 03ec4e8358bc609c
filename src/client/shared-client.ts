/**
 * `share`: one socket and one server session for every element with the same key, URLs and protocol on this
 * origin, in every tab. The holder of a Web Lock, the leader, runs the SessionClient; the others follow it over
 * a BroadcastChannel. Every tab keeps what the leader handed out and has not had acknowledged, the seqs each way
 * and the resume token, so any of them can resume the session when the leader closes, crashes or freezes.
 */
import type { ClientConfig } from '../config.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { Credential } from './credential.js';
import { defaultEnvironment, type ClientEnvironment } from './environment.js';
import { OutboxFullError, type OutboxEntry } from './outbox.js';
import { toPlainWire, toSessionWire, wireSize, type Payload, type WirePayload } from './payload.js';
import type { SessionSnapshot } from './persistence.js';
import { withoutCredentials } from './redact.js';
import { SessionClient } from './session-client.js';
import type { ClientDelegate, Connection, MessageCallback, Status, StatusDetail } from './types.js';

/**
 * A leader hidden this long hands over to a visible tab (hidden pages get throttled, frozen, discarded); not at
 * once, or every switch between two tabs would move the socket.
 */
const HANDOVER_MS = 5000;
/** The leader speaks at least this often. */
const BEAT_MS = 1000;
/** A visible leader silent this long is frozen or gone: its lock is taken from it. */
const LEASE_MS = 3000;
/** A hidden leader may wake only once a minute (Chrome's intensive timer throttling): a longer lease. */
const HIDDEN_LEASE_MS = 75_000;
/**
 * A leader whose lock was taken may still be running (a frozen page still hears its channel) and hand out seqs:
 * the new one waits this long for it to say it stopped, and takes what it handed out meanwhile.
 */
const FENCE_MS = 1000;
/**
 * A lock freed by a closed or crashed leader: the new one waits this long for that leader's last notes, still on
 * their way, before it resumes from what it knows.
 */
const SETTLE_MS = 50;

/** A message a tab sent, before a leader gave it a seq: `n` counts that tab's sends. */
interface Pending {
  id: string;
  n: number;
  wire: WirePayload;
}
/** A leader's term: its number, then the tab's id to break a tie between two taken at once. */
type Epoch = [number, string];
type Relayed = 'status' | 'session' | 'recovered' | 'error' | 'drain' | 'sessionId';

/** What tabs tell each other. Notes with `e` come from a leader: only the newest leader's count. */
type Note =
  | { t: 'vis'; id: string; vis: boolean; hi?: true }
  | { t: 'send'; p: Pending }
  | { t: 'bye'; id: string }
  | { t: 'retry' }
  | { t: 'stepped'; was: Epoch }
  | { t: 'got'; id: string; out: number; in: number }
  | { t: 'beat'; e: Epoch; vis: boolean }
  | { t: 'lead'; e: Epoch; to: string }
  | { t: 'state'; e: Epoch; snap: SessionSnapshot | null; done: [string, number][]; detail: StatusDetail | null }
  | { t: 'out'; e: Epoch; seq: number; id?: string; n?: number; wire?: WirePayload; w?: string | null }
  | { t: 'ack'; e: Epoch; seq: number }
  | { t: 'msg'; e: Epoch; sid: string | null; seq: number | null; data: unknown; w?: string | null }
  | { t: 'ev'; e: Epoch; k: Relayed; d: unknown };

const compare = (a: Epoch, b: Epoch) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/** Web Locks and BroadcastChannel, which `share` needs; without them each element keeps its own socket. */
export const canShare = () => typeof BroadcastChannel === 'function' && !!globalThis.navigator?.locks;

export class SharedClient implements Connection {
  #config: ClientConfig;
  readonly #delegate: ClientDelegate;
  readonly #env: ClientEnvironment;
  readonly #key: string;
  readonly #id = Math.random().toString(36).slice(2);

  #bc: BroadcastChannel | null = null;
  #name = '';
  #signals: AbortController | null = null;
  /** The pending lock request, aborted to steal or to leave. */
  #request: AbortController | null = null;
  #release: (() => void) | null = null;
  /** Leading: the client that holds the socket. */
  #inner: SessionClient | null = null;
  #epoch: Epoch = [0, ''];
  /** When the leader last beat: its timers run, so it is neither frozen nor gone. */
  #heard = 0;
  /** Leading, but waiting for the deposed leader to stop (see FENCE_MS). */
  #fence: { was: Epoch; timer: number; release: () => void } | null = null;
  #leaderVisible = true;
  #hiddenSince: number | null = null;
  #timer: number | undefined;
  /** Followers' visibility, as they last said: a hidden leader hands over to a visible one. */
  #visible = new Map<string, boolean>();
  /**
   * Leading with followers: the one that confirms each `out` and `msg` (its `got`). What one tab has heard, every
   * tab will, so a message goes to the server, and an ack for a server message, only once a follower confirms it:
   * a leader that dies at any instant leaves nothing the others do not know. Without followers, nothing waits.
   */
  #witness: string | null = null;
  #got = { out: 0, in: 0, at: 0 };
  /** A witness's confirmation waiting for its turn (see `#confirm`). */
  #confirming: { out: number; in: number } | null = null;
  #turn: MessagePort | null = null;

  #sid: string | null = null;
  #token: string | null = null;
  /** Highest server seq delivered in this tab. */
  #inSeq = 0;
  #outSeq = 0;
  /** Handed out by a leader, not yet acknowledged by the server: seq → entry. */
  #sent = new Map<number, OutboxEntry<WirePayload>>();
  /** Sent from some tab, not yet given a seq, in the order the channel brought them. */
  #pending: Pending[] = [];
  /** Each tab's highest `n` a leader has given a seq (or refused): a new leader must not send it again. */
  #done = new Map<string, number>();
  #n = 0;
  /** Messages that arrived ahead of a gap (a new leader's before the old one's last), by seq. */
  #early = new Map<number, unknown>();
  #detail: StatusDetail | null = null;
  /**
   * Leading and welcomed: seqs can be handed out. Before the welcome the server's ack may cover seqs a crashed
   * leader used without telling anyone, so sends wait in `#pending` until then.
   */
  #welcomed = false;
  /** The message being handed to the leader's client, for its `queued` report. */
  #handing: Pending | null = null;

  onmessage: MessageCallback | null = null;
  #auth: Credential | null = null;
  #persistKey: string | null = null;

  constructor(config: ClientConfig, delegate: ClientDelegate, key: string, env: Partial<ClientEnvironment> = {}) {
    this.#config = config;
    this.#delegate = delegate;
    this.#key = key;
    this.#env = { ...defaultEnvironment(), ...env };
  }

  get config(): ClientConfig {
    return this.#config;
  }

  /** Used while this tab leads: the credential is never sent over the channel. */
  get auth(): Credential | null {
    return this.#auth;
  }

  set auth(auth: Credential | null) {
    this.#auth = auth;
    if (this.#inner) this.#inner.auth = auth;
  }

  get persistKey(): string | null {
    return this.#persistKey;
  }

  set persistKey(key: string | null) {
    this.#persistKey = key;
    if (this.#inner) this.#inner.persistKey = key;
  }

  get status(): Status {
    return this.#detail?.status ?? 'idle';
  }

  get attempt(): number {
    return this.#detail?.attempt ?? 0;
  }

  get nextAttemptAt(): number | null {
    return this.#detail?.nextAttemptAt ?? null;
  }

  /** Whether this tab holds the shared socket. */
  get leading(): boolean {
    return this.#inner !== null;
  }

  get queued(): number {
    return this.#inner ? this.#inner.queued : this.#pending.length + this.#sent.size;
  }

  get bufferedAmount(): number {
    if (this.#inner) return this.#inner.bufferedAmount;
    let bytes = 0;
    for (const e of this.#sent.values()) bytes += e.bytes;
    for (const p of this.#pending) bytes += wireSize(p.wire);
    return bytes;
  }

  get sessionId(): string | null {
    return this.#sid;
  }

  set sessionId(id: string | null) {
    if (id === this.#sid) return;
    this.#sid = id;
    this.#token = null;
    this.#inSeq = 0;
    if (this.#inner) this.#inner.sessionId = id;
  }

  set resumeToken(token: string | null) {
    this.#token = token;
    if (this.#inner) this.#inner.resumeToken = token;
  }

  configure(config: ClientConfig): void {
    this.#config = config;
    if (this.#bc && this.#channelName() !== this.#name) {
      this.#leave();
      return this.connect();
    }
    this.#inner?.configure(config);
  }

  connect(): void {
    if (this.#bc) return this.#inner?.connect();
    this.#name = this.#channelName();
    const bc = (this.#bc = new BroadcastChannel(this.#name));
    bc.onmessage = (e: MessageEvent<Note>) => this.#hear(e.data);
    const signals = (this.#signals = new AbortController());
    const { document: doc, window: win } = this.#env;
    doc.addEventListener('visibilitychange', () => this.#post(this.#visNote()), signals);
    // A leaving leader lets go at once rather than when the page is destroyed: the next tab takes over sooner.
    win.addEventListener('pagehide', () => this.#inner && this.#resign(), signals);
    win.addEventListener('pageshow', (e) => (e as PageTransitionEvent).persisted && this.#follow(), signals);
    this.#heard = this.#env.now();
    const status = this.status;
    if (status === 'idle' || status === 'closed' || status === 'failed') this.#local(this.#fresh('connecting'));
    this.#follow();
    this.#tick();
  }

  retryNow(): void {
    if (this.#inner) this.#inner.retryNow();
    else if (this.#bc) this.#post({ t: 'retry' });
    else this.connect();
  }

  /** This tab leaves; the socket closes with the last tab out, or moves to another tab. */
  disconnect(): void {
    if (!this.#bc) return;
    this.#leave();
    this.#local({ ...this.#fresh('closed'), cause: 'manual', code: CloseCode.normal });
  }

  dispose(): void {
    this.disconnect();
  }

  send(data: Payload): number | null {
    const session = this.#config.protocol === 'session';
    const p = { id: this.#id, n: ++this.#n, wire: session ? toSessionWire(data) : toPlainWire(data) };
    if (this.#inner && this.#welcomed) return this.#hand(p, true);
    if (this.queued >= this.#config.maxQueue) {
      const error = new OutboxFullError(`send queue is full (${this.#config.maxQueue} messages waiting)`);
      this.#delegate.error({ kind: 'queue-full', message: error.message });
      throw error;
    }
    if (session || this.#inner) this.#pending.push(p);
    this.#post({ t: 'send', p });
    return null;
  }

  /** A status this tab says of itself: it joined, or left. */
  #fresh(status: Status): StatusDetail {
    const url = this.#config.urls[0];
    return {
      status,
      previous: this.status,
      attempt: 0,
      maxAttempts: this.#config.maxAttempts,
      delayMs: null,
      nextAttemptAt: null,
      cause: null,
      code: null,
      reason: '',
      url: url ? withoutCredentials(url) : null,
    };
  }

  #channelName(): string {
    return `reconnecting-session:share:${JSON.stringify([this.#key, this.#config.urls, this.#config.protocol])}`;
  }

  #post(note: Note): void {
    this.#bc?.postMessage(note);
  }

  #visNote(hi?: true): Note {
    return { t: 'vis', id: this.#id, vis: !this.#env.isHidden(), hi };
  }

  /** Queues for the lock (or, `steal`, takes it from a leader that stopped answering). */
  #queue(steal = false): void {
    this.#request?.abort();
    const request = (this.#request = new AbortController());
    navigator.locks
      .request(this.#name, steal ? { steal } : { signal: request.signal }, () =>
        request.signal.aborted ? undefined : new Promise<void>((release) => this.#lead(release, steal)),
      )
      .catch(() => {
        // Aborted by this tab (to steal or leave), or stolen: only a leader that lost its lock must step down.
        if (this.#request === request && (this.#inner || this.#fence)) this.#step(true);
      });
  }

  #follow(): void {
    this.#queue();
    this.#post(this.#visNote(true));
  }

  #lead(release: () => void, stole: boolean): void {
    const was = this.#epoch;
    this.#epoch = [was[0] + 1, this.#id];
    this.#visible.delete(was[1]);
    this.#post({ t: 'beat', e: this.#epoch, vis: !this.#env.isHidden() });
    // The first leader waits for no one; the one after a closed or crashed tab only for that tab's last notes.
    if (!stole && was[0] === 0) return this.#start(release);
    const timer = this.#env.setTimeout(() => this.#start(release), stole ? FENCE_MS : SETTLE_MS);
    this.#fence = { was, timer, release };
  }

  #start(release: () => void): void {
    if (this.#fence) this.#env.clearTimeout(this.#fence.timer);
    this.#fence = null;
    this.#release = release;
    this.#early.clear();
    const c = (this.#inner = new SessionClient(this.#config, this.#relay(), this.#env));
    c.auth = this.#auth;
    c.persistKey = this.#persistKey;
    const snap = this.#snapshot();
    if (snap) c.adopt(snap);
    else c.sessionId = this.#sid;
    this.#welcomed = this.#config.protocol === 'plain';
    this.#choose([...this.#visible.keys()].at(-1) ?? null);
    // Followers may have heard a deposed leader that this one overruled: its word on the session counts.
    this.#post(this.#stateNote());
    c.connect();
  }

  /** The leader's client reports here: this tab hears it first, the other tabs over the channel. */
  #relay(): ClientDelegate {
    const live = (): SessionClient | null => this.#inner;
    const relay = (k: Relayed) => (d: unknown) => {
      if (!live()) return;
      this.#emit(k, d);
      this.#post({ t: 'ev', e: this.#epoch, k, d });
    };
    return {
      status: (d) => {
        // Another tab resumed the session while this one was frozen: it leads now.
        if (d.code === CloseCode.replaced && d.status === 'closed') return live() && this.#step(true);
        relay('status')(d);
      },
      message: ({ data, seq }) => {
        if (!live()) return;
        if (seq !== null) this.#inSeq = seq;
        this.#post({ t: 'msg', e: this.#epoch, sid: this.#sid, seq, data, w: this.#witness });
        this.#deliver(data, seq);
      },
      error: relay('error'),
      session: (d) => {
        if (!live()) return;
        relay('session')(d);
        this.#welcomed = true;
        // Inside the welcome, before the client resends: these go out right after what the server is missing.
        for (const p of this.#pending.splice(0)) this.#hand(p, false);
      },
      recovered: relay('recovered'),
      drain: relay('drain'),
      sessionId: relay('sessionId'),
      unloading: (u) => live() && this.#delegate.unloading?.(u),
      queued: (entry) => {
        if (!live()) return;
        const p = this.#handing;
        if (p) this.#done.set(p.id, p.n);
        this.#sent.set(entry.seq, entry);
        this.#outSeq = entry.seq;
        this.#post({
          t: 'out',
          e: this.#epoch,
          seq: entry.seq,
          id: p?.id,
          n: p?.n,
          wire: entry.data,
          w: this.#witness,
        });
      },
      acked: (seq) => {
        if (!live()) return;
        this.#ackUpTo(seq);
        this.#post({ t: 'ack', e: this.#epoch, seq });
      },
      snapshot: (snap) => {
        if (!live()) return;
        this.#takeSnapshot(snap);
        this.#post(this.#stateNote());
      },
    };
  }

  /** What this tab knows of the session, as a leader takes it over; nothing before the server issued one. */
  #snapshot(): SessionSnapshot | null {
    if (!this.#sid || !this.#token) return null;
    const outbox = [...this.#sent.values()].sort((a, b) => a.seq - b.seq);
    return { sid: this.#sid, token: this.#token, inSeq: this.#inSeq, outSeq: this.#outSeq, outbox };
  }

  #stateNote(): Note {
    return { t: 'state', e: this.#epoch, snap: this.#snapshot(), done: [...this.#done], detail: this.#detail };
  }

  /** The leader hands a tab's message to its client; the tab's own `send()` sees a refusal as a throw. */
  #hand(p: Pending, own: boolean): number | null {
    if ((this.#done.get(p.id) ?? 0) >= p.n) return null;
    this.#handing = p;
    try {
      return this.#inner!.sendWire(p.wire);
    } catch (error) {
      // Reported to every tab by the client's `error`; the sender's own `send()` throws as without `share`.
      this.#done.set(p.id, p.n);
      this.#post({ t: 'out', e: this.#epoch, seq: 0, id: p.id, n: p.n });
      if (own) throw error;
      return null;
    } finally {
      this.#handing = null;
    }
  }

  /** A follower picked to confirm (`null`: none; everything goes out unconfirmed) or the gates opened. */
  #choose(id: string | null): void {
    this.#witness = id;
    this.#got = { out: this.#outSeq, in: this.#inSeq, at: this.#env.now() };
    this.#gate();
  }

  #gate(): void {
    if (this.#witness) this.#inner?.gate(this.#got.out, this.#got.in);
    else this.#inner?.gate(Infinity, Infinity);
  }

  /**
   * The witness says what it has heard of, once per turn of its event loop however many notes came in it (a
   * MessageChannel task, since a timer in a hidden tab may wait a second).
   */
  #confirm(out: number, inSeq: number): void {
    const due = this.#confirming;
    this.#confirming = { out, in: inSeq };
    if (due) return;
    if (!this.#turn) {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = () => {
        const got = this.#confirming!;
        this.#confirming = null;
        this.#post({ t: 'got', id: this.#id, out: got.out, in: got.in });
      };
      this.#turn = port2;
    }
    this.#turn.postMessage(0);
  }

  /** Steps down: another tab took the lock (`lost`), or this one hands over or leaves. */
  #step(lost: boolean): void {
    const c = this.#inner;
    const fence = this.#fence;
    if (!c && !fence) return;
    this.#inner = this.#fence = null;
    if (fence) this.#env.clearTimeout(fence.timer);
    (fence?.release ?? this.#release)?.();
    this.#release = null;
    this.#post({ t: 'stepped', was: this.#epoch });
    // Silenced above: its closing reports nothing. The server keeps the session for the tab that resumes it.
    c?.disconnect(CloseCode.abandoned, 'handed over');
    if (lost && this.#bc) this.#follow();
  }

  #resign(): void {
    this.#step(false);
    this.#request?.abort();
    this.#request = null;
  }

  #leave(): void {
    this.#resign();
    this.#env.clearTimeout(this.#timer);
    this.#post({ t: 'bye', id: this.#id });
    this.#signals?.abort();
    this.#bc?.close();
    this.#bc = null;
    this.#turn?.close();
    this.#turn = null;
  }

  #tick(): void {
    this.#env.clearTimeout(this.#timer);
    this.#timer = this.#env.setTimeout(() => this.#tick(), BEAT_MS);
    const now = this.#env.now();
    if (this.#inner) {
      // A witness that stopped confirming (closed or crashed unseen, or frozen) is replaced, or dropped.
      if (
        this.#witness &&
        now - this.#got.at > BEAT_MS &&
        (this.#got.out < this.#outSeq || this.#got.in < this.#inSeq)
      ) {
        this.#visible.delete(this.#witness);
        this.#choose([...this.#visible.keys()].at(-1) ?? null);
      }
      const hidden = this.#env.isHidden();
      this.#post({ t: 'beat', e: this.#epoch, vis: !hidden });
      this.#hiddenSince = hidden ? (this.#hiddenSince ?? now) : null;
      const long = hidden && now - this.#hiddenSince! >= HANDOVER_MS;
      const visible = long && [...this.#visible].find(([, vis]) => vis)?.[0];
      if (visible) {
        // Asked once: a tab that does not take over within a beat is forgotten (it may have closed unseen).
        this.#visible.delete(visible);
        this.#post({ t: 'lead', e: this.#epoch, to: visible });
      }
    } else if (
      this.#request &&
      !this.#fence &&
      now - this.#heard > (this.#leaderVisible ? LEASE_MS : HIDDEN_LEASE_MS)
    ) {
      this.#heard = now;
      this.#queue(true);
    }
    // A gap a beat old will not fill: what is there goes out in order.
    if (this.#early.size > 0) {
      this.#inSeq = Math.min(...this.#early.keys()) - 1;
      this.#flush();
    }
  }

  #hear(m: Note): void {
    switch (m.t) {
      case 'vis':
        this.#visible.set(m.id, m.vis);
        if (m.hi && this.#inner) {
          this.#post(this.#stateNote());
          if (!this.#witness) this.#choose(m.id);
        }
        return;
      case 'bye':
        this.#visible.delete(m.id);
        if (m.id === this.#witness) this.#choose(null);
        return;
      case 'got':
        if (m.id !== this.#witness) return;
        this.#got = { out: m.out, in: m.in, at: this.#env.now() };
        return this.#gate();
      case 'send':
        if (this.#inner && this.#welcomed) this.#hand(m.p, false);
        else if (this.#config.protocol === 'session' || this.#inner) this.#pending.push(m.p);
        return;
      case 'retry':
        this.#inner?.retryNow();
        return;
      case 'stepped':
        if (this.#fence && compare(m.was, this.#fence.was) === 0) this.#start(this.#fence.release);
        return;
    }
    const order = compare(m.e, this.#epoch);
    // While fencing, the deposed leader's word on what it handed out still counts (it may have reached the server).
    if (order < 0 && !(this.#fence && compare(m.e, this.#fence.was) === 0 && (m.t === 'out' || m.t === 'ack'))) return;
    if (order > 0) {
      this.#epoch = m.e;
      this.#step(true);
    }
    switch (m.t) {
      case 'beat':
        this.#heard = this.#env.now();
        this.#leaderVisible = m.vis;
        return;
      case 'lead':
        if (m.to === this.#id && !this.#inner) this.#queue(true);
        return;
      case 'state':
        if (m.snap) this.#takeSnapshot(m.snap);
        this.#done = new Map(m.done);
        this.#dropDone();
        if (m.detail && m.detail.status !== this.status) this.#local(m.detail);
        return;
      case 'out':
        if (m.w === this.#id) this.#confirm(m.seq, this.#inSeq);
        if (m.id !== undefined) this.#done.set(m.id, Math.max(m.n!, this.#done.get(m.id) ?? 0));
        if (m.seq > 0) {
          this.#sent.set(m.seq, { seq: m.seq, data: m.wire!, bytes: wireSize(m.wire!) });
          this.#outSeq = Math.max(this.#outSeq, m.seq);
        }
        this.#dropDone();
        return;
      case 'ack':
        return this.#ackUpTo(m.seq);
      case 'msg':
        if (m.w === this.#id && m.seq !== null) this.#confirm(this.#outSeq, m.seq);
        if (m.seq === null) return this.#deliver(m.data, null);
        if (m.sid !== this.#sid || m.seq <= this.#inSeq) return;
        if (m.seq === this.#inSeq + 1) {
          this.#inSeq = m.seq;
          this.#deliver(m.data, m.seq);
        } else this.#early.set(m.seq, m.data);
        return this.#flush();
      case 'ev':
        return this.#emit(m.k, m.d);
    }
  }

  /** The leader's word on the session: a different session (new, or this tab just joined) starts its seqs over. */
  #takeSnapshot(snap: SessionSnapshot): void {
    if (snap.sid !== this.#sid) {
      this.#sid = snap.sid;
      this.#inSeq = snap.inSeq;
      this.#early.clear();
      this.#delegate.sessionId(snap.sid);
    }
    this.#token = snap.token;
    this.#outSeq = snap.outSeq;
    this.#sent = new Map(snap.outbox.map((e) => [e.seq, e]));
  }

  #ackUpTo(seq: number): void {
    for (const s of this.#sent.keys()) if (s <= seq) this.#sent.delete(s);
  }

  #dropDone(): void {
    this.#pending = this.#pending.filter((p) => (this.#done.get(p.id) ?? 0) < p.n);
  }

  #flush(): void {
    while (this.#early.has(this.#inSeq + 1)) {
      const data = this.#early.get(++this.#inSeq);
      this.#early.delete(this.#inSeq);
      this.#deliver(data, this.#inSeq);
    }
  }

  #deliver(data: unknown, seq: number | null): void {
    const cb = this.onmessage;
    if (cb) cb(data, seq);
    else this.#delegate.message({ data, seq });
  }

  #emit(k: Relayed, d: unknown): void {
    if (k === 'status') return this.#local(d as StatusDetail);
    // A new session numbers from 1 again; the element then writes the ID back, which must change nothing.
    if (k === 'sessionId' && d !== this.#sid) {
      this.#sid = d as string | null;
      this.#inSeq = 0;
      this.#early.clear();
    }
    (this.#delegate[k] as ((d: unknown) => void) | undefined)?.(d);
  }

  #local(detail: StatusDetail): void {
    this.#detail = { ...detail, previous: this.status };
    this.#delegate.status(this.#detail);
  }
}
