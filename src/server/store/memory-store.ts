/**
 * The store kept in this process: what a server without a store does implicitly, made explicit so the contract
 * test can hold the Redis store to the same behaviour, and so several servers in one process (tests, a demo) can
 * share sessions. It survives nothing the process does not survive.
 */
import { EventEmitter } from 'node:events';
import type {
  ClaimRequest,
  ClaimResult,
  ExpiredSession,
  InboxEntry,
  NewStoredSession,
  NodeMessage,
  SessionStore,
  StoredFrame,
  StoredSession,
  StoreOp,
  WriteResult,
} from './session-store.js';

interface Entry {
  meta: StoredSession;
  tokenHash: string;
  prevTokenHash: string | null;
  frames: StoredFrame[];
  inbox: InboxEntry[];
  score: number;
}

const TOMBSTONE_MS = 600_000;

export class MemoryStore implements SessionStore {
  readonly #sessions = new Map<string, Entry>();
  readonly #expired = new Map<string, number>();
  readonly #bus = new EventEmitter();
  #inboxIds = 0;

  configure(): void {}

  async create(s: NewStoredSession): Promise<void> {
    // A retried create (its first reply lost) changes nothing.
    if (this.#sessions.has(s.id)) return;
    this.#sessions.set(s.id, {
      meta: {
        id: s.id,
        inSeq: 0,
        outSeq: 0,
        owner: s.owner,
        fence: 1,
        createdAt: s.createdAt,
        detachedAt: null,
        address: s.address,
        user: s.user ?? '',
      },
      tokenHash: s.tokenHash,
      prevTokenHash: null,
      frames: [],
      inbox: [],
      score: s.score,
    });
  }

  async claim(id: string, r: ClaimRequest): Promise<ClaimResult> {
    const e = this.#sessions.get(id);
    if (!e) return { status: this.#expired.has(id) ? 'expired' : 'unknown' };
    if (e.meta.user !== (r.user ?? '')) return { status: 'user' };
    if (e.tokenHash !== r.presentedHash && e.prevTokenHash !== r.presentedHash) return { status: 'token' };
    const previousOwner = e.meta.owner;
    if (
      (r.handoff && previousOwner !== r.node && previousOwner !== '') ||
      (r.ifFence !== undefined && r.ifFence !== e.meta.fence)
    )
      return { status: 'owned', owner: previousOwner, fence: e.meta.fence };
    e.frames = e.frames.filter((f) => f.seq > r.ack);
    const firstSeq = e.frames[0]?.seq ?? e.meta.outSeq + 1;
    if (r.ack > e.meta.outSeq || r.ack < firstSeq - 1) {
      this.#sessions.delete(id);
      return { status: 'replay-gap', previousOwner };
    }
    const cached = r.cachedFence === e.meta.fence && previousOwner === r.node;
    e.meta.fence++;
    e.meta.owner = r.node;
    e.meta.detachedAt = null;
    e.prevTokenHash = r.presentedHash;
    e.tokenHash = r.newTokenHash;
    e.score = r.score;
    return {
      status: 'ok',
      session: { ...e.meta },
      previousOwner,
      frames: cached ? null : e.frames.map((f) => ({ ...f })),
    };
  }

  async write(id: string, fence: number, ops: StoreOp[]): Promise<WriteResult> {
    const e = this.#sessions.get(id);
    if (!e) return 'gone';
    if (e.meta.fence !== fence) return 'fenced';
    for (const o of ops) {
      switch (o.op) {
        case 'out':
          // The store lost writes this node made (Redis restarted from an older state): the session cannot go on.
          if (o.seq > e.meta.outSeq + 1) return 'gone';
          if (o.seq === e.meta.outSeq + 1) {
            e.frames.push({ seq: o.seq, frame: o.frame });
            e.meta.outSeq = o.seq;
          }
          if (o.inbox !== undefined) e.inbox = e.inbox.filter((i) => i.entryId !== o.inbox);
          break;
        case 'ack':
          e.frames = e.frames.filter((f) => f.seq > o.seq);
          break;
        case 'in':
          e.meta.inSeq = Math.max(e.meta.inSeq, o.seq);
          break;
        case 'score':
          e.score = o.score;
          if (o.detachedAt !== undefined) e.meta.detachedAt = o.detachedAt;
          break;
        case 'confirm':
          e.prevTokenHash = null;
          break;
        case 'end':
          this.#sessions.delete(id);
          return 'ok';
      }
    }
    return 'ok';
  }

  async get(id: string): Promise<StoredSession | null> {
    const e = this.#sessions.get(id);
    return e ? { ...e.meta } : null;
  }

  async frames(id: string, after: number): Promise<StoredFrame[]> {
    return (this.#sessions.get(id)?.frames ?? []).filter((f) => f.seq > after).map((f) => ({ ...f }));
  }

  async lease(ids: string[], score: number): Promise<void> {
    for (const id of ids) {
      const e = this.#sessions.get(id);
      if (e) e.score = score;
    }
  }

  async expirable(before: number, limit: number): Promise<string[]> {
    return [...this.#sessions.values()]
      .filter((e) => e.score <= before)
      .sort((a, b) => a.score - b.score)
      .slice(0, limit)
      .map((e) => e.meta.id);
  }

  async expire(id: string, before: number): Promise<ExpiredSession | null> {
    const e = this.#sessions.get(id);
    if (!e || e.score > before) return null;
    this.#sessions.delete(id);
    const now = Date.now();
    this.#expired.set(id, now);
    for (const [sid, at] of this.#expired) {
      if (now - at < TOMBSTONE_MS) break;
      this.#expired.delete(sid);
    }
    return { id, owner: e.meta.owner };
  }

  async enqueue(id: string, data: string): Promise<string | null> {
    const e = this.#sessions.get(id);
    if (!e) return null;
    e.inbox.push({ entryId: String(++this.#inboxIds), data });
    return e.meta.owner;
  }

  async inbox(id: string, after: string | null, limit: number): Promise<InboxEntry[]> {
    return (this.#sessions.get(id)?.inbox ?? [])
      .filter((i) => after === null || Number(i.entryId) > Number(after))
      .slice(0, limit)
      .map((i) => ({ ...i }));
  }

  async publish(node: string, message: NodeMessage): Promise<number> {
    // Asynchronous like a network hop, so no caller relies on a message arriving before publish returns.
    setImmediate(() => this.#bus.emit(node, { ...message }));
    return this.#bus.listenerCount(node);
  }

  async subscribe(node: string, handler: (message: NodeMessage) => void): Promise<() => Promise<void>> {
    this.#bus.on(node, handler);
    return async () => void this.#bus.off(node, handler);
  }

  async close(): Promise<void> {}

  /** For tests: the stored token hashes of a session. */
  tokenHashes(id: string): string[] {
    const e = this.#sessions.get(id);
    return e ? [e.tokenHash, ...(e.prevTokenHash ? [e.prevTokenHash] : [])] : [];
  }
}
