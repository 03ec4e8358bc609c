/** What a session has sent and the client has not acknowledged, bounded by count and bytes. */
import { SeqQueue, type SeqEntry } from '../protocol/seq-queue.js';

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

  /** Whether one more frame of `bytes` stays within both bounds. */
  fits(bytes: number): boolean {
    return this.size + 1 <= this.maxMessages && this.bytes + bytes <= this.maxBytes;
  }

  /** Keeps a sent frame; the caller has made room for it within the bounds. */
  push(seq: number, frame: string, bytes = Buffer.byteLength(frame)): void {
    this.#queue.push({ seq, data: frame, bytes });
    this.#lastSeq = seq;
  }

  /** For a session read back from a store: the last seq sent, so an empty buffer still knows where it stands. */
  startAfter(seq: number): void {
    this.#lastSeq = Math.max(this.#lastSeq, seq);
  }

  /** Drops the oldest frame (a later resume from before it is a replay gap); returns its bytes. */
  evictOldest(): number {
    return this.#queue.shift()?.bytes ?? 0;
  }

  ack(seq: number): void {
    this.#queue.ackUpTo(seq);
  }

  /** Whether a client that has everything up to `ack` can be brought up to date. */
  reaches(ack: number): boolean {
    return ack >= this.firstSeq - 1 && ack <= this.#lastSeq;
  }

  /** Frames with seq > `ack`, oldest first. */
  since(ack: number): SeqEntry<string>[] {
    return this.#queue.after(ack);
  }

  clear(): void {
    this.#queue.clear();
  }
}
