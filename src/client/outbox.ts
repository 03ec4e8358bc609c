/** Bounded outbound queue. Entries keep their seq until the peer acknowledges them. */
import { SeqQueue, type SeqEntry } from '../protocol/seq-queue.js';

export type OutboxEntry<T> = SeqEntry<T>;

export class OutboxFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxFullError';
  }
}

export class Outbox<T> {
  #queue = new SeqQueue<T>();
  #lastSeq = 0;
  /** Bounds may change at any time; entries already queued are kept. */
  maxMessages: number;
  maxBytes: number;

  constructor(maxMessages: number, maxBytes = Infinity) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#queue.size;
  }

  get bytes(): number {
    return this.#queue.bytes;
  }

  /** Highest seq handed out so far. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Queues `data`; throws OutboxFullError rather than dropping anything. */
  push(data: T, bytes: number): OutboxEntry<T> {
    if (this.size >= this.maxMessages) {
      throw new OutboxFullError(`send queue is full (${this.maxMessages} messages waiting); message not queued`);
    }
    if (this.bytes + bytes > this.maxBytes) {
      throw new OutboxFullError(`send queue is full (${this.maxBytes} bytes waiting); message not queued`);
    }
    const entry = { seq: ++this.#lastSeq, data, bytes };
    this.#queue.push(entry);
    return entry;
  }

  /**
   * Drops every entry with seq ≤ `seq` (a cumulative acknowledgement). Seqs up to it are used: `share` can
   * take over a session whose server has messages the tab that sent them never told the others of.
   */
  ack(seq: number): number {
    this.#lastSeq = Math.max(this.#lastSeq, seq);
    return this.#queue.ackUpTo(seq);
  }

  entries(): OutboxEntry<T>[] {
    return this.#queue.entries();
  }

  /** Removes and returns everything, oldest first. */
  drain(): OutboxEntry<T>[] {
    return this.#queue.clear();
  }

  /** Numbers the waiting entries again from 1, for a session that starts over. */
  renumber(): void {
    const all = this.#queue.clear();
    all.forEach((e, i) => this.#queue.push({ ...e, seq: i + 1 }));
    this.#lastSeq = all.length;
  }

  /**
   * Takes out the entries `unwanted` picks, none of which the peer has received, and numbers the
   * rest on from the first seq that was freed: the peer must see contiguous seqs.
   */
  remove(unwanted: (entry: OutboxEntry<T>) => boolean): OutboxEntry<T>[] {
    const all = this.#queue.clear();
    const removed: OutboxEntry<T>[] = [];
    let next = all[0]?.seq ?? this.#lastSeq + 1;
    for (const e of all) {
      if (unwanted(e)) removed.push(e);
      else this.#queue.push({ ...e, seq: next++ });
    }
    if (removed.length > 0) this.#lastSeq = next - 1;
    return removed;
  }

  /** Restores entries saved earlier (for `persist`), keeping their seqs. */
  restore(entries: OutboxEntry<T>[], lastSeq: number): void {
    this.#queue.clear();
    for (const e of entries) this.#queue.push(e);
    this.#lastSeq = Math.max(lastSeq, entries.at(-1)?.seq ?? 0);
  }
}
