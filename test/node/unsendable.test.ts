import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutboxEntry } from '../../src/client/outbox.js';
import { toPlainWire, toSessionWire, type WirePayload } from '../../src/client/payload.js';
import { frameBytes, refusedCulprit, unsendable } from '../../src/client/unsendable.js';
import { encodeFrame } from '../../src/protocol/frames.js';

const entry = (seq: number, data: WirePayload): OutboxEntry<WirePayload> => ({ seq, data, bytes: 0 });

describe('unsendable queue entries', () => {
  it('measures a frame exactly in UTF-8 when it could be near the limit', () => {
    const data = toSessionWire('é'.repeat(100));
    const exact = new TextEncoder().encode(encodeFrame({ t: 'msg', seq: 7, d: 'é'.repeat(100) })).length;
    assert.equal(frameBytes(7, data, 0), exact);
    assert.ok(frameBytes(7, data, 1_000_000) >= exact, 'the cheap bound is never below the size');
  });

  it('names a message over the limit and a Blob, and lets everything else through', () => {
    assert.equal(unsendable(entry(1, toSessionWire('x'.repeat(100))), 200), null);
    assert.equal(unsendable(entry(1, toSessionWire('x'.repeat(100))), null), null);
    assert.equal(unsendable(entry(2, toPlainWire(new Uint8Array([1, 2]))), 200), null);
    const big = unsendable(entry(3, toSessionWire('x'.repeat(500))), 200);
    assert.deepEqual([big?.kind, big?.code, big?.seq], ['too-big', 'too-big', 3]);
    const blob = unsendable(entry(4, toPlainWire(new Blob(['b']))), null);
    assert.deepEqual([blob?.kind, blob?.code, blob?.seq], ['config', 'blob', 4]);
    // The messages reach developers: each says which message, why, what to send instead, and that it is gone.
    assert.match(big!.message, /^message 3 is \d+ bytes as a frame; the server accepts at most 200; taken out/);
    assert.match(blob!.message, /^message 4: a Blob .* session mode \(send an ArrayBuffer\); taken out of the queue$/);
  });

  it('blames the largest message sent on the socket for a 1009, never one not yet sent', () => {
    const entries = [
      entry(4, toSessionWire('a')),
      entry(5, toSessionWire('x'.repeat(300))),
      entry(6, toSessionWire('b')),
      entry(7, toSessionWire('y'.repeat(900))),
    ];
    assert.equal(refusedCulprit(entries, 6)?.entry.seq, 5);
    assert.equal(refusedCulprit(entries, 7)?.error.seq, 7);
    assert.match(refusedCulprit(entries, 7)!.error.message, /^message 7 is \d+ bytes .* too big \(1009\); taken out/);
    assert.equal(refusedCulprit(entries, 3), null);
  });
});
