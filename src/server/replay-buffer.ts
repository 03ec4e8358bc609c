/** What a session has sent and the client has not acknowledged, bounded by count and bytes. */
import { SeqQueue } from '../protocol/seq-queue.js';

export class ReplayBuffer {
  #queue = new SeqQueue<string>();
  #lastSeq = 0;
  readonly maxMessages: number;
  readonly maxBytes: number;

  constructor(maxMessages: number, maxBytes: number) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#queue.size;
  }

  get bytes(): number {
    return this.#queue.bytes;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Oldest seq that can still be sent again. */
  get firstSeq(): number {
    return this.#queue.first?.seq ?? this.#lastSeq + 1;
  }

  /** Keeps a sent frame; evicts the oldest past the bounds (a later resume from before them is a replay gap). */
  push(seq: number, frame: string): void {
    this.#queue.push({ seq, data: frame, bytes: Buffer.byteLength(frame) });
    this.#lastSeq = seq;
    while (this.size > 0 && (this.size > this.maxMessages || this.bytes > this.maxBytes)) this.#queue.shift();
  }

  ack(seq: number): void {
    this.#queue.ackUpTo(seq);
  }

  /** Whether a client that has everything up to `ack` can be brought up to date. */
  reaches(ack: number): boolean {
    return ack >= this.firstSeq - 1 && ack <= this.#lastSeq;
  }

  /** Frames with seq > `ack`, oldest first. */
  since(ack: number): string[] {
    return this.#queue.after(ack).map((e) => e.data);
  }
}
