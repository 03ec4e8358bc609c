import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../../src/server/replay-buffer.js';

const texts = (buf: ReplayBuffer, ack: number) => buf.since(ack).map((e) => e.data);

describe('ReplayBuffer', () => {
  it('replays what is unacknowledged and forgets what is', () => {
    const buf = new ReplayBuffer(10, 1000);
    for (let seq = 1; seq <= 5; seq++) buf.push(seq, `m${seq}`);
    buf.ack(2);
    assert.deepEqual(texts(buf, 2), ['m3', 'm4', 'm5']);
    assert.deepEqual(texts(buf, 4), ['m5']);
    assert.deepEqual(texts(buf, 0), ['m3', 'm4', 'm5']);
    assert.equal(buf.firstSeq, 3);
    assert.ok(buf.reaches(2) && buf.reaches(5));
    // Message 2 was acknowledged and dropped: a client claiming to have only 1 cannot be served.
    assert.equal(buf.reaches(1), false);
  });

  it('says whether a frame fits both bounds; evicting the oldest makes a later resume from before it a gap', () => {
    const buf = new ReplayBuffer(3, 1000);
    for (let seq = 1; seq <= 3; seq++) buf.push(seq, `m${seq}`);
    assert.equal(buf.fits(1), false, 'count bound');
    assert.equal(buf.evictOldest(), 2);
    assert.equal(buf.fits(2), true);
    assert.equal(buf.firstSeq, 2);
    assert.equal(buf.reaches(0), false);
    assert.equal(buf.reaches(1), true);
    const bytes = new ReplayBuffer(100, 10);
    bytes.push(1, 'aaaaaa');
    assert.deepEqual([bytes.fits(4), bytes.fits(5)], [true, false], 'byte bound');
  });

  it('counts bytes as sent (UTF-8), not characters', () => {
    const buf = new ReplayBuffer(100, 200);
    buf.push(1, '€'.repeat(60));
    assert.deepEqual([buf.bytes, buf.size], [180, 1]);
    assert.equal(buf.fits(Buffer.byteLength('€'.repeat(7))), false, '21 more bytes pass 200');
  });

  it('never claims to reach past what it sent', () => {
    const buf = new ReplayBuffer(10, 1000);
    buf.push(1, 'x');
    assert.equal(buf.reaches(2), false);
    assert.equal(buf.reaches(0), true);
  });
});
