/** Numbered messages, oldest first, with their sizes: the core of the client outbox and the server replay buffer. */

export interface SeqEntry<T> {
  seq: number;
  data: T;
  bytes: number;
}

export class SeqQueue<T> {
  #entries: (SeqEntry<T> | undefined)[] = [];
  #head = 0;
  #bytes = 0;

  get size(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The oldest entry, if any. */
  get first(): SeqEntry<T> | undefined {
    return this.#entries[this.#head];
  }

  push(entry: SeqEntry<T>): void {
    this.#entries.push(entry);
    this.#bytes += entry.bytes;
  }

  shift(): SeqEntry<T> | undefined {
    const entry = this.#entries[this.#head];
    if (!entry) return undefined;
    // The slot lets go of the entry at once: an acknowledged message must not stay reachable until compaction.
    this.#entries[this.#head] = undefined;
    this.#head++;
    this.#bytes -= entry.bytes;
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      // Compact lazily so removing one entry at a time stays O(1) amortised.
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  /** Drops every entry with seq ≤ `seq` (a cumulative acknowledgement); returns how many. */
  ackUpTo(seq: number): number {
    let dropped = 0;
    while (this.size > 0 && this.first!.seq <= seq) {
      this.shift();
      dropped++;
    }
    return dropped;
  }

  /** Entries with seq > `seq`, oldest first (seqs ascend, so a binary search finds the start). */
  after(seq: number): SeqEntry<T>[] {
    let lo = this.#head;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#entries[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.#entries.slice(lo) as SeqEntry<T>[];
  }

  entries(): SeqEntry<T>[] {
    return this.#entries.slice(this.#head) as SeqEntry<T>[];
  }

  /** Removes and returns everything, oldest first. */
  clear(): SeqEntry<T>[] {
    const all = this.entries();
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    return all;
  }
}
