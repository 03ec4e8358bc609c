/**
 * A session's write-behind queue to its store. `session.send()` stays synchronous: it queues an op here, and the
 * queue writes everything queued so far in one fenced step, in order, one step at a time. Nothing reaches a
 * client before it is durable (the session writes to its socket only up to `durableOut`), so a node that dies
 * can never have told a client something the store does not know.
 */
import type { SessionStore, StoreOp } from './session-store.js';

export interface JournalHooks {
  /** Ops up to some point are stored: more may go to the socket and into acks. */
  durable(): void;
  /** Another node took the session over (or it is gone): this node must let go of it. `unwritten`: ops not stored. */
  lost(result: 'fenced' | 'gone', unwritten: StoreOp[]): void;
  /** A write failed; the queue retries until it succeeds or the session is let go. */
  failed(error: Error): void;
}

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2000;

export class Journal {
  fence: number;
  /** Highest outgoing seq the store has. */
  durableOut: number;
  /** Highest client seq the store has. */
  durableIn: number;
  #queue: StoreOp[] = [];
  #writing: StoreOp[] | null = null;
  #waiters: { upTo: number; resolve(): void; reject(error: Error): void }[] = [];
  #written = 0;
  #queued = 0;
  #retryMs = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** A resume on this node is claiming the session: writes wait for its new fence. */
  #claiming = false;
  /** A new session's record, created before its first write (and tried again with it after a failure). */
  #create: (() => Promise<void>) | null;
  readonly #store: SessionStore;
  readonly #id: string;
  readonly #hooks: JournalHooks;

  constructor(
    store: SessionStore,
    id: string,
    start: { fence: number; inSeq: number; outSeq: number; create?: () => Promise<void> },
    hooks: JournalHooks,
  ) {
    this.#store = store;
    this.#id = id;
    this.fence = start.fence;
    this.durableOut = start.outSeq;
    this.durableIn = start.inSeq;
    this.#create = start.create ?? null;
    this.#hooks = hooks;
  }

  /** Ops queued and not yet stored. */
  get backlog(): number {
    return this.#queue.length + (this.#writing?.length ?? 0);
  }

  push(op: StoreOp): void {
    if (this.#stopped) return;
    this.#queue.push(op);
    this.#queued++;
    if (this.#writing === null && this.#retryTimer === undefined && this.#queue.length === 1)
      queueMicrotask(this.#write);
  }

  /** Writes the new session's record now (a session with nothing to write yet must still be found by a resume). */
  start(): void {
    if (this.#create && this.#queue.length === 0) this.push({ op: 'in', seq: 0 });
  }

  /** Resolves once everything queued before the call is stored; rejects if the session is let go first. */
  flushed(): Promise<void> {
    if (this.#written >= this.#queued) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new Error(`session ${this.#id}: no longer owned by this node`));
    return new Promise((resolve, reject) => this.#waiters.push({ upTo: this.#queued, resolve, reject }));
  }

  /** A claim by this node starts: batches wait for it, so none goes out with the fence it is about to replace. */
  beginClaim(): void {
    this.#claiming = true;
  }

  /** The claim is done: `fence` is the new one (undefined: it failed, the old one stands). */
  endClaim(fence?: number): void {
    this.#claiming = false;
    if (fence !== undefined) this.fence = fence;
    this.#write();
  }

  /** Stops writing (the session moved, ended or the server closed); what is queued is dropped. */
  stop(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#queue = [];
    for (const w of this.#waiters.splice(0)) w.reject(new Error(`session ${this.#id}: ${reason}`));
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  #write = (): void => {
    if (this.#stopped || this.#claiming || this.#writing !== null || this.#queue.length === 0) return;
    const batch = (this.#writing = this.#queue);
    this.#queue = [];
    this.#retryTimer = undefined;
    const create = this.#create;
    let fence = this.fence;
    (create ? create().then(() => void (this.#create = null)) : Promise.resolve())
      .then(() => this.#store.write(this.#id, (fence = this.fence), batch))
      .then(
        (result) => {
          this.#writing = null;
          if (this.#stopped) return;
          if (result === 'fenced' && (fence !== this.fence || this.#claiming)) {
            // This node claimed the session again (a resume) while the batch was on its way: it is still ours.
            this.#queue = [...batch, ...this.#queue];
            return this.#write();
          }
          if (result !== 'ok') return this.#hooks.lost(result, [...batch, ...this.#queue]);
          this.#retryMs = 0;
          this.#written += batch.length;
          for (const op of batch) {
            if (op.op === 'out') this.durableOut = Math.max(this.durableOut, op.seq);
            else if (op.op === 'in') this.durableIn = Math.max(this.durableIn, op.seq);
          }
          const done = this.#waiters.filter((w) => w.upTo <= this.#written);
          this.#waiters = this.#waiters.filter((w) => w.upTo > this.#written);
          for (const w of done) w.resolve();
          this.#hooks.durable();
          this.#write();
        },
        (error: unknown) => {
          this.#writing = null;
          if (this.#stopped) return;
          // The batch goes first again, in its order, with whatever came since: every op is idempotent.
          this.#queue = [...batch, ...this.#queue];
          this.#retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.#retryMs * 2));
          this.#retryTimer = setTimeout(this.#write, this.#retryMs);
          this.#retryTimer.unref();
          // Once per outage, not once per retry.
          if (this.#retryMs === RETRY_MIN_MS)
            this.#hooks.failed(error instanceof Error ? error : new Error(String(error)));
        },
      );
  };
}
