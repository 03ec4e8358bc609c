import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../../src/server/replay-buffer.js';

describe('ReplayBuffer', () => {
  it('replays what is unacknowledged and forgets what is', () => {
    const buf = new ReplayBuffer(10, 1000);
    for (let seq = 1; seq <= 5; seq++) buf.push(seq, `m${seq}`);
    buf.ack(2);
    assert.deepEqual(buf.since(2), ['m3', 'm4', 'm5']);
    assert.deepEqual(buf.since(4), ['m5']);
    assert.equal(buf.firstSeq, 3);
    assert.ok(buf.reaches(2) && buf.reaches(5));
    // Message 2 was acknowledged and dropped: a client claiming to have only 1 cannot be served.
    assert.equal(buf.reaches(1), false);
  });

  it('evicts the oldest past its bounds, after which older clients are a replay gap', () => {
    const buf = new ReplayBuffer(3, 1000);
    for (let seq = 1; seq <= 5; seq++) buf.push(seq, `m${seq}`);
    assert.equal(buf.size, 3);
    assert.equal(buf.firstSeq, 3);
    assert.equal(buf.reaches(1), false);
    assert.equal(buf.reaches(2), true);
    const bytes = new ReplayBuffer(100, 10);
    bytes.push(1, 'aaaaaa');
    bytes.push(2, 'bbbbbb');
    assert.deepEqual([bytes.size, bytes.bytes, bytes.firstSeq], [1, 6, 2]);
  });

  it('counts bytes as sent (UTF-8), not characters', () => {
    const buf = new ReplayBuffer(100, 200);
    buf.push(1, '€'.repeat(60));
    assert.deepEqual([buf.bytes, buf.size], [180, 1]);
    // 70 characters, 210 bytes: past the 200-byte bound.
    buf.push(2, '€'.repeat(70));
    assert.deepEqual([buf.size, buf.firstSeq], [0, 3]);
  });

  it('never claims to reach past what it sent', () => {
    const buf = new ReplayBuffer(10, 1000);
    buf.push(1, 'x');
    assert.equal(buf.reaches(2), false);
    assert.equal(buf.reaches(0), true);
  });
});
