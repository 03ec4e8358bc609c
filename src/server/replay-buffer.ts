/** What a session has sent and the client has not acknowledged, bounded by count and bytes. */

interface Entry {
  seq: number;
  frame: string;
}

export class ReplayBuffer {
  #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;
  #lastSeq = 0;
  readonly maxMessages: number;
  readonly maxBytes: number;

  constructor(maxMessages: number, maxBytes: number) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Oldest seq that can still be sent again. */
  get firstSeq(): number {
    return this.size > 0 ? this.#entries[this.#head]!.seq : this.#lastSeq + 1;
  }

  /** Keeps a sent frame; evicts the oldest past the bounds (a later resume from before them is a replay gap). */
  push(seq: number, frame: string): void {
    this.#entries.push({ seq, frame });
    this.#lastSeq = seq;
    this.#bytes += frame.length;
    while (this.size > 0 && (this.size > this.maxMessages || this.#bytes > this.maxBytes)) this.#shift();
    this.#compact();
  }

  ack(seq: number): void {
    while (this.size > 0 && this.#entries[this.#head]!.seq <= seq) this.#shift();
    this.#compact();
  }

  /** Whether a client that has everything up to `ack` can be brought up to date. */
  reaches(ack: number): boolean {
    return ack >= this.firstSeq - 1 && ack <= this.#lastSeq;
  }

  /** Frames with seq > `ack`, oldest first. */
  since(ack: number): string[] {
    const out: string[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      if (this.#entries[i]!.seq > ack) out.push(this.#entries[i]!.frame);
    }
    return out;
  }

  #shift(): void {
    this.#bytes -= this.#entries[this.#head]!.frame.length;
    this.#head++;
  }

  #compact(): void {
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
