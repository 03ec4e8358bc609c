/**
 * Queued messages that can never reach the server: resent on every attempt they would hold up
 * everything behind them, so the client takes them out of its queue and reports them instead.
 */
import type { OutboxEntry } from './outbox.js';
import { msgText, wireSize, type WirePayload } from './payload.js';
import type { ErrorDetail } from './types.js';

/**
 * UTF-8 size of `data` as a msg frame. Characters times three bounds it, so only a message that
 * could be near `limit` is encoded to measure (pass 0 for the exact size).
 */
export function frameBytes(seq: number, data: WirePayload, limit: number): number {
  const bound = wireSize(data) * 3 + 64;
  if (bound <= limit) return bound;
  return new TextEncoder().encode(msgText(seq, data)).length;
}

/** Why `entry` cannot go out in session mode under the server's frame `limit`; null if it can. */
export function unsendable({ seq, data }: OutboxEntry<WirePayload>, limit: number | null): ErrorDetail | null {
  if (data.kind === 'binary' && !(data.data instanceof ArrayBuffer)) {
    const message = `message ${seq}: a Blob queued in plain mode cannot be sent in session mode (send an ArrayBuffer); taken out of the queue`;
    return { kind: 'config', code: 'blob', seq, message };
  }
  if (limit === null) return null;
  const bytes = frameBytes(seq, data, limit);
  if (bytes <= limit) return null;
  const message = `message ${seq} is ${bytes} bytes as a frame; the server accepts at most ${limit}; taken out of the queue`;
  return { kind: 'too-big', code: 'too-big', seq, message };
}

/**
 * After a 1009 close from a server that announced no limit (or a larger one than it enforces):
 * the frame it refused is among the unacknowledged messages sent on that socket (seq ≤ `sentSeq`),
 * so the largest of them is over the limit too. Null if none was sent.
 */
export function refusedCulprit(
  entries: OutboxEntry<WirePayload>[],
  sentSeq: number,
): { entry: OutboxEntry<WirePayload>; error: ErrorDetail } | null {
  let culprit: { entry: OutboxEntry<WirePayload>; bytes: number } | null = null;
  for (const entry of entries) {
    if (entry.seq > sentSeq) break;
    const bytes = frameBytes(entry.seq, entry.data, 0);
    if (!culprit || bytes > culprit.bytes) culprit = { entry, bytes };
  }
  if (!culprit) return null;
  const { entry, bytes } = culprit;
  const message = `message ${entry.seq} is ${bytes} bytes as a frame; the server refused it as too big (1009); taken out of the queue`;
  return { entry, error: { kind: 'too-big', code: 'too-big', seq: entry.seq, message } };
}
