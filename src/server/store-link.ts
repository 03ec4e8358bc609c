/**
 * A session server's side of a shared store: resumes that read the session back (after a restart, or from another
 * node), takeovers that fence the old owner, data for sessions owned elsewhere, leases, and a sweep that any
 * number of nodes can run at once. The server keeps its in-memory sessions; this module keeps them honest.
 */
import type { WebSocket } from 'ws';
import type { MsgFrame } from '../protocol/frames.js';
import { CloseCode } from '../protocol/close-codes.js';
import { SessionServerError, wrap } from './errors.js';
import { newToken } from './ids.js';
import type { KeeperHost, SessionHello, SessionKeeper } from './session-keeper.js';
import type { Session } from './session.js';
import { Journal } from './store/journal.js';
import { ALL_NODES, hashToken, type NodeMessage, type SessionStore, type StoreOp } from './store/session-store.js';

const INBOX_BATCH = 100;
/** Conditional claims (each after a hand-over) before a resume claims outright. */
const HANDOFF_ROUNDS = 3;
const SWEEP_BATCH = 1000;

export class StoreLink implements SessionKeeper {
  readonly nodeId: string;
  readonly shared = true;
  readonly store: SessionStore;
  readonly #host: KeeperHost;
  readonly #journals = new WeakMap<Session, Journal>();
  /** Per session: the last inbox entry taken, and whether a read is running (another is wanted after it). */
  readonly #inbox = new Map<string, { after: string | null; running: boolean; again: boolean }>();
  #unsubscribe: Promise<() => Promise<void>>;
  #leaseTimer: NodeJS.Timeout;
  #leaseFailing = false;
  #sweeping = false;
  /** Per session: the resume running on this node, which the next one waits for. */
  readonly #resumes = new Map<string, Promise<void>>();
  /** Resumes claiming a session this node does not hold yet: they have room under maxSessions kept for them. */
  #adopting = 0;
  /** Hand-overs this node asked for, by request: resolved by the owner's `released`. */
  readonly #releases = new Map<string, () => void>();
  /** How long a resume waits for the owner to hand over before it claims anyway. */
  readonly #handoffTimeoutMs: number;

  constructor(store: SessionStore, nodeId: string, host: KeeperHost) {
    this.store = store;
    this.nodeId = nodeId;
    this.#host = host;
    // A live owner answers in a store round trip or two; half a lease is far beyond that and well inside the
    // client's connect timeout.
    this.#handoffTimeoutMs = Math.floor(host.leaseMs / 2);
    store.configure({ safetyTtlMs: host.unusedSessionLifetimeMs + host.leaseMs + 3_600_000 });
    this.#unsubscribe = Promise.all([
      store.subscribe(nodeId, (m) => this.#onMessage(m)),
      store.subscribe(ALL_NODES, (m) => this.#onMessage(m)),
    ]).then((offs) => async () => void (await Promise.all(offs.map((off) => off()))));
    this.#unsubscribe.catch((error: Error) => host.reportError(error));
    this.#leaseTimer = setInterval(() => this.#renewLeases(), Math.max(100, Math.floor(host.leaseMs / 3)));
    this.#leaseTimer.unref();
  }

  get ready(): Promise<unknown> {
    return this.#unsubscribe;
  }

  /** A session this node just created: its record is written before its first op. */
  created(session: Session): void {
    const journal = new Journal(
      this.store,
      session.id,
      {
        fence: 1,
        inSeq: 0,
        outSeq: 0,
        create: () =>
          this.store.create({
            id: session.id,
            tokenHash: hashToken(session.token),
            owner: this.nodeId,
            createdAt: session.createdAt,
            address: session.address,
            user: session.user ?? '',
            score: this.#host.now() + this.#host.leaseMs,
          }),
      },
      this.#hooks(session),
    );
    this.#use(session, journal);
    journal.start();
  }

  #use(session: Session, journal: Journal): void {
    session.journal = journal;
    this.#journals.set(session, journal);
  }

  #hooks(session: Session) {
    return {
      durable: () => session.onDurable(),
      lost: (result: 'fenced' | 'gone', unwritten: StoreOp[]) => {
        if (result === 'gone') {
          // Expired elsewhere (that node fired `expire`) or lost by the store (a Redis restart without its data):
          // either way the session is over, and the client and the application hear it (4000, `close`).
          return session.close(CloseCode.sessionClosed, 'session no longer in the store');
        }
        session.letGo(CloseCode.replaced, 'taken over by another node');
        // Sent here after another node took over, before this node heard: not lost, passed on to the owner in order.
        // (Frames taken from the inbox are still there: the owner takes them itself.)
        for (const op of unwritten) {
          if (op.op !== 'out' || op.inbox !== undefined) continue;
          const frame = JSON.parse(op.frame) as MsgFrame;
          this.forward(session, JSON.stringify(frame.b !== undefined ? { b: frame.b } : { d: frame.d }));
        }
      },
      failed: (error: Error) =>
        this.#host.reportError(wrap('ERR_STORE_WRITE', `session ${session.id}: store write failed, retrying`, error)),
    };
  }

  /** A resume: the store checks the token and hands the session to this node. */
  resume(ws: WebSocket, hello: SessionHello, address: string): Session | null | Promise<Session | null> {
    if (hello.token === undefined) return this.#host.fresh(ws, address, 'unknown');
    return this.#resumeInTurn(ws, { ...hello, token: hello.token }, address);
  }

  #resumeInTurn(ws: WebSocket, hello: SessionHello & { token: string }, address: string) {
    // One claim per session at a time on this node: a second resume (the client gave up on a socket whose claim was
    // still on its way) must see the first one's fence, or it would take the store's copy, which lags what this
    // node's copy handled, for the truth and hand the client's messages to the application again.
    const prior = this.#resumes.get(hello.sid);
    const mine = (prior ?? Promise.resolve()).then(() => this.#resume(ws, hello, address));
    const settled = mine.then(
      () => {},
      () => {},
    );
    this.#resumes.set(hello.sid, settled);
    void settled.then(() => {
      if (this.#resumes.get(hello.sid) === settled) this.#resumes.delete(hello.sid);
    });
    return mine;
  }

  async #resume(ws: WebSocket, hello: SessionHello & { token: string }, address: string) {
    // Closed while an earlier resume ran: nothing to claim for.
    if (ws.readyState > 1) return null;
    const local = this.#host.sessions.get(hello.sid);
    const localJournal = local && this.#journals.get(local);
    const next = newToken();
    const cached = localJournal && !localJournal.stopped ? localJournal : undefined;
    // A session read back from the store counts against maxSessions like a new one, before anything is claimed.
    if (!local && this.#host.sessions.full(this.#adopting)) {
      this.#host.turnAway(ws, address, `maxSessions (${this.#host.sessions.maxSessions}) reached`);
      return null;
    }
    if (!local) this.#adopting++;
    cached?.beginClaim();
    let result;
    try {
      result = await this.#claim(hello, next, cached ? cached.fence : 0);
    } catch (error) {
      if (!local) this.#adopting--;
      cached?.endClaim();
      this.#host.reportError(wrap('ERR_STORE_UNAVAILABLE', 'session store unavailable for a resume', error));
      this.#host.turnAway(ws, address, 'session store unavailable', true);
      return null;
    }
    if (!local) this.#adopting--;
    // Only a cache the store confirmed takes the new fence; a stale one is let go below and stays fenced.
    cached?.endClaim(result.status === 'ok' && result.frames === null ? result.session.fence : undefined);
    if (result.status === 'token') return ws.readyState === 1 ? this.#host.wrongToken(ws, address, hello.sid) : null;
    // Another user's resume changed nothing in the store: the session stays its owner's.
    if (result.status === 'user') return ws.readyState === 1 ? this.#host.fresh(ws, address, 'user') : null;
    if (result.status !== 'ok') {
      if (result.status === 'replay-gap' && result.previousOwner !== this.nodeId && result.previousOwner)
        void this.#publish(result.previousOwner, { t: 'ended', sid: hello.sid });
      local?.close(CloseCode.sessionClosed, 'session ended');
      return ws.readyState === 1 ? this.#host.fresh(ws, address, result.status) : null;
    }
    const stored = result.session;
    let session: Session;
    if (local && cached && result.frames === null) {
      session = local;
    } else {
      local?.letGo(CloseCode.replaced, 'replaced by a newer connection');
      session = this.#host.restore(stored.id, stored.address, {
        token: next,
        user: stored.user,
        inSeq: stored.inSeq,
        outSeq: stored.outSeq,
        createdAt: stored.createdAt,
        frames: result.frames ?? [],
      });
      this.#use(session, new Journal(this.store, session.id, stored, this.#hooks(session)));
      this.#host.adopt(session);
    }
    session.rotateToken(hello.token, next);
    if (result.previousOwner && result.previousOwner !== this.nodeId)
      void this.#publish(result.previousOwner, { t: 'taken', sid: stored.id, fence: stored.fence });
    const outageMs = session === local && !session.connected ? Math.max(0, this.#host.now() - session.detachedAt) : 0;
    this.#host.resumed(ws, session, hello.ack, outageMs);
    this.#readInbox(session);
    return session;
  }

  /**
   * Claims the session for a resume. A live owner first hands it over: it stops reading its socket and stores what
   * it handled, so nothing the client sent is handled twice. An owner that no node listens for (dead, or cut off
   * from the store), or that does not answer in time, is overtaken as before: only then can a client message repeat.
   */
  async #claim(hello: SessionHello & { token: string }, next: string, cachedFence: number) {
    const request = {
      node: this.nodeId,
      user: hello.user ?? '',
      presentedHash: hashToken(hello.token),
      newTokenHash: hashToken(next),
      ack: hello.ack,
      cachedFence,
    };
    let ifFence: number | undefined;
    for (let round = 0; ; round++) {
      // A session handed from node to node faster than this claim can follow is finally claimed outright.
      const last = round >= HANDOFF_ROUNDS;
      const result = await this.store.claim(hello.sid, {
        ...request,
        score: this.#host.now() + this.#host.leaseMs,
        handoff: round === 0,
        ...(ifFence !== undefined && !last ? { ifFence } : {}),
      });
      if (result.status !== 'owned') return result;
      ifFence = result.fence;
      if (result.owner !== this.nodeId && result.owner !== '') await this.#askRelease(result.owner, hello.sid, ifFence);
    }
  }

  /** Asks `owner` to hand the session over; resolves when it did, or when it cannot be waited for any longer. */
  async #askRelease(owner: string, sid: string, fence: number): Promise<void> {
    const req = newToken();
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<void>((resolve) => {
      this.#releases.set(req, resolve);
      timer = setTimeout(resolve, this.#handoffTimeoutMs);
    });
    try {
      const listeners = await this.store.publish(owner, { t: 'release', sid, fence, from: this.nodeId, req });
      if (listeners > 0) await answered;
    } catch (error) {
      this.#host.reportError(wrap('ERR_NODE_MESSAGE', `could not ask node ${owner} to hand over`, error));
    } finally {
      clearTimeout(timer);
      this.#releases.delete(req);
    }
  }

  /**
   * Another node wants a session this node owns: close the socket so no frame from it is handled any more, store
   * everything queued under the still-valid fence, let go, and answer. An asker that saw an older fence than this
   * node's (it claimed the session again since) is answered at once: its conditional claim will fail and look again.
   */
  async #release(m: NodeMessage): Promise<void> {
    const session = this.#host.sessions.get(m.sid);
    const journal = session && this.#journals.get(session);
    if (session && journal && !session.moved && !session.closed && !(journal.fence > (m.fence ?? 0))) {
      session.hold(CloseCode.replaced, 'taken over by another node');
      const deadline = this.#host.now() + this.#handoffTimeoutMs;
      // `send()` may queue more while a batch is stored: wait until nothing is left, so letting go drops nothing.
      while (journal.backlog > 0 && !journal.stopped) {
        const left = deadline - this.#host.now();
        // Past the asker's patience it claims anyway; the refused writes then pass unsent data on (see `lost`).
        if (left <= 0) return;
        await Promise.race([journal.flushed().catch(() => {}), new Promise((r) => setTimeout(r, left).unref())]);
      }
      session.letGo(CloseCode.replaced, 'taken over by another node');
    }
    if (m.from && m.req) void this.#publish(m.from, { t: 'released', sid: m.sid, req: m.req });
  }

  /** `send()` on a session another node took over: into the store's inbox, and a word to the owner. */
  forward(session: Session, body: string): boolean {
    this.store.enqueue(session.id, body).then(
      (owner) => {
        if (owner === null)
          this.#host.reportError(
            new SessionServerError('ERR_FORWARD', `session ${session.id}: gone, message not sent`),
          );
        else void this.#publish(owner, { t: 'send', sid: session.id });
      },
      (error: Error) =>
        this.#host.reportError(wrap('ERR_FORWARD', `session ${session.id}: message not forwarded`, error)),
    );
    return true;
  }

  /** Takes what other nodes queued for `session`, in order, each exactly once (the inbox entry leaves with its frame). */
  #readInbox(session: Session): void {
    let state = this.#inbox.get(session.id);
    if (!state) this.#inbox.set(session.id, (state = { after: null, running: false, again: false }));
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    state.again = false;
    const s = state;
    this.store.inbox(session.id, s.after, INBOX_BATCH).then(
      (entries) => {
        s.running = false;
        for (const entry of entries) {
          if (session.closed || session.moved) return;
          try {
            // At a bound the entry stays in the inbox; the session's `drain` reads it again.
            if (session.sendEncoded(entry.data, undefined, entry.entryId) === null)
              return void session.once('drain', () => this.#readInbox(session));
          } catch (error) {
            this.#host.reportError(error as Error);
          }
          s.after = entry.entryId;
        }
        if (s.again || entries.length === INBOX_BATCH) this.#readInbox(session);
      },
      (error: Error) => {
        s.running = false;
        this.#host.reportError(wrap('ERR_INBOX', `session ${session.id}: inbox not read`, error));
      },
    );
  }

  closeUser(user: string): void {
    void this.#publish(ALL_NODES, { t: 'close-user', sid: '', user });
  }

  #onMessage(m: NodeMessage): void {
    if (m.t === 'close-user') return void (m.user && this.#host.sessions.signOut(m.user));
    if (m.t === 'released') return void (m.req && this.#releases.get(m.req)?.());
    if (m.t === 'release') return void this.#release(m);
    const session = this.#host.sessions.get(m.sid);
    if (!session) return;
    const journal = this.#journals.get(session);
    if (m.t === 'send') return this.#readInbox(session);
    if (m.t === 'taken') {
      // A node that claimed the session again since holds a newer fence than the message.
      if (journal && m.fence !== undefined && journal.fence >= m.fence) return;
      // Writes still on their way will be refused, and the refusal lets go and passes them on to the owner.
      if (journal && journal.backlog > 0) return;
      return session.letGo(CloseCode.replaced, 'taken over by another node');
    }
    session.letGo(CloseCode.sessionClosed, 'session ended on another node');
  }

  async #publish(node: string, message: NodeMessage): Promise<void> {
    try {
      await this.store.publish(node, message);
    } catch (error) {
      // Only a hint: fencing stops the old owner's writes even if it never hears.
      this.#host.reportError(wrap('ERR_NODE_MESSAGE', `could not tell node ${node}`, error));
    }
  }

  #renewLeases(): void {
    const ids: string[] = [];
    for (const s of this.#host.sessions.values()) if (s.connected || s.blocked) ids.push(s.id);
    this.store.lease(ids, this.#host.now() + this.#host.leaseMs).then(
      () => (this.#leaseFailing = false),
      (error: Error) => {
        if (!this.#leaseFailing) this.#host.reportError(wrap('ERR_STORE_LEASE', 'session leases not renewed', error));
        this.#leaseFailing = true;
      },
    );
  }

  /** Expires sessions unused for the lifetime, on whichever node gets there first; returns their IDs. */
  async sweep(): Promise<string[]> {
    if (this.#sweeping) return [];
    this.#sweeping = true;
    const expired: string[] = [];
    try {
      const before = this.#host.now() - this.#host.unusedSessionLifetimeMs;
      for (const id of await this.store.expirable(before, SWEEP_BATCH)) {
        const won = await this.store.expire(id, before);
        if (!won) continue;
        expired.push(id);
        this.#inbox.delete(id);
        const local = this.#host.sessions.get(id);
        if (won.owner && won.owner !== this.nodeId) void this.#publish(won.owner, { t: 'ended', sid: id });
        // The node that wins tells the application, with the session it holds or one read back for the event.
        const session =
          local && !local.moved
            ? local
            : this.#host.restore(id, '', {
                token: '',
                inSeq: 0,
                outSeq: 0,
                createdAt: 0,
                frames: [],
              });
        this.#host.expire(session);
      }
    } catch (error) {
      this.#host.reportError(wrap('ERR_STORE_SWEEP', 'sweep failed', error));
    } finally {
      this.#sweeping = false;
    }
    return expired;
  }

  /** Lets go of every session (the store keeps them for other nodes or this one restarted) after a last flush. */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.#leaseTimer);
    const sessions = [...this.#host.sessions.values()];
    const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled(sessions.map((s) => s.flushed())), timeout]);
    for (const s of sessions) s.letGo(CloseCode.goingAway, 'server shutting down');
    try {
      await (
        await this.#unsubscribe
      )();
    } catch {}
  }
}
