/** Bounded outbound queue. Entries keep their seq until the peer acknowledges them. */

export interface OutboxEntry<T> {
  seq: number;
  data: T;
  bytes: number;
}

export class OutboxFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxFullError';
  }
}

export class Outbox<T> {
  #entries: OutboxEntry<T>[] = [];
  #head = 0;
  #bytes = 0;
  #lastSeq = 0;
  /** Bounds may change at any time; entries already queued are kept. */
  maxMessages: number;
  maxBytes: number;

  constructor(maxMessages: number, maxBytes = Infinity) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
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
    if (this.#bytes + bytes > this.maxBytes) {
      throw new OutboxFullError(`send queue is full (${this.maxBytes} bytes waiting); message not queued`);
    }
    const entry = { seq: ++this.#lastSeq, data, bytes };
    this.#entries.push(entry);
    this.#bytes += bytes;
    return entry;
  }

  /** Drops every entry with seq ≤ `seq` (a cumulative acknowledgement). */
  ack(seq: number): number {
    let dropped = 0;
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.seq <= seq) {
      this.#bytes -= this.#entries[this.#head]!.bytes;
      this.#head++;
      dropped++;
    }
    // Compact lazily so acknowledging one message at a time stays O(1) amortised.
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return dropped;
  }

  /** Entries with seq > `seq`, oldest first. */
  after(seq: number): OutboxEntry<T>[] {
    const out: OutboxEntry<T>[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      if (this.#entries[i]!.seq > seq) out.push(this.#entries[i]!);
    }
    return out;
  }

  entries(): OutboxEntry<T>[] {
    return this.#entries.slice(this.#head);
  }

  /** Removes and returns everything, oldest first. */
  drain(): OutboxEntry<T>[] {
    const all = this.entries();
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    return all;
  }

  /** Numbers the waiting entries again from 1, for a session that starts over. */
  renumber(): void {
    const all = this.entries();
    this.#entries = all.map((e, i) => ({ ...e, seq: i + 1 }));
    this.#head = 0;
    this.#lastSeq = all.length;
  }

  /** Restores entries saved earlier (for `persist`), keeping their seqs. */
  restore(entries: OutboxEntry<T>[], lastSeq: number): void {
    this.#entries = entries.slice();
    this.#head = 0;
    this.#bytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    this.#lastSeq = Math.max(lastSeq, entries.at(-1)?.seq ?? 0);
  }
}
